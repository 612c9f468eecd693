"""Synthetic entries for benchmarks: reproducible, spread over the UK, denser in cities."""

import random
import time

from django.contrib.gis.geos import Point
from django.db import transaction

from mapapp.location import public_point_for
from mapapp.models import Category, Entry, Tag
from mapapp.services.aggregates import rebuild_aggregates

CITIES = [
    (-0.12, 51.51),
    (-1.89, 52.48),
    (-2.24, 53.48),
    (-1.55, 53.80),
    (-4.25, 55.86),
    (-2.59, 51.45),
    (-2.98, 53.41),
    (-1.47, 53.38),
    (-3.19, 55.95),
    (-1.61, 54.98),
    (-3.18, 51.48),
    (-1.15, 52.95),
    (-5.93, 54.60),
    (-1.40, 50.90),
    (1.30, 52.63),
]
UK = (-5.7, 50.1, 1.7, 58.6)
SOURCE = "Commons Map benchmark data"
BATCH = 5000


def random_point(rng):
    if rng.random() < 0.6:
        lon, lat = rng.choice(CITIES)
        return lon + rng.gauss(0, 0.25), lat + rng.gauss(0, 0.18)
    return rng.uniform(UK[0], UK[2]), rng.uniform(UK[1], UK[3])


def ensure_entries(count, log=print):
    """Make exactly `count` published benchmark entries exist (created once, then reused)."""
    have = Entry.objects.filter(source=SOURCE).count()
    if have == count:
        log(f"  {count:,} benchmark entries already present")
        return
    Entry.objects.filter(source=SOURCE).delete()
    categories = list(Category.objects.all())
    tags = [
        Tag.objects.get_or_create(slug=s, defaults={"name": s})[0]
        for s in ("parks", "food", "housing", "skills", "repair", "libraries")
    ]
    rng = random.Random(20261124)
    started = time.monotonic()
    for start in range(0, count, BATCH):
        _insert_batch(rng, start, min(BATCH, count - start), categories, tags)
        log(
            f"  created {start + BATCH if start + BATCH < count else count:,}/{count:,} entries "
            f"({time.monotonic() - started:.0f} s)"
        )
    # Bulk creation bypasses the services, so the aggregates are counted afresh once.
    rebuild_aggregates(progress=lambda message: log(f"  {message}"))


@transaction.atomic
def _insert_batch(rng, start, size, categories, tags):
    entries = []
    for n in range(start, start + size):
        lon, lat = random_point(rng)
        location = Point(lon, lat, srid=4326)
        precision = Entry.Precision.APPROXIMATE if n % 9 == 0 else Entry.Precision.EXACT
        name = f"Bench entry {n}"
        entries.append(
            Entry(
                name=name,
                slug=f"bench-entry-{n}",
                category=categories[n % len(categories)],
                summary="A synthetic entry used to measure Commons Map's speed.",
                location=location,
                precision=precision,
                public_point=public_point_for(location, precision),
                locality="Benchtown",
                status=Entry.Status.PUBLISHED,
                source=SOURCE,
                threat=("none", "at_risk", "lost")[n % 3] if n % 5 == 0 else "none",
                search_text=f"{name}\nsynthetic entry",
            )
        )
    for i, entry in enumerate(entries):
        entry.tag_slugs = tags[i % len(tags)].slug if i % 2 == 0 else ""
    created = Entry.objects.bulk_create(entries)
    through = Entry.tags.through
    links = [
        through(entry_id=e.pk, tag_id=tags[i % len(tags)].pk)
        for i, e in enumerate(created)
        if i % 2 == 0
    ]
    through.objects.bulk_create(links)
