import pytest
from django.urls import reverse

from mapapp.models import Entry
from tests.concurrency import at_the_same_moment


@pytest.fixture
def admin_client_logged_in(client, django_user_model):
    user = django_user_model.objects.create_superuser("boss", "boss@example.org", "pw-12345-xyz")
    client.force_login(user)
    return client


def test_the_entry_changelist_loads_with_filters(admin_client_logged_in, make_entry):
    make_entry(name="Leeds Timebank")
    response = admin_client_logged_in.get(reverse("admin:mapapp_entry_changelist"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Leeds Timebank" in body
    for label in ("By status", "By category", "By threat", "By precision"):
        assert label in body


def test_the_entry_change_page_has_a_leaflet_map_served_locally(admin_client_logged_in, make_entry):
    entry = make_entry()
    response = admin_client_logged_in.get(reverse("admin:mapapp_entry_change", args=[entry.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "/static/leaflet/leaflet.js" in body
    assert "unpkg" not in body and "cdn" not in body.lower()


def test_the_changelist_search_finds_by_locality(admin_client_logged_in, make_entry):
    make_entry(name="A", locality="Totnes")
    make_entry(name="B", locality="Stroud")
    response = admin_client_logged_in.get(reverse("admin:mapapp_entry_changelist"), {"q": "Totnes"})
    assert response.context["cl"].result_count == 1


@pytest.mark.parametrize(
    "action,status",
    [
        ("publish", "published"),
        ("reject", "rejected"),
        ("archive", "archived"),
    ],
)
def test_bulk_actions_change_the_status(admin_client_logged_in, make_entry, action, status):
    entries = [make_entry(status="pending") for _ in range(2)]
    response = admin_client_logged_in.post(
        reverse("admin:mapapp_entry_changelist"),
        {"action": action, "_selected_action": [e.pk for e in entries]},
    )
    assert response.status_code == 302
    assert set(Entry.objects.values_list("status", flat=True)) == {status}
    assert set(Entry.objects.values_list("version", flat=True)) == {2}
    from mapapp.models import ModerationDecision

    assert ModerationDecision.objects.filter(action=action).count() == 2


def test_adding_an_entry_in_the_admin_derives_slug_and_public_point(
    admin_client_logged_in, category
):
    response = admin_client_logged_in.post(
        reverse("admin:mapapp_entry_add"),
        {
            "name": "Totnes Seed Swap",
            "category": category.pk,
            "location": '{"type": "Point", "coordinates": [-3.6866, 50.4319]}',
            "precision": "approximate",
            "status": "published",
            "threat": "none",
            "licence": "CC-BY-SA-4.0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    entry = Entry.objects.get()
    assert entry.slug == "totnes-seed-swap"
    assert entry.public_point.coords != entry.location.coords
    assert "Totnes Seed Swap" in entry.search_text
    assert entry.status == "pending"  # published by the "Publish" action, which logs it


def test_the_category_and_tag_admin_pages_load(admin_client_logged_in):
    for name in ("admin:mapapp_category_changelist", "admin:mapapp_tag_changelist"):
        assert admin_client_logged_in.get(reverse(name)).status_code == 200


def test_entries_cannot_be_deleted_only_archived(admin_client_logged_in, make_entry):
    entry = make_entry()
    response = admin_client_logged_in.get(reverse("admin:mapapp_entry_delete", args=[entry.pk]))
    assert response.status_code == 403
    changelist = admin_client_logged_in.get(reverse("admin:mapapp_entry_changelist"))
    assert "delete_selected" not in changelist.content.decode()
    assert Entry.objects.filter(pk=entry.pk).exists()


def change_form_data(client, entry, **changes):
    """What the admin change form posts back, as loaded now, with the given changes."""
    form = (
        client.get(reverse("admin:mapapp_entry_change", args=[entry.pk])).context["adminform"].form
    )
    data = {}
    for name in form.fields:
        value = form[name].value()
        if hasattr(value, "geojson"):
            value = value.geojson
        data[name] = "" if value is None else value
    data.update(changes)
    return data


def test_the_change_form_carries_the_version_it_was_loaded_at(admin_client_logged_in, make_entry):
    entry = make_entry()
    body = admin_client_logged_in.get(
        reverse("admin:mapapp_entry_change", args=[entry.pk])
    ).content.decode()
    assert 'type="hidden" name="loaded_version" value="1"' in body


def test_a_stale_admin_save_is_refused_and_keeps_the_other_edit(
    admin_client_logged_in, make_entry, people
):
    from mapapp import services

    entry = make_entry(name="Start", opening_times="Mon")
    stale = change_form_data(admin_client_logged_in, entry, name="Admin's name")
    services.entry_edit(
        entry=entry, editor=people["moderator"], data={"opening_times": "Tue"}, expected_version=1
    )
    response = admin_client_logged_in.post(
        reverse("admin:mapapp_entry_change", args=[entry.pk]), stale
    )
    assert response.status_code == 200
    assert "Someone saved this entry since you opened it" in response.content.decode()
    entry.refresh_from_db()
    assert (entry.name, entry.opening_times, entry.version) == ("Start", "Tue", 2)


def test_an_admin_save_is_a_new_version_recorded_with_the_admin(admin_client_logged_in, make_entry):
    entry = make_entry(name="Start")
    data = change_form_data(admin_client_logged_in, entry, name="Renamed")
    response = admin_client_logged_in.post(
        reverse("admin:mapapp_entry_change", args=[entry.pk]), data
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.name, entry.version) == ("Renamed", 2)
    assert entry.history.latest().history_user.username == "boss"


def test_status_changes_only_through_decisions_not_the_change_form(
    admin_client_logged_in, make_entry
):
    from mapapp.models import ModerationDecision

    entry = make_entry(status="pending")
    url = reverse("admin:mapapp_entry_change", args=[entry.pk])
    assert 'name="status"' not in admin_client_logged_in.get(url).content.decode()
    data = change_form_data(
        admin_client_logged_in,
        entry,
        status="published",
        published_at="2020-01-01 00:00:00",
        version="9",
    )
    assert admin_client_logged_in.post(url, data).status_code == 302
    entry.refresh_from_db()
    assert (entry.status, entry.published_at, entry.version) == ("pending", None, 2)
    assert not ModerationDecision.objects.exists()


def test_the_admin_save_service_refuses_a_version_that_moved_on(make_entry, people):
    from mapapp import services

    entry = make_entry(name="Start")
    services.entry_edit(
        entry=entry, editor=people["moderator"], data={"name": "Theirs"}, expected_version=1
    )
    entry.name = "Mine"
    with pytest.raises(services.StaleVersion):
        services.entry_save_from_admin(entry=entry, editor=people["superuser"], expected_version=1)
    assert Entry.objects.get(pk=entry.pk).name == "Theirs"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_admins_saving_the_same_version_at_once_get_one_save_and_one_refusal(
    make_entry, django_user_model
):
    """Both opened version 1; the database makes one wait, and it is told, not saved over."""
    from django.test import Client

    entry = make_entry(name="Start")
    admins = []
    for name in ("boss", "chief"):
        client = Client()
        client.force_login(django_user_model.objects.create_superuser(name, f"{name}@x.example"))
        admins.append(client)
    forms = [change_form_data(c, entry, name=f"By {i}") for i, c in enumerate(admins)]
    url = reverse("admin:mapapp_entry_change", args=[entry.pk])

    def save(client_and_data):
        client, data = client_and_data
        return client.post(url, data, follow=True).content.decode()

    bodies = at_the_same_moment(Entry, save, list(zip(admins, forms, strict=True)))
    refused = [b for b in bodies if "Someone saved this entry since you opened it" in b]
    assert len(bodies) == 2 and len(refused) == 1
    saved = Entry.objects.get(pk=entry.pk)
    assert saved.version == 2 and saved.name in {"By 0", "By 1"}
    assert saved.history.count() == 2  # created, then the one admin save


@pytest.mark.parametrize("location", ["POINT EMPTY", "POINT(nan nan)"])
def test_a_point_without_coordinates_in_the_change_form_is_a_form_error_not_a_500(
    admin_client_logged_in, make_entry, location
):
    entry = make_entry(name="Start")
    data = change_form_data(admin_client_logged_in, entry, name="Moved", location=location)
    response = admin_client_logged_in.post(
        reverse("admin:mapapp_entry_change", args=[entry.pk]), data
    )
    assert response.status_code == 200
    message = "Give the location as a point with a longitude and latitude."
    assert message in response.content.decode()
    entry.refresh_from_db()
    assert (entry.name, entry.version) == ("Start", 1)


def test_a_tag_id_too_long_for_the_database_is_a_form_error_not_a_500(
    admin_client_logged_in, make_entry
):
    entry = make_entry(name="Start")
    data = change_form_data(admin_client_logged_in, entry, name="Tagged", tags=["9" * 400])
    response = admin_client_logged_in.post(
        reverse("admin:mapapp_entry_change", args=[entry.pk]), data
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["tags"]
    entry.refresh_from_db()
    assert (entry.name, entry.version) == ("Start", 1)
