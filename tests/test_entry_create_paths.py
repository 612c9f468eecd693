"""Every new entry comes through one create path: a contributor's submission, the demo loader,
the admin and direct service calls stamp publication and record their author the same way,
and no status changes outside a logged decision."""

import pytest
from django.contrib.gis.geos import Point
from django.core.management import call_command
from django.urls import reverse

from mapapp import services
from mapapp.models import Category, ChangeRequest, Entry, ModerationDecision, Report


def entry_data(**extra):
    return {
        "name": "Hulme Community Garden",
        "category": Category.objects.get(slug="commoning"),
        "location": Point(-2.2426, 53.4668, srid=4326),
        **extra,
    }


def first_version(entry):
    return entry.history.order_by("history_id").first()


def test_a_trusted_submission_and_a_published_creation_stamp_and_record_alike(category, people):
    submitted = services.entry_submit(author=people["trusted"], data=entry_data())
    created = services.entry_create(
        author=people["trusted"], data=entry_data(status=Entry.Status.PUBLISHED)
    )
    for entry in (submitted, created):
        assert entry.status == Entry.Status.PUBLISHED and entry.published_at is not None
        record = first_version(entry)
        assert (record.history_type, record.status) == ("+", Entry.Status.PUBLISHED)
        assert record.history_user == people["trusted"]
        assert record.published_at == entry.published_at


def test_a_pending_submission_and_a_pending_creation_are_unstamped_and_recorded_alike(
    category, people
):
    submitted = services.entry_submit(author=people["resident"], data=entry_data())
    created = services.entry_create(author=people["resident"], data=entry_data())
    for entry in (submitted, created):
        assert entry.status == Entry.Status.PENDING and entry.published_at is None
        assert first_version(entry).history_user == people["resident"]
    assert not ModerationDecision.objects.exists()


def test_a_submission_cannot_choose_its_own_status_or_source(category, people):
    entry = services.entry_submit(
        author=people["resident"],
        data=entry_data(status=Entry.Status.PUBLISHED, source="Official", version=9),
    )
    assert (entry.status, entry.version) == (Entry.Status.PENDING, 1)
    assert entry.source == services.entries.CONTRIBUTED_SOURCE


def test_only_an_anonymous_submitters_email_is_kept(category, people):
    anonymous = services.entry_submit(author=None, data=entry_data(), contact_email="a@b.example")
    signed_in = services.entry_submit(
        author=people["resident"], data=entry_data(), contact_email="a@b.example"
    )
    assert (anonymous.submitter_email, signed_in.submitter_email) == ("a@b.example", "")


def test_demo_entries_are_stamped_when_created_published(db):
    call_command("load_demo", verbosity=0)
    assert not Entry.objects.published().filter(published_at__isnull=True).exists()


def test_an_entry_added_in_the_admin_is_pending_and_recorded_with_its_admin(admin_client, category):
    response = admin_client.post(
        reverse("admin:mapapp_entry_add"),
        {
            "name": "Totnes Seed Swap",
            "category": category.pk,
            "location": '{"type": "Point", "coordinates": [-3.6866, 50.4319]}',
            "precision": "exact",
            "threat": "none",
            "licence": "CC-BY-SA-4.0",
        },
    )
    assert response.status_code == 302
    entry = Entry.objects.get()
    assert (entry.status, entry.published_at) == (Entry.Status.PENDING, None)
    assert first_version(entry).history_user.username == "admin"


def test_a_direct_update_refuses_to_set_a_status(make_entry):
    entry = make_entry(status=Entry.Status.PENDING)
    with pytest.raises(ValueError, match="status"):
        services.entry_update(
            entry=entry, data={"status": Entry.Status.PUBLISHED}, expected_version=1
        )
    entry.refresh_from_db()
    assert entry.status == Entry.Status.PENDING


def test_a_suggestion_carrying_a_status_applies_without_changing_it(make_entry, people):
    """A stored suggestion edited by hand to carry a status changes the fields it may."""
    entry = make_entry(status=Entry.Status.PUBLISHED, summary="Old")
    suggestion = services.change_request_create(
        entry=entry, proposer=people["resident"], message="Fix", changes={"summary": "New"}
    )
    ChangeRequest.objects.filter(pk=suggestion.pk).update(
        changes={"summary": "New", "status": Entry.Status.ARCHIVED}
    )
    services.change_request_apply(change_request=suggestion, moderator=people["moderator"])
    entry.refresh_from_db()
    assert (entry.summary, entry.status) == ("New", Entry.Status.PUBLISHED)


def test_the_admin_cannot_close_a_report_by_hand(admin_client, make_entry):
    """Reports close in the moderation queue, which logs each decision."""
    report = services.report_create(entry=make_entry(), reporter=None, kind="wrong")
    response = admin_client.post(
        reverse("admin:mapapp_report_change", args=[report.pk]),
        {"entry": report.entry_id, "kind": "wrong", "message": "", "status": "resolved"},
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Report.Status.OPEN


def test_the_admin_cannot_apply_a_suggestion_by_hand(admin_client, make_entry):
    entry = make_entry()
    suggestion = services.change_request_create(
        entry=entry, proposer=None, message="Fix", changes={"summary": "New"}
    )
    response = admin_client.post(
        reverse("admin:mapapp_changerequest_change", args=[suggestion.pk]),
        {
            "entry": entry.pk,
            "message": "Fix",
            "changes": '{"summary": "New"}',
            "base_version": 1,
            "status": "applied",
            "contact_email": "",
        },
    )
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.status == ChangeRequest.Status.OPEN
