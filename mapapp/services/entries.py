"""Writes to entries: creating, editing with version checks, statuses, tags and slugs."""

import itertools
import secrets

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import resolve, reverse
from django.utils import timezone

from mapapp import permissions
from mapapp.location import public_point_for
from mapapp.models import EDITABLE_FIELDS, Entry, Tag, has_visible_text
from mapapp.services import follows
from mapapp.services.aggregates import bump_version, public_change
from mapapp.slugs import slug_for

SLUG_ATTEMPTS = 50
CONTRIBUTED_SOURCE = "Contributed on Commons Map"


class StaleVersion(Exception):
    """The entry changed since the editor loaded it; their save would overwrite that."""

    def __init__(self, entry):
        super().__init__(f"Entry {entry.slug} is now at version {entry.version}.")
        self.entry = entry


def tags_from_names(names):
    """Tags for the given names, creating the ones that do not exist yet.

    Services call it inside the entry's transaction, so a failed write creates no tags."""
    tags = []
    # A tag that shows nothing (only zero-width or direction marks) would be an empty choice.
    for name in {n.strip() for n in names if has_visible_text(n)}:
        slug = slug_for(name, fallback="tag", max_length=60)
        tag, _ = Tag.objects.get_or_create(slug=slug, defaults={"name": name[:60]})
        tags.append(tag)
    return tags


def entry_create(*, author, data, tag_names=(), submitter_email="", editor=None):
    """Create an entry with a unique slug, pending unless data gives another status.

    The one way an entry comes to exist: the first version is recorded with its editor
    (author unless editor is given: an import's entries have no owner, but the person who
    confirmed it), and an entry created published is stamped published_at, as a decision
    would."""
    entry = Entry(created_by=author, submitter_email=submitter_email, **data)
    return _insert(entry, tag_names, editor=editor or author)


def _insert(entry, tag_names, *, editor):
    entry._history_user = editor
    _stamp_publication(entry, editor)
    # New tags are created in the entry's transaction: a submission that fails validation
    # rolls them back instead of leaving orphans behind.
    with transaction.atomic():
        tags = tags_from_names(tag_names)
        _refresh_derived(entry, tags)
        entry.full_clean(exclude=["slug"])
        _save_with_unique_slug(entry)
        entry.tags.set(tags)
        public_change([entry.pk])
        if entry.status == Entry.Status.PUBLISHED:
            follows.announce_published(entry)
    return entry


def _stamp_publication(entry, editor):
    if entry.status != Entry.Status.PUBLISHED:
        return
    now = timezone.now()
    # Stamped once: an entry archived and published again keeps its first publication date.
    if entry.published_at is None:
        entry.published_at = now
    # Every publication, a first one or a return from the archive, is a check that the place
    # runs: by a moderator, or by a trusted owner publishing their own entry (no editor: an
    # import or the admin, moderators' tools). It answers any reminders waiting.
    owner = editor is not None and not permissions.is_moderator(editor)
    entry.verified_at = now
    entry.verified_by = Entry.VerifiedBy.OWNER if owner else Entry.VerifiedBy.MODERATOR
    entry.unverified, entry.reminders_sent, entry.reminded_at = False, 0, None


def entry_update(*, entry, data, expected_version, tag_names=None, editor=None):
    """Apply data to entry unless someone else saved it since expected_version.

    tag_names=None keeps the entry's tags; a list replaces them (creating new tags). Only
    editable fields change here: a status changes through entry_moderate, which logs why."""
    undecided = set(data) - {*EDITABLE_FIELDS, "category_id"}
    if undecided:
        raise ValueError(f"entry_update does not set {', '.join(sorted(undecided))}.")
    with transaction.atomic():
        # Lock the row: two editors can save the same entry at once.
        current = Entry.objects.select_for_update().get(pk=entry.pk)
        if current.version != expected_version:
            raise StaleVersion(current)
        current._history_user = editor
        for field, value in data.items():
            setattr(current, field, value)
        tags = list(current.tags.all()) if tag_names is None else tags_from_names(tag_names)
        _refresh_derived(current, tags)
        current.full_clean()
        current.version += 1
        current.save()
        current.tags.set(tags)
        public_change([current.pk])
        follows.announce_edit(current)
    return current


def entry_save_from_admin(*, entry, editor, expected_version=None):
    """Save an entry edited in the admin: a new one gets its slug, an edit is refused with
    StaleVersion if someone saved the entry since the admin loaded expected_version."""
    if entry.pk is None:
        # The admin saves the chosen tags after this; the entry starts pending like any other.
        entry.created_by = editor
        return _insert(entry, (), editor=editor)
    entry._history_user = editor
    _refresh_derived(entry, list(entry.tags.all()))
    with transaction.atomic():
        # Lock the row: an editor or moderator can save the same entry at the same moment.
        current = Entry.objects.select_for_update().get(pk=entry.pk)
        if current.version != expected_version:
            raise StaleVersion(current)
        # Status and publication change only through decisions (entry_moderate), never here.
        entry.status, entry.published_at = current.status, current.published_at
        entry.version = current.version + 1
        entry.save()
        public_change([entry.pk])
        follows.announce_edit(entry)
    return entry


