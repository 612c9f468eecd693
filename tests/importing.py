"""Helpers for the import tests: a list uploaded and planned through the services, as the
pages and the import_entries command take it."""

import io
from pathlib import Path

from mapapp.models import ImportPlanLine
from mapapp.services import imports

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "imports"
GARDENS_MAPPING = {
    "Name": "name",
    "lat": "latitude",
    "lon": "longitude",
    "Town": "locality",
    "Category": "category",
    "Website": "website",
    "Tags": "tags",
}


def fixture(name):
    return (FIXTURES / name).read_bytes()


def upload(user, content, *, filename="list.csv", source=None, name="Gardens list", **options):
    """A run of content (bytes or text) uploaded by user, of source or a new one called name."""
    if isinstance(content, str):
        content = content.encode()
    options.setdefault("licence", "CC-BY-4.0")
    return imports.import_upload(
        user=user,
        upload=io.BytesIO(content),
        filename=filename,
        source=source,
        source_name="" if source else name,
        **options,
    )


def planned(user, content, mapping=GARDENS_MAPPING, *, id_column="id", category=None,
            publish=False, **options):  # fmt: skip
    """A run of content uploaded and planned inline; its report is run.report."""
    run = upload(user, content, **options)
    return imports.import_map(
        run=run,
        user=user,
        mapping=mapping,
        id_column=id_column,
        category=category,
        publish=publish,
        inline=True,
    )


def applied(user, run):
    """run confirmed by user and applied inline."""
    return imports.import_confirm(run=run, user=user, inline=True)


def rows(run, action=None):
    """The plan's lines in order (rows, then archived records), of one action if given."""
    lines = ImportPlanLine.objects.filter(run=run).order_by("position")
    if action is not None:
        lines = lines.filter(action=action)
    return list(lines.values_list("line", flat=True))
