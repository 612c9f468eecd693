"""Accounts: sign-up with email verification, display names, data download and deletion."""

import json
import re

from django.core import mail
from django.test import Client

from mapapp import services
from mapapp.models import ChangeRequest, Entry, Report


def test_sign_up_needs_a_verified_email(db):
    client = Client()
    response = client.post(
        "/accounts/signup/",
        {
            "email": "new@private.example",
            "password1": "a-long-pass-phrase-9",
            "password2": "a-long-pass-phrase-9",
        },
    )
    assert response.status_code == 302 and "confirm-email" in response["Location"]
    assert client.get("/my/entries/").status_code == 302  # not signed in until verified
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", mail.outbox[-1].body).group(0)
    response = client.post(link.split("testserver", 1)[1])
    assert response.status_code == 302
    assert client.get("/my/entries/").status_code == 200


def test_failed_sign_ins_are_rate_limited(people):
    client = Client()
    bodies = [
        client.post(
            "/accounts/login/", {"login": "resident@private.example", "password": "wrong"}
        ).content.decode()
        for _ in range(7)
    ]
    assert "Too many failed login attempts" not in bodies[0]
    assert "Too many failed login attempts" in bodies[-1]
    # Even the right password is refused while the limit holds.
    right = client.post(
        "/accounts/login/",
        {"login": "resident@private.example", "password": "correct-horse-battery"},
    )
    assert right.status_code == 200 and "Too many failed login attempts" in right.content.decode()


def test_the_display_name_is_the_only_public_trace(client_for, people, make_entry):
    client = client_for("owner")
    response = client.post("/account/", {"display_name": "Riverside Sam"})
    assert response.status_code == 302
    entry = make_entry(author=people["owner"])
    services.entry_edit(
        entry=entry, editor=people["owner"], data={"name": "New"}, expected_version=1
    )
    body = Client().get(f"/entries/{entry.slug}/history/").content.decode()
    assert "Riverside Sam" in body and "owner@private.example" not in body


def test_download_my_data_has_account_entries_reports_and_suggestions(
    client_for, people, make_entry
):
    entry = make_entry(author=people["owner"], name="Mine")
    services.report_create(entry=entry, reporter=people["owner"], kind="wrong", message="Oops")
    services.change_request_create(
        entry=entry, proposer=people["owner"], message="Fix", changes={"summary": "Better"}
    )
    response = client_for("owner").get("/account/data/")
    data = json.loads(response.content)
    assert response["Content-Disposition"].startswith("attachment")
    assert data["account"]["email"] == "owner@private.example"
    assert [e["name"] for e in data["entries"]] == ["Mine"]
    assert data["reports"][0]["message"] == "Oops"
    assert data["change_requests"][0]["changes"] == {"summary": "Better"}


def test_deleting_an_account_keeps_entries_de_identified(client_for, people, make_entry):
    entry = make_entry(author=people["owner"], name="Stays")
    services.entry_edit(
        entry=entry, editor=people["owner"], data={"name": "Stays on"}, expected_version=1
    )
    services.change_request_create(
        entry=entry, proposer=people["owner"], message="x", changes={"summary": "y"}
    )
    client = client_for("owner")
    assert client.post("/account/delete/", {"confirm": "no"}).status_code == 400
    response = client.post("/account/delete/", {"confirm": "DELETE"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.name == "Stays on" and entry.created_by is None
    assert not entry.history.filter(history_user__isnull=False).exists()
    assert ChangeRequest.objects.get().proposer is None
    assert not type(people["owner"]).objects.filter(email="owner@private.example").exists()
    assert Entry.objects.count() == 1 and Report.objects.count() == 0


def test_account_pages_need_sign_in(db):
    for path in ("/account/", "/account/data/", "/my/entries/"):
        response = Client().get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def verified(user):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def test_password_reset_sends_a_link_that_sets_a_new_password(people):
    user = verified(people["resident"])
    client = Client()
    response = client.post("/accounts/password/reset/", {"email": user.email})
    assert response.status_code == 302
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+", mail.outbox[-1].body)
    response = client.get(link.group(0).split("testserver", 1)[1], follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else None
    assert response.status_code == 200 and form_url
    response = client.post(
        form_url, {"password1": "brand-new-pass-phrase-1", "password2": "brand-new-pass-phrase-1"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("brand-new-pass-phrase-1")


def test_sign_in_and_out(people):
    verified(people["resident"])
    client = Client()
    response = client.post(
        "/accounts/login/",
        {"login": "resident@private.example", "password": "correct-horse-battery"},
    )
    assert response.status_code == 302 and response["Location"] == "/my/entries/"
    assert client.get("/my/entries/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/my/entries/").status_code == 302


def test_a_display_name_over_60_characters_is_refused(client_for, people):
    response = client_for("owner").post("/account/", {"display_name": "x" * 61})
    assert response.status_code == 400
    assert "at most 60" in " ".join(response.context["form"].errors["display_name"])


def test_signed_in_people_can_change_email_and_password(people):
    user = verified(people["resident"])
    client = Client()
    client.force_login(user)
    assert client.get("/accounts/email/").status_code == 200
    response = client.post(
        "/accounts/password/change/",
        {
            "oldpassword": "correct-horse-battery",
            "password1": "another-long-pass-phrase-2",
            "password2": "another-long-pass-phrase-2",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("another-long-pass-phrase-2")
