"""Adding entries: residents, trusted contributors and anonymous suggestions, with bad input."""

import pytest
from django.core import mail
from django.test import Client

from mapapp.models import Entry
from mapapp.web.errors import wait_in_words


def post_new(client, data):
    return client.post("/entries/new/", data)


def test_the_form_page_has_a_map_picker_and_explains_precision(client_for):
    body = client_for("resident").get("/entries/new/").content.decode()
    assert 'id="picker-map"' in body and "picker.js" in body
    assert "a few hundred metres away" in body and "Only the area" in body


def test_a_residents_entry_waits_for_review(client_for, people, entry_form):
    response = post_new(client_for("resident"), entry_form)
    assert response.status_code == 302 and response["Location"] == "/my/entries/"
    entry = Entry.objects.get()
    assert entry.status == "pending" and entry.created_by == people["resident"]
    assert sorted(entry.tags.values_list("slug", flat=True)) == ["food", "growing"]
    assert not Entry.objects.published().exists()


def test_a_trusted_contributors_entry_is_published_at_once(client_for, entry_form):
    response = post_new(client_for("trusted"), entry_form)
    entry = Entry.objects.get()
    assert entry.status == "published" and entry.published_at
    assert response["Location"] == f"/entries/{entry.slug}/"


def test_my_entries_lists_the_submitters_entries_with_status(client_for, entry_form):
    client = client_for("resident")
    post_new(client, entry_form)
    body = client.get("/my/entries/").content.decode()
    assert "Hulme Community Garden" in body and "Pending review" in body


def test_anonymous_visitors_can_suggest_an_entry_with_a_private_contact(entry_form, db):
    client = Client()
    response = post_new(client, {**entry_form, "contact_email": "me@private.example"})
    assert response.status_code == 302
    entry = Entry.objects.get()
    assert entry.status == "pending" and entry.created_by is None
    assert entry.submitter_email == "me@private.example"


def test_anonymous_suggestions_can_be_turned_off(entry_form, db, settings):
    settings.ALLOW_ANONYMOUS_SUGGESTIONS = False
    response = post_new(Client(), entry_form)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Entry.objects.exists()


def test_the_honeypot_rejects_bots(entry_form, db):
    response = post_new(Client(), {**entry_form, "nickname": "bot"})
    assert response.status_code == 400 and not Entry.objects.exists()


def test_anonymous_suggestions_are_rate_limited_per_address(entry_form, db, settings):
    settings.ANONYMOUS_SUBMISSIONS_PER_HOUR = 2
    client = Client()
    responses = [
        post_new(client, {**entry_form, "name": f"Garden {n}", "longitude": str(-2.0 - n)})
        for n in range(3)
    ]
    assert [r.status_code for r in responses] == [302, 302, 429]
    assert Entry.objects.count() == 2
    limited = responses[-1]
    wait = wait_in_words(int(limited["Retry-After"]))
    assert f"try again in {wait}." in limited.content.decode()


def test_a_similar_entry_nearby_is_offered_before_saving(client_for, make_entry, entry_form):
    existing = make_entry(name="Hulme Garden", lon=-2.2430, lat=53.4670)
    client = client_for("resident")
    response = post_new(client, entry_form)
    body = response.content.decode()
    assert response.status_code == 200 and "Is it one of these?" in body
    assert f"/entries/{existing.slug}/" in body
    assert Entry.objects.count() == 1
    response = post_new(client, {**entry_form, "confirm_new": "on"})
    assert response.status_code == 302 and Entry.objects.count() == 2


def test_preview_shows_the_entry_without_saving(client_for, entry_form):
    response = post_new(client_for("resident"), {**entry_form, "preview": "1"})
    assert response.status_code == 200 and "Preview" in response.content.decode()
    assert not Entry.objects.exists()


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("longitude", "200", "less than or equal to 180"),
        ("latitude", "-91", "greater than or equal to -90"),
        ("latitude", "north", "Enter a number"),
        ("name", "   ", "required"),
        ("name", "x" * 201, "at most 200"),
        ("summary", "x" * 281, "at most 280"),
        ("website", "not a url", "valid URL"),
        ("email", "nobody@", "valid email"),
        ("category", "nonsense", "valid choice"),
        ("precision", "roughly", "valid choice"),
        ("tags", ",".join(f"t{n}" for n in range(11)), "at most 10 tags"),
        ("description", "x" * 10001, "at most 10000"),
    ],
)
def test_bad_input_on_each_field_gets_a_message_and_saves_nothing(
    client_for, entry_form, field, value, message
):
    response = post_new(client_for("resident"), {**entry_form, field: value})
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not Entry.objects.exists()


def test_html_in_text_fields_is_stored_and_shown_as_text(client_for, entry_form):
    name = "<b>Bold</b> <script>alert(1)</script>"
    post_new(client_for("trusted"), {**entry_form, "name": name, "description": "<i>x</i>"})
    entry = Entry.objects.get()
    assert entry.name == name
    body = Client().get(f"/entries/{entry.slug}/").content.decode()
    assert "<script>alert(1)</script>" not in body and "&lt;b&gt;Bold&lt;/b&gt;" in body


def test_forms_enforce_csrf(people, entry_form):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["resident"])
    assert client.post("/entries/new/", entry_form).status_code == 403
    assert not Entry.objects.exists()


def test_a_ten_megabyte_body_is_refused(client_for, entry_form):
    response = post_new(client_for("resident"), {**entry_form, "description": "x" * 10_000_000})
    assert response.status_code == 400
    assert not Entry.objects.exists()


def test_rejection_emails_the_submitter_with_the_reason(client_for, entry_form, people):
    post_new(client_for("resident"), entry_form)
    entry = Entry.objects.get()
    response = client_for("moderator").post(
        f"/moderation/entries/{entry.slug}/reject/", {"reason": "Not a commons initiative."}
    )
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["resident@private.example"]
    assert "Not a commons initiative." in mail.outbox[-1].body


@pytest.mark.parametrize(
    "role,path",
    [
        ("resident", "/entries/{slug}/report/"),
        ("resident", "/entries/{slug}/suggest/"),
        ("owner", "/entries/{slug}/edit/"),
        ("moderator", "/moderation/entries/{slug}/archive/"),
        ("owner", "/account/"),
        ("owner", "/account/token/"),
        ("owner", "/account/delete/"),
    ],
)
def test_every_form_enforces_csrf(people, make_entry, role, path):
    entry = make_entry(author=people["owner"])
    client = Client(enforce_csrf_checks=True)
    client.force_login(people[role])
    response = client.post(path.format(slug=entry.slug), {"kind": "closed", "confirm": "DELETE"})
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.status == "published" and not entry.reports.exists()
    assert type(people["owner"]).objects.filter(pk=people["owner"].pk).exists()
