"""Load Commons Map's demo entries; running it twice adds nothing new."""

from datetime import timedelta

from django.contrib.gis.geos import Point
from django.core.management.base import BaseCommand
from django.utils import timezone

from mapapp import services
from mapapp.demo_data import demo_entries
from mapapp.models import Category, Entry, ThreatCase

DEMO_SOURCE = "Commons Map demo data"


class Command(BaseCommand):
    help = "Load about 60 fictional demo entries across UK towns (idempotent)."

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
            entry = services.entry_create(
                author=None,
                data=_entry_data(item, categories),
                tag_names=item["tags"],
            )
            if item["threat"] != Entry.Threat.NONE:
                _open_case(entry, item)
            existing.add(item["name"])
            created += 1
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data: {created} entries created, {len(existing) - created} already present."
            )
        )


def _open_case(entry, item):
    lost = item["threat"] == Entry.Threat.LOST
    today = timezone.localdate()
    services.case_create(
        entry=entry,
        author=None,
        data={
            "title": item["threat_note"],
            "kind": ThreatCase.Kind.CLOSURE,
            "status": ThreatCase.Status.LOST if lost else ThreatCase.Status.ACTIVE,
            "opened_on": today - timedelta(days=120),
            "closed_on": today - timedelta(days=10) if lost else None,
        },
    )


def _entry_data(item, categories):
    leave = {"longitude", "latitude", "tags", "threat", "threat_note"}
    data = {k: v for k, v in item.items() if k not in leave}
    data["category"] = categories[item["category"]]
    data["location"] = Point(item["longitude"], item["latitude"], srid=4326)
    data["status"] = Entry.Status.PUBLISHED
    data["source"] = DEMO_SOURCE
    return data
