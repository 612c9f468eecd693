"""An Open Referral HSDS 3.0 data package of public entries: a zip of a Frictionless Tabular
Data Package descriptor (datapackage.json) and one CSV per HSDS table we can fill.

Each entry is an organization providing one service at one location (its public point), and
a phone when it has a public one. HSDS addresses need a street, a city, a state or province
and a country: a withheld entry has no public street and we keep no country, so there are no
addresses; the locality and the public postcode are in the location's description. Ids are
UUIDs derived from the entry's slug (which never changes) and the table, so they are the same
in every download. Cells are the values themselves, never quoted against spreadsheets' formulas
as the CSV downloads are: the package is for programs (a phone number starts with +).

The package is built in bounded memory: one pass over the entries writes each table to a
spooled temporary file (on disk past a megabyte), then the zip is streamed from those.
"""

import csv
import io
import json
import uuid
import zipfile
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, date, datetime
from tempfile import SpooledTemporaryFile

import orjson

from mapapp.models import Entry
from mapapp.reads.geojson import DETAIL, feature_maker, values_query
from mapapp.reads.standards import feature_record, short_description, web_url

HSDS_VERSION = "3.0"
# Every id of a table for an entry: uuid5 of "<table>/<slug>" in this namespace.
ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:commons-map:hsds")
CHUNK = 2000
SPOOL_BYTES = 1 << 20
COPY_BYTES = 1 << 16
PRECISION_NOTES = {
    Entry.Precision.APPROXIMATE: "The point is near the place, not at it: its exact location "
    "is not published.",
    Entry.Precision.AREA: "The point stands for an area: no exact location is published.",
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str = "string"
    format: str = "default"
    required: bool = False

    def descriptor(self):
        field = {"name": self.name, "type": self.type}
        if self.format != "default":
            field["format"] = self.format
        if self.name == "id":
            field["constraints"] = {"required": True, "unique": True}
        elif self.required:
            field["constraints"] = {"required": True}
        return field


@dataclass(frozen=True)
class Table:
    name: str  # HSDS's resource name
    path: str  # and its file in HSDS's own datapackage.json
    columns: tuple
    references: tuple = ()  # (column, table) pairs: foreign keys to a table's id

    def descriptor(self):
        schema = {
            "fields": [column.descriptor() for column in self.columns],
            "primaryKey": ["id"],
        }
        if self.references:
            schema["foreignKeys"] = [
                {"fields": [column], "reference": {"resource": table, "fields": ["id"]}}
                for column, table in self.references
            ]
        return {
            "name": self.name,
            "path": self.path,
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": schema,
        }


ID = Column("id", format="uuid", required=True)
TABLES = (
    Table(
        "organization",
        "organizations.csv",
        (
            ID,
            Column("name", required=True),
            Column("description", required=True),
            Column("email", format="email"),
            Column("website", format="uri"),
            Column("year_incorporated", "number"),
            Column("uri", format="uri"),
        ),
    ),
    Table(
        "service",
        "services.csv",
        (
            ID,
            Column("organization_id", format="uuid", required=True),
            Column("name", required=True),
            Column("description"),
            Column("url", format="uri"),
            Column("email", format="email"),
            Column("status", required=True),
            Column("assured_date", "date"),
            Column("last_modified", "datetime"),
        ),
        (("organization_id", "organization"),),
    ),
    Table(
        "location",
        "locations.csv",
        (
            ID,
            Column("location_type", required=True),
            Column("organization_id", format="uuid"),
            Column("name"),
            Column("description"),
            Column("latitude", "number"),
            Column("longitude", "number"),
        ),
        (("organization_id", "organization"),),
    ),
    Table(
        "service_at_location",
        "service_at_location.csv",
        (
            ID,
            Column("service_id", format="uuid", required=True),
            Column("location_id", format="uuid", required=True),
        ),
        (("service_id", "service"), ("location_id", "location")),
    ),
    Table(
        "phone",
        "phones.csv",
        (
            ID,
            Column("organization_id", format="uuid"),
            Column("number", required=True),
        ),
        (("organization_id", "organization"),),
    ),
)


def hsds_id(table, slug):
    """The stable UUID of an entry's row in an HSDS table."""
    return str(uuid.uuid5(ID_NAMESPACE, f"{table}/{slug}"))


def entry_rows(record):
    """{table name: [row dicts]} of one entry's PublicRecord."""
    properties = record.properties
    slug = properties["slug"]
    ids = {table.name: hsds_id(table.name, slug) for table in TABLES}
    founded = properties["founded_on"]
    verified = properties["verified"]
    website = web_url(properties["website"])
    # HSDS requires an organization's description; the category says what kind it is.
    description = short_description(properties) or properties["category_name"]
    rows = {
        "organization": {
            "id": ids["organization"],
            "name": properties["name"],
            "description": description,
            "email": properties["email"],
            "website": website,
            "year_incorporated": founded.year if founded else None,
            "uri": record.page_url,
        },
        "service": {
            "id": ids["service"],
            "organization_id": ids["organization"],
            "name": properties["name"],
            "description": description,
            "url": website or record.page_url,
            "email": properties["email"],
            # Published entries are the ones believed to be running.
            "status": "active",
            "assured_date": verified.date() if verified else None,
            "last_modified": properties["updated"],
        },
        "location": {
            "id": ids["location"],
            "location_type": "physical",
            "organization_id": ids["organization"],
            "name": properties["name"],
            "description": _location_description(properties),
            "latitude": record.latitude,
            "longitude": record.longitude,
        },
        "service_at_location": {
            "id": ids["service_at_location"],
            "service_id": ids["service"],
            "location_id": ids["location"],
        },
    }
    if properties["phone"]:
        rows["phone"] = {
            "id": ids["phone"],
            "organization_id": ids["organization"],
            "number": properties["phone"],
        }
    return {name: [row] for name, row in rows.items()}


def _location_description(properties):
    """Where it is in words: locality, public postcode, and how near the point is."""
    place = ", ".join(part for part in (properties["locality"], properties["postcode"]) if part)
    note = PRECISION_NOTES.get(properties["precision"], "")
    return " ".join(part for part in (place + "." if place else "", note) if part)


def package_descriptor(*, created):
    """The datapackage.json of the package (a dict)."""
    return {
        "profile": "tabular-data-package",
        "name": "commons-map-hsds",
        "title": "Commons Map entries as Open Referral HSDS",
        "description": (
            f"Published Commons Map entries in Open Referral HSDS {HSDS_VERSION} tables: each "
            "entry is an organization providing one service at one location (its public "
            "point). Each entry's licence is given with it on its Commons Map page and API."
        ),
        "created": created.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "resources": [table.descriptor() for table in TABLES],
    }


def detail_features(queryset):
    """Detail features (reads.geojson) of queryset's entries, read a chunk at a time."""
    make = feature_maker(DETAIL, geometry=orjson.loads)
    for row in values_query(queryset, DETAIL).iterator(chunk_size=CHUNK):
        yield make(row)


def package_parts(queryset, absolute, *, created):
    """The zip of the package of queryset's entries, as chunks of bytes to stream."""
    # The files go when the download ends, finished or not (a client gone closes this).
    with ExitStack() as files:
        spools = {
            table.name: _TableSpool(table, files.enter_context(SpooledTemporaryFile(SPOOL_BYTES)))
            for table in TABLES
        }
        for feature in detail_features(queryset):
            for name, rows in entry_rows(feature_record(feature, absolute)).items():
                spools[name].write(rows)
        sink = _Sink()
        with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as archive:
            descriptor = json.dumps(package_descriptor(created=created), indent=2).encode()
            archive.writestr(_member("datapackage.json", len(descriptor), created), descriptor)
            yield sink.take()
            for table in TABLES:
                yield from _copy(spools[table.name], archive, created, sink)
        yield sink.take()


def _copy(spool, archive, created, sink):
    """Stream one table's spooled CSV into the archive, a chunk of output at a time."""
    data = spool.finish()
    size = data.seek(0, io.SEEK_END)
    data.seek(0)
    with archive.open(_member(spool.table.path, size, created), "w") as member:
        while chunk := data.read(COPY_BYTES):
            member.write(chunk)
            yield sink.take()


def _member(name, size, created):
    member = zipfile.ZipInfo(name, date_time=created.astimezone(UTC).timetuple()[:6])
    member.compress_type = zipfile.ZIP_DEFLATED
    member.file_size = size  # so the archive knows whether it needs ZIP64 before writing
    member.external_attr = 0o644 << 16
    return member


class _TableSpool:
    """One table's CSV, written a batch of rows at a time to a spooled temporary file."""

    def __init__(self, table, file):
        self.table = table
        self.names = [column.name for column in table.columns]
        self.file = file
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, lineterminator="\r\n")
        self.writer.writerow(self.names)
        self.pending = 0

    def write(self, rows):
        self.writer.writerows([_cell(row.get(name)) for name in self.names] for row in rows)
        self.pending += len(rows)
        if self.pending >= CHUNK:
            self._flush()

    def _flush(self):
        self.file.write(self.buffer.getvalue().encode())
        self.buffer.seek(0)
        self.buffer.truncate()
        self.pending = 0

    def finish(self):
        self._flush()
        return self.file


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class _Sink(io.RawIOBase):
    """A write-only, unseekable file the zip is written to and its bytes taken from as they
    come (zipfile then writes each member's sizes after its data)."""

    def __init__(self):
        self.parts = []

    def writable(self):
        return True

    def write(self, data):
        self.parts.append(bytes(data))
        return len(data)

    def take(self):
        data = b"".join(self.parts)
        self.parts.clear()
        return data
