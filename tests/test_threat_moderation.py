"""Contributed threat cases and events wait in the moderation queue; a moderator accepts or
declines each, once."""

import datetime
import re

import pytest
from django.test import Client

from mapapp import services
from mapapp.models import ThreatCase, ThreatEvent


@pytest.fixture
def entry(make_entry, people):
    return make_entry(name="Riverside Library", author=people["owner"])


@pytest.fixture
def pending_case(entry, people):
    return services.case_submit(
        entry=entry,
        author=people["resident"],
        data={
            "title": "Pool sale",
            "kind": "disposal",
            "opened_on": datetime.date(2024, 5, 1),
            "summary": "The council plans to sell the pool.",
            "decider_url": "https://council.example/",
            "decider_name": "Riverside Council",
        },
    )


@pytest.fixture
def pending_event(entry, people):
    case = services.case_create(
        entry=entry,
        author=people["owner"],
        data={
            "title": "Library closure",
            "kind": "closure",
            "opened_on": datetime.date(2024, 1, 1),
        },
    )
    return services.event_submit(
        case=case,
        author=people["resident"],
        data={
            "kind": "acv_nominated",
            "happened_on": datetime.date(2024, 2, 3),
            "note": "Nominated by the friends group",
            "source_url": "https://council.example/acv",
        },
    )


def queue(client):
    response = client.get("/moderation/")
    assert response.status_code == 200
    return response.content.decode()


def test_pending_cases_and_events_wait_in_the_queue_with_accept_and_decline(
    client_for, pending_case, pending_event
):
    body = queue(client_for("moderator"))
    assert "Contributed threat cases (1)" in body and "Contributed events (1)" in body
    assert "Pool sale" in body and "The council plans to sell the pool." in body
    assert "Nominated by the friends group" in body
    assert "Nominated as an Asset of Community Value" in body
    forms = re.findall(r'<form method="post" class="decision">(.*?)</form>', body, re.S)
    actions = [re.findall(r'formaction="([^"]*)"', form) for form in forms]
    assert [f"/moderation/cases/{pending_case.pk}/{v}/" for v in ("accept", "decline")] in actions
    assert [f"/moderation/events/{pending_event.pk}/{v}/" for v in ("accept", "decline")] in actions
    assert "resident@private.example" not in body


def test_an_empty_queue_says_nothing_waits(client_for, db, people):
    body = queue(client_for("moderator"))
    assert "No threat cases are waiting." in body and "No events are waiting." in body


def test_accepting_a_case_publishes_it_and_derives_the_threat(client_for, entry, pending_case):
    response = client_for("moderator").post(
        f"/moderation/cases/{pending_case.pk}/accept/", {"next": "/moderation/"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/moderation/"
    assert "“Pool sale”: accepted." in response.content.decode()
    pending_case.refresh_from_db()
    entry.refresh_from_db()
    assert pending_case.review == ThreatCase.Review.ACCEPTED and entry.threat == "at_risk"
    assert (
        f'id="case-{pending_case.pk}"' in Client().get(f"/entries/{entry.slug}/").content.decode()
    )
    # Gone from the waiting cases; the decisions log below names it.
    assert "No threat cases are waiting." in queue(client_for("moderator"))


def test_declining_a_case_keeps_it_off_the_entry_page(client_for, entry, pending_case):
    client_for("moderator").post(f"/moderation/cases/{pending_case.pk}/decline/")
    pending_case.refresh_from_db()
    assert pending_case.review == ThreatCase.Review.DECLINED
    assert "Pool sale" not in Client().get(f"/entries/{entry.slug}/").content.decode()


def test_accepting_an_event_puts_it_on_the_timeline(client_for, entry, pending_event):
    page = f"/entries/{entry.slug}/"
    assert "Nominated by the friends group" not in Client().get(page).content.decode()
    response = client_for("moderator").post(f"/moderation/events/{pending_event.pk}/accept/")
    assert response.status_code == 302
    pending_event.refresh_from_db()
    assert pending_event.review == ThreatEvent.Review.ACCEPTED
    assert "Nominated by the friends group" in Client().get(page).content.decode()


def test_deciding_twice_changes_nothing_and_says_why(client_for, pending_event):
    moderator = client_for("moderator")
    moderator.post(f"/moderation/events/{pending_event.pk}/decline/")
    response = moderator.post(f"/moderation/events/{pending_event.pk}/accept/", follow=True)
    assert "This has already been decided: it is declined." in response.content.decode()
    pending_event.refresh_from_db()
    assert pending_event.review == ThreatEvent.Review.DECLINED


def test_only_moderators_decide_and_only_by_post(client_for, pending_case, pending_event):
    for url in (
        f"/moderation/cases/{pending_case.pk}/accept/",
        f"/moderation/events/{pending_event.pk}/accept/",
    ):
        assert client_for("anonymous").post(url).status_code == 302  # to sign in
        for role in ("resident", "owner", "trusted"):
            assert client_for(role).post(url).status_code == 403, role
        assert client_for("moderator").get(url).status_code == 405
    pending_case.refresh_from_db()
    pending_event.refresh_from_db()
    assert pending_case.review == pending_event.review == ThreatCase.Review.PENDING


def test_an_unknown_action_or_item_is_refused(client_for, pending_case):
    moderator = client_for("moderator")
    assert moderator.post(f"/moderation/cases/{pending_case.pk}/publish/").status_code == 403
    assert moderator.post("/moderation/cases/999999/accept/").status_code == 404
    assert moderator.post("/moderation/events/999999/accept/").status_code == 404
    pending_case.refresh_from_db()
    assert pending_case.review == ThreatCase.Review.PENDING


def test_each_review_is_logged_as_a_moderation_decision_for_moderators_only(
    pending_case, pending_event, people
):
    from mapapp.models import ModerationDecision

    moderator = people["moderator"]
    services.contribution_review(item=pending_case, moderator=moderator, accept=True)
    services.contribution_review(item=pending_event, moderator=moderator, accept=False)
    logged = ModerationDecision.objects.filter(entry=pending_case.entry).order_by("created_at")
    assert [(d.action, d.moderator) for d in logged] == [
        ("accept_case", moderator),
        ("decline_event", moderator),
    ]
    assert "Pool sale" in logged[0].reason
    assert "Nominated as an Asset of Community Value on 2024-02-03" in logged[1].reason


def test_a_second_review_logs_nothing(pending_case, people):
    from mapapp.models import ModerationDecision

    services.contribution_review(item=pending_case, moderator=people["moderator"], accept=True)
    with pytest.raises(Exception, match="already been decided"):
        services.contribution_review(item=pending_case, moderator=people["moderator"], accept=False)
    assert ModerationDecision.objects.filter(entry=pending_case.entry).count() == 1
