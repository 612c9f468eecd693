from mapapp import services
from mapapp.models import Entry


def test_pending_rejected_and_archived_entries_are_never_published(make_entry):
    published = make_entry(status="published")
    for status in ("pending", "rejected", "archived"):
        make_entry(status=status)
    assert list(Entry.objects.published()) == [published]


def test_archiving_removes_an_entry_from_the_published_set(make_entry):
    entry = make_entry()
    services.entry_archive(entry=entry)
    assert not Entry.objects.published().exists()
    assert Entry.objects.get(pk=entry.pk).status == "archived"


def test_publishing_stamps_published_at_once(make_entry):
    entry = make_entry(status="pending")
    assert entry.published_at is None
    first = services.entry_publish(entry=entry).published_at
    services.entry_archive(entry=entry)
    again = services.entry_publish(entry=entry)
    assert first is not None and again.published_at == first
