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


def test_an_admin_save_keeps_a_verification_made_after_the_admin_read_the_entry(make_entry, people):
    from mapapp import services
    from mapapp.services import freshness

    entry = make_entry(name="Start")
    stale_copy = Entry.objects.get(pk=entry.pk)
    freshness.entry_verify(entry=entry, role=Entry.VerifiedBy.OWNER)
    freshness.entry_confirm_visit(entry=entry)
    stale_copy.name = "Renamed in the admin"
    services.entry_save_from_admin(entry=stale_copy, editor=people["superuser"], expected_version=1)
    saved = Entry.objects.get(pk=entry.pk)
    assert saved.name == "Renamed in the admin"
    assert (saved.verified_by, saved.confirmations) == (Entry.VerifiedBy.OWNER, 1)
    assert saved.verified_at == entry.verified_at


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


# Threat cases and deadline rules


def admin_form_data(client, url, **changes):
    """What an admin add or change page posts back as loaded, inlines included, with changes
    (inline fields by their prefixed names, e.g. threatevent_set-2-0-kind)."""
    context = client.get(url).context
    data = {}

    def add(form):
        for name in form.fields:
            value = form[name].value()
            if isinstance(value, bool):
                if value:
                    data[form.add_prefix(name)] = "on"
                continue
            data[form.add_prefix(name)] = "" if value is None else value

    add(context["adminform"].form)
    for inline in context["inline_admin_formsets"]:
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    data.update(changes)
    return data


def new_event_prefix(client, url):
    """The prefix of the inline that adds events (the other lists them read-only)."""
    inlines = client.get(url).context["inline_admin_formsets"]
    return next(i.formset.prefix for i in inlines if i.formset.extra)


@pytest.fixture
def staff_moderator(people):
    moderator = people["moderator"]
    moderator.is_staff = True
    moderator.save()
    return moderator


@pytest.fixture
def threatened(make_entry):
    from datetime import date

    from mapapp import services

    entry = make_entry(name="Moss Lane Library")
    case = services.case_create(
        entry=entry,
        author=None,
        data={
            "title": "Library closure",
            "kind": "closure",
            "status": "active",
            "opened_on": date(2025, 1, 6),
        },
    )
    services.event_create(
        case=case, author=None, data={"kind": "disposal_notice", "happened_on": date(2025, 3, 3)}
    )
    return case


def deadlines(case):
    from mapapp.models import CaseDeadline

    rows = CaseDeadline.objects.filter(case=case).select_related("rule")
    return {row.rule.name: row.due_on.isoformat() for row in rows}


def test_a_moderator_edits_a_deadline_rule_and_every_case_is_recomputed(
    client, staff_moderator, threatened
):
    from mapapp.models import DeadlineRule

    client.force_login(staff_moderator)
    rule = DeadlineRule.objects.get(name="Interim moratorium ends")
    assert deadlines(threatened)["Interim moratorium ends"] == "2025-04-14"
    url = reverse("admin:mapapp_deadlinerule_change", args=[rule.pk])
    response = client.post(url, admin_form_data(client, url, amount="8"))
    assert response.status_code == 302
    assert deadlines(threatened)["Interim moratorium ends"] == "2025-04-28"
    assert DeadlineRule.objects.get(pk=rule.pk).history.latest().history_user == staff_moderator


def test_a_deadline_rule_that_would_loop_is_a_form_error_on_after(
    client, staff_moderator, threatened
):
    from mapapp.models import DeadlineRule

    client.force_login(staff_moderator)
    first = DeadlineRule.objects.get(name="Interim moratorium ends")
    second = DeadlineRule.objects.create(name="Second", after=first, amount=1)
    url = reverse("admin:mapapp_deadlinerule_change", args=[first.pk])
    data = admin_form_data(client, url, trigger="", after=str(second.pk))
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "loop" in " ".join(errors["after"])
    assert DeadlineRule.objects.get(pk=first.pk).trigger == "disposal_notice"


