"""Entries that may be the one someone is about to add: a similar name, a few hundred metres
away, among the entries that person may see."""

from mapapp import permissions
from mapapp.models import Entry
from mapapp.reads.filters import WORD

DUPLICATE_RADIUS_M = 400


def similar_entries(name, location, *, user, exclude=None):
    """Entries user may see (published, or pending ones of their own or for moderators) with
    a similar name within a few hundred metres of their public point; each with a
    `distance_label` no finer than that point."""
    words = [w.lower() for w in WORD.findall(name) if len(w) > 2][:3]
    candidates = permissions.viewable(
        Entry.objects.exclude(status__in=[Entry.Status.REJECTED, Entry.Status.ARCHIVED]), user
    )
    nearby = candidates.near(location.x, location.y, DUPLICATE_RADIUS_M)
    if exclude:
        nearby = nearby.exclude(pk=exclude.pk)
    matches = [
        e for e in nearby.order_by("distance")[:20] if any(w in e.name.lower() for w in words)
    ][:5]
    for entry in matches:
        entry.distance_label = distance_label(entry)
    return matches


def distance_label(entry):
    """How far entry is, in words no finer than its public point."""
    # A withheld location's public point is hundreds of metres off the real place on purpose:
    # metres to it would read as a measurement of the place itself.
    if entry.precision == Entry.Precision.APPROXIMATE:
        return "nearby, location approximate"
    if entry.precision == Entry.Precision.AREA:
        return "in this area"
    return f"{entry.distance.m:.0f} m away"
