"""Who may do what with entries: the rules every view and API call asks."""

from mapapp.choices import EntryStatus

MODERATORS = "Moderators"
TRUSTED = "Trusted contributors"


def _in_group(user, name):
    if not user or not user.is_authenticated:
        return False
    cache = getattr(user, "_commons_groups", None)
    if cache is None:
        cache = set(user.groups.values_list("name", flat=True))
        user._commons_groups = cache
    return name in cache


def is_moderator(user):
    return bool(
        user and user.is_authenticated and (user.is_superuser or _in_group(user, MODERATORS))
    )


def is_trusted(user):
    """Trusted contributors (and moderators) publish their own entries without review."""
    return is_moderator(user) or _in_group(user, TRUSTED)


def is_owner(user, entry):
    return bool(user and user.is_authenticated and entry.created_by_id == user.pk)


def can_edit(user, entry):
    return is_moderator(user) or (is_owner(user, entry) and entry.status != EntryStatus.ARCHIVED)


def can_view(user, entry):
    """Published entries are public; others only to their owner and moderators."""
    return entry.is_public or is_owner(user, entry) or is_moderator(user)


def viewable(entries, user):
    """The entries of a queryset that can_view allows user, as one query."""
    if is_moderator(user):
        return entries
    if user and user.is_authenticated:
        return entries.published() | entries.filter(created_by=user)
    return entries.published()


def can_see_exact_location(user, entry):
    return entry.has_exact_location or is_owner(user, entry) or is_moderator(user)


def can_import(user):
    """Trusted contributors and moderators take in other people's lists (imports)."""
    return is_trusted(user)


def can_publish_import(user):
    """Only moderators publish an import's entries without each one being reviewed."""
    return is_moderator(user)


def viewable_runs(runs, user):
    """The import runs of a queryset user may follow: moderators all, importers their own."""
    if is_moderator(user):
        return runs
    if can_import(user):
        return runs.filter(uploaded_by=user)
    return runs.none()