def test_adding_a_rule_in_the_admin_gives_existing_cases_its_deadline(
    admin_client_logged_in, threatened
):
    url = reverse("admin:mapapp_deadlinerule_add")
    data = admin_form_data(
        admin_client_logged_in,
        url,
        name="Reply to the notice by",
        trigger="disposal_notice",
        amount="10",
        unit="days",
        active="on",
    )
    assert admin_client_logged_in.post(url, data).status_code == 302
    assert deadlines(threatened)["Reply to the notice by"] == "2025-03-13"


def test_staff_who_are_not_moderators_cannot_open_the_threat_admin(client, people):
    people["resident"].is_staff = True
    people["resident"].save()
    client.force_login(people["resident"])
    for name in ("admin:mapapp_deadlinerule_changelist", "admin:mapapp_threatcase_changelist"):
        assert client.get(reverse(name)).status_code == 403


def test_staff_given_the_rule_permissions_edit_rules_but_not_cases(client, people):
    from django.contrib.auth.models import Permission

    clerk = people["resident"]
    clerk.is_staff = True
    clerk.save()
    clerk.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_deadlinerule", "change_deadlinerule"])
    )
    client.force_login(clerk)
    assert client.get(reverse("admin:mapapp_deadlinerule_changelist")).status_code == 200
    assert client.get(reverse("admin:mapapp_threatcase_changelist")).status_code == 403


def test_the_case_changelist_lists_cases_with_their_entry_and_filters(
    admin_client_logged_in, threatened
):
    response = admin_client_logged_in.get(reverse("admin:mapapp_threatcase_changelist"))
    body = response.content.decode()
    assert "Library closure" in body and "Moss Lane Library" in body
    for label in ("By status", "By kind", "By review"):
        assert label in body
    filtered = admin_client_logged_in.get(
        reverse("admin:mapapp_threatcase_changelist"), {"status__exact": "saved"}
    )
    assert filtered.context["cl"].result_count == 0


def test_adding_a_case_with_an_event_in_the_admin_derives_threat_and_deadlines(
    admin_client_logged_in, make_entry
):
    from mapapp.models import ThreatCase

    entry = make_entry(name="The Crown")
    url = reverse("admin:mapapp_threatcase_add")
    prefix = new_event_prefix(admin_client_logged_in, url)
    data = admin_form_data(
        admin_client_logged_in,
        url,
        entry=str(entry.pk),
        title="Pub to be sold",
        kind="disposal",
        status="active",
        opened_on="2025-02-01",
        **{f"{prefix}-0-kind": "disposal_notice", f"{prefix}-0-happened_on": "2025-03-03"},
    )
    response = admin_client_logged_in.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    case = ThreatCase.objects.get()
    assert (case.review, case.history.latest().history_user.username) == ("accepted", "boss")
    assert case.events.get().kind == "disposal_notice"
    assert deadlines(case)["Full moratorium ends"] == "2025-09-03"
    entry.refresh_from_db()
    assert entry.threat == "at_risk"


def test_a_new_case_with_an_event_before_it_opened_is_a_form_error(
    admin_client_logged_in, make_entry
):
    from mapapp.models import ThreatCase

    entry = make_entry()
    url = reverse("admin:mapapp_threatcase_add")
    prefix = new_event_prefix(admin_client_logged_in, url)
    data = admin_form_data(
        admin_client_logged_in,
        url,
        entry=str(entry.pk),
        title="Closure",
        kind="closure",
        status="active",
        opened_on="2025-02-01",
        **{f"{prefix}-0-kind": "announced", f"{prefix}-0-happened_on": "2025-01-01"},
    )
    response = admin_client_logged_in.post(url, data)
    assert response.status_code == 200
    assert "an event cannot come before it" in response.content.decode()
    assert not ThreatCase.objects.exists()


