"""Load Commons Map's demo entries; running it twice adds nothing new."""

from django.contrib.gis.geos import Point
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from mapapp import services
from mapapp.demo_data import demo_cases, demo_entries
from mapapp.models import Category, Entry

DEMO_SOURCE = "Commons Map demo data"


class Command(BaseCommand):
    help = (
        "Load about 60 fictional demo entries across UK towns and a dozen threat cases "
        "dated from today (idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Only load when there are no entries at all."
        )

    def handle(self, *args, if_empty=False, **options):
        if if_empty and Entry.objects.exists():
            self.stdout.write("Entries exist already; demo data not loaded.")
            return
        categories = {c.slug: c for c in Category.objects.all()}
        existing = set(Entry.objects.filter(source=DEMO_SOURCE).values_list("name", flat=True))
        created = 0
        for item in demo_entries():
            if item["name"] in existing:
                continue
            services.entry_create(
                author=None,
                data=_entry_data(item, categories),
                tag_names=item["tags"],
            )
            existing.add(item["name"])
            created += 1
        cases = _load_cases()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data: {created} entries created, {len(existing) - created} already "
                f"present; {cases} threat cases created."
            )
        )


def _load_cases():
    """The demo cases not yet on their entries (matched by title), each with its events."""
    entries = {e.name: e for e in Entry.objects.filter(source=DEMO_SOURCE)}
    created = 0
    for name, data, events in demo_cases(timezone.localdate()):
        entry = entries.get(name)
        if entry is None or entry.cases.filter(title=data["title"]).exists():
            continue
        with transaction.atomic():
            case = services.case_create(entry=entry, author=None, data=data)
            for event in events:
                services.event_create(case=case, author=None, data=event)
        created += 1
    return created


def _entry_data(item, categories):
    leave = {"longitude", "latitude", "tags"}
    data = {k: v for k, v in item.items() if k not in leave}
    data["category"] = categories[item["category"]]
    data["location"] = Point(item["longitude"], item["latitude"], srid=4326)
    data["status"] = Entry.Status.PUBLISHED
    data["source"] = DEMO_SOURCE
    return data
