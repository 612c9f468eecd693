"""Benchmark: one new entry in an area 10,000 people follow. The publication must not wait for
them: it queues one job, whatever the number of followers. The job (tell_followers) makes a
notification per follower and queues the immediate ones' emails.

    BENCH_DATABASE_URL=postgis://postgres@127.0.0.1:5432/commons_bench_fanout \\
        .venv/bin/python bench/bench_fanout.py --followers 10000

In process, on its own database (created and filled on the first run). Prints the median time
of a publication with no follower and with --followers of the area (alternated, so both meet
the machine in the same state) and their ratio (target: ≤ 1.5, the request does not wait), then
the fan-out job's time and its cost per follower.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_api import setup_django  # noqa: E402

BRISTOL = (-2.70, 51.40, -2.50, 51.52)
ELSEWHERE = (-1.60, 53.75, -1.45, 53.85)  # Leeds: nobody follows it
TARGET_RATIO = 1.5


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followers", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=15, help="publications of each kind")
    return parser.parse_args()


def ensure_followers(count):
    from django.contrib.auth import get_user_model
    from django.contrib.gis.geos import Polygon

    from mapapp.models import Follow

    have = Follow.objects.filter(area__isnull=False).count()
    if have >= count:
        return
    users = get_user_model()
    area = Polygon.from_bbox(BRISTOL)
    print(f"  creating {count - have:,} followers of one area", flush=True)
    made = users.objects.bulk_create(
        [
            users(username=f"follower{n}", email=f"follower{n}@bench.example")
            for n in range(have, count)
        ],
        batch_size=2000,
    )
    Follow.objects.bulk_create(
        [
            Follow(user=u, area=area, frequency=("immediate", "daily")[n % 2])
            for n, u in enumerate(made)
        ],
        batch_size=2000,
    )


def moderator():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user, _ = get_user_model().objects.get_or_create(username="bench-moderator")
    user.groups.add(Group.objects.get_or_create(name="Moderators")[0])
    return user


def publication(box, mod, n):
    """Time of entry_moderate(PUBLISH) on a new pending entry in box, in ms."""
    from django.contrib.gis.geos import Point

    from mapapp import services
    from mapapp.models import Category, Entry, ModerationDecision

    lon = box[0] + (box[2] - box[0]) * ((n * 37) % 100) / 100
    lat = box[1] + (box[3] - box[1]) * ((n * 61) % 100) / 100
    entry = services.entry_create(
        author=None,
        data={
            "name": f"Fan-out bench {n}",
            "category": Category.objects.get(slug="commoning"),
            "location": Point(lon, lat, srid=4326),
            "status": Entry.Status.PENDING,
        },
    )
    started = time.perf_counter()
    services.entry_moderate(entry=entry, moderator=mod, action=ModerationDecision.Action.PUBLISH)
    return (time.perf_counter() - started) * 1000, entry


def main():
    args = parse_args()
    setup_django("postgis")
    from django.db import connection
    from django_q.models import OrmQ

    from mapapp.models import Notification
    from mapapp.services import follows
    from tests.conftest import ensure_categories

    ensure_categories()
    ensure_followers(args.followers)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    mod = moderator()
    name = connection.settings_dict["NAME"]
    print(f"== Fan-out benchmark (PostGIS {name}, {args.followers:,} followers of one area)")
    alone, followed, fanouts = [], [], []
    for n in range(args.runs):
        took, _ = publication(ELSEWHERE, mod, 2 * n)
        alone.append(took)
        took, entry = publication(BRISTOL, mod, 2 * n + 1)
        followed.append(took)
        queued = OrmQ.objects.count()
        started = time.perf_counter()
        told = follows.tell_followers("published", entry.pk, f"bench:{entry.pk}:{n}")
        fanouts.append((time.perf_counter() - started) * 1000)
        assert told == args.followers, (told, args.followers)
        assert OrmQ.objects.count() - queued == args.followers // 2 + args.followers % 2
        OrmQ.objects.all().delete()
        Notification.objects.all().delete()
    a, f, j = (statistics.median(x) for x in (alone, followed, fanouts))
    ratio = f / a
    print(f"  publication, nobody following:      {a:8.1f} ms (median of {args.runs})")
    print(f"  publication, {args.followers:,} following the area: {f:8.1f} ms")
    verdict = "met" if ratio <= TARGET_RATIO else "MISSED"
    print(f"  ratio {ratio:.2f} (target ≤ {TARGET_RATIO}: {verdict}): the request queues one job")
    print(
        f"  fan-out job: {j:,.0f} ms for {args.followers:,} notifications and "
        f"{args.followers // 2:,} queued emails ({j * 1000 / args.followers:.0f} µs a follower)"
    )


if __name__ == "__main__":
    main()
