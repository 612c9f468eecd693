from mapapp import services
from mapapp.models import Entry, ModerationDecision

PUBLISH, ARCHIVE = ModerationDecision.Action.PUBLISH, ModerationDecision.Action.ARCHIVE


def test_pending_rejected_and_archived_entries_are_never_published(make_entry):
    published = make_entry(status="published")
    for status in ("pending", "rejected", "archived"):
        make_entry(status=status)
    assert list(Entry.objects.published()) == [published]


def test_archiving_removes_an_entry_from_the_published_set(make_entry, people):
    entry = make_entry()
    services.entry_moderate(entry=entry, moderator=people["moderator"], action=ARCHIVE)
    assert not Entry.objects.published().exists()
    assert Entry.objects.get(pk=entry.pk).status == "archived"


def test_publishing_stamps_published_at_once(make_entry, people):
    entry = make_entry(status="pending")
    assert entry.published_at is None
    moderator = people["moderator"]
    first = services.entry_moderate(entry=entry, moderator=moderator, action=PUBLISH).published_at
    services.entry_moderate(entry=entry, moderator=moderator, action=ARCHIVE)
    again = services.entry_moderate(entry=entry, moderator=moderator, action=PUBLISH)
    assert first is not None and again.published_at == first


def test_status_changes_have_no_back_door_around_the_moderation_decision():
    """Publishing or archiving is a moderator's decision: services offers no way around it."""
    for name in ("entry_publish", "entry_archive", "entry_set_status"):
        assert not hasattr(services, name), name