# What a publication sets besides the status (_stamp_publication).
PUBLICATION_CHECK = ["verified_at", "verified_by", "unverified", "reminders_sent", "reminded_at"]


def entry_set_status(*, entry, status, editor=None):
    """Move entry, a row the caller has locked and checked (entry_moderate), to a moderation
    status; publishing stamps published_at once."""
    entry._history_user = editor
    entry.status = status
    _stamp_publication(entry, editor)
    entry.version += 1
    fields = ["status", "published_at", "version", "updated_at", *PUBLICATION_CHECK]
    entry.save(update_fields=fields)
    public_change([entry.pk])
    follows.announce_status(entry)
    return entry


def entry_refresh_tags(*, entry):
    """Recompute the words and tag list stored on an entry after its tags changed."""
    _refresh_derived(entry, list(entry.tags.all()))
    with transaction.atomic():
        Entry.objects.filter(pk=entry.pk).update(
            search_text=entry.search_text, tag_slugs=entry.tag_slugs
        )
        public_change([entry.pk])


def tag_save(*, tag):
    """Save a tag and refresh the entries that carry it (their stored words and slugs)."""
    with transaction.atomic():
        tag.full_clean()
        tag.save()
        for entry in tag.entries.all():
            entry_refresh_tags(entry=entry)
        bump_version()  # the tag's name is read even where no entry carries it
    return tag


def category_save(*, category):
    """Save a category: its name, colour and icon are part of every public read."""
    with transaction.atomic():
        category.full_clean()
        category.save()
        bump_version()
    return category


def _refresh_derived(entry, tags):
    if entry.location is not None:
        entry.public_point = public_point_for(entry.location, entry.precision)
    words = [entry.name, entry.summary, entry.description, entry.locality]
    words += [tag.name for tag in tags]
    entry.search_text = "\n".join(w for w in words if w)
    entry.tag_slugs = " ".join(sorted(tag.slug for tag in tags))


def _reaches_its_page(slug):
    # An entry named "New" must not take the slug "new": /entries/new/ is the add form, so
    # its own page could never be opened.
    return resolve(reverse("entry-detail", args=[slug])).url_name == "entry-detail"


def _save_with_unique_slug(entry):
    base = slug_for(entry.name, fallback="entry", max_length=200)
    numbered = [base] + [f"{base}-{n}" for n in range(2, SLUG_ATTEMPTS + 1)]
    numbered = [slug for slug in numbered if _reaches_its_page(slug)]
    taken = set(Entry.objects.filter(slug__in=numbered).values_list("slug", flat=True))
    # After the readable numbers, random suffixes: a popular name never runs out of slugs.
    randoms = (f"{base}-{secrets.token_hex(4)}" for _ in range(SLUG_ATTEMPTS))
    for slug in itertools.chain((s for s in numbered if s not in taken), randoms):
        entry.slug = slug
        try:
            # A savepoint, so losing a race for the slug leaves the transaction usable.
            with transaction.atomic():
                entry.save()
            return
        except IntegrityError:
            if not Entry.objects.filter(slug=slug).exists():
                raise
    raise IntegrityError(f"No free slug for {entry.name!r}.")


def entry_submit(*, author, data, tag_names=(), contact_email=""):
    """A contributor's new entry: published at once for trusted contributors, else pending."""
    trusted = permissions.is_trusted(author)
    data = {
        **editable_data(data),
        "status": Entry.Status.PUBLISHED if trusted else Entry.Status.PENDING,
        "source": CONTRIBUTED_SOURCE,
    }
    return entry_create(
        author=author,
        data=data,
        tag_names=tag_names,
        # An account is reached through its own address; only an anonymous suggester's is kept.
        submitter_email="" if author else contact_email,
    )


def entry_edit(*, entry, editor, data, expected_version, tag_names=None):
    """An owner's or moderator's direct edit, refused for anyone else."""
    if not permissions.can_edit(editor, entry):
        raise PermissionDenied("Only the entry's owner or a moderator can edit it directly.")
    return entry_update(
        entry=entry,
        data=editable_data(data),
        expected_version=expected_version,
        tag_names=tag_names,
        editor=editor,
    )


def editable_data(data):
    """The part of data that contributors may set: never status, slug, version or owner."""
    return {k: v for k, v in data.items() if k in EDITABLE_FIELDS}