def test_closing_a_case_in_the_admin_refreshes_the_entrys_threat(
    admin_client_logged_in, threatened
):
    url = reverse("admin:mapapp_threatcase_change", args=[threatened.pk])
    data = admin_form_data(admin_client_logged_in, url, status="saved", closed_on="2025-06-01")
    assert admin_client_logged_in.post(url, data).status_code == 302
    threatened.entry.refresh_from_db()
    assert threatened.entry.threat == "none"


def test_closing_a_case_before_its_event_in_the_admin_is_a_form_error(
    admin_client_logged_in, threatened
):
    url = reverse("admin:mapapp_threatcase_change", args=[threatened.pk])
    data = admin_form_data(admin_client_logged_in, url, status="lost", closed_on="2025-02-01")
    response = admin_client_logged_in.post(url, data)
    assert response.status_code == 200
    assert "2025-03-03" in " ".join(response.context["adminform"].form.errors["closed_on"])
    threatened.refresh_from_db()
    threatened.entry.refresh_from_db()
    assert (threatened.status, threatened.entry.threat) == ("active", "at_risk")


def test_an_event_added_in_the_admin_after_the_new_closing_date_is_a_form_error(
    admin_client_logged_in, threatened
):
    url = reverse("admin:mapapp_threatcase_change", args=[threatened.pk])
    prefix = new_event_prefix(admin_client_logged_in, url)
    data = admin_form_data(
        admin_client_logged_in,
        url,
        status="saved",
        closed_on="2025-06-01",
        **{f"{prefix}-0-kind": "outcome", f"{prefix}-0-happened_on": "2025-07-01"},
    )
    response = admin_client_logged_in.post(url, data)
    assert response.status_code == 200
    assert "an event cannot come after it" in response.content.decode()
    threatened.refresh_from_db()
    assert (threatened.status, threatened.events.count()) == ("active", 1)


def test_existing_events_are_read_only_in_the_case_admin(admin_client_logged_in, threatened):
    url = reverse("admin:mapapp_threatcase_change", args=[threatened.pk])
    data = admin_form_data(admin_client_logged_in, url)
    event = threatened.events.get()
    data.update({"threatevent_set-0-happened_on": "2025-01-07", "threatevent_set-0-id": event.pk})
    assert admin_client_logged_in.post(url, data).status_code == 302
    event.refresh_from_db()
    assert event.happened_on.isoformat() == "2025-03-03"


def test_accepting_a_pending_case_in_the_admin_puts_the_entry_at_risk(
    admin_client_logged_in, make_entry, people
):
    from datetime import date

    from mapapp import services

    entry = make_entry()
    case = services.case_submit(
        entry=entry,
        author=people["resident"],
        data={"title": "Cut", "kind": "funding_cut", "opened_on": date(2025, 1, 1)},
    )
    response = admin_client_logged_in.post(
        reverse("admin:mapapp_threatcase_changelist"),
        {"action": "accept", "_selected_action": [case.pk]},
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.threat == "at_risk"


def test_cases_and_rules_cannot_be_deleted_only_closed_or_made_inactive(
    admin_client_logged_in, threatened
):
    from mapapp.models import DeadlineRule

    rule = DeadlineRule.objects.first()
    for name, pk in (("threatcase", threatened.pk), ("deadlinerule", rule.pk)):
        url = reverse(f"admin:mapapp_{name}_delete", args=[pk])
        assert admin_client_logged_in.get(url).status_code == 403


def test_the_entrys_threat_is_read_only_in_its_admin_and_listed_with_its_cases(
    admin_client_logged_in, threatened
):
    entry = threatened.entry
    url = reverse("admin:mapapp_entry_change", args=[entry.pk])
    body = admin_client_logged_in.get(url).content.decode()
    assert 'name="threat"' not in body
    assert "Library closure" in body and "At risk" in body
    data = change_form_data(admin_client_logged_in, entry, threat="lost", threat_note="Gone")
    assert admin_client_logged_in.post(url, data).status_code == 302
    entry.refresh_from_db()
    assert (entry.threat, entry.version) == ("at_risk", 2)
