"""Mapping: which column of a list holds which entry field, and a row made into an entry's
data with the entry's own validation (the model's full_clean; no rule is declared again here).

A mapping is {column: target}. Targets are the entry's editable fields (the location aside),
`tags`, and the location's sources: `longitude` and `latitude`, `geometry` (WKT or GeoJSON
text), `place` (a town's name, used only to place the row). A row with no coordinates is
placed by its `place`, else its `locality`, through the offline gazetteer (mapapp.imports.locate).
"""

import hashlib
import re
from dataclasses import dataclass, field

import orjson
from django.core.exceptions import ValidationError

from mapapp.models import EDITABLE_FIELDS, TAGS_PER_ENTRY, Category, Entry
from mapapp.slugs import slug_for

LOCATION_SOURCES = ("longitude", "latitude", "geometry", "place")
ENTRY_TARGETS = tuple(f for f in EDITABLE_FIELDS if f != "location")
TARGETS = (*ENTRY_TARGETS, "tags", *LOCATION_SOURCES)
# Targets several columns may share: their values are joined.
SHARED_TARGETS = {"tags"}
TAG_SEPARATORS = re.compile(r"[;,|]")

# Common header names for each target, compared lower-cased with punctuation as spaces.
HEADERS = {
    "name": ["name", "title", "group", "group name", "organisation", "organization",
             "asset name", "nom"],
    "latitude": ["lat", "latitude", "y"],
    "longitude": ["lon", "lng", "long", "longitude", "x"],
    "locality": ["town", "city", "locality", "village", "neighbourhood", "ville"],
    "postcode": ["postcode", "post code", "zip", "zip code", "zipcode", "postal code", "plz"],
    "address": ["address", "street", "street address", "adresse"],
    "website": ["website", "url", "homepage", "home page", "web", "site", "link"],
    "email": ["email", "e mail", "contact email", "mail"],
    "phone": ["phone", "telephone", "tel", "phone number", "telephone number"],
    "summary": ["summary", "short description", "strapline"],
    "description": ["description", "details", "about"],
    "category": ["category", "categories", "type"],
    "tags": ["tags", "tag", "keywords"],
    "opening_times": ["opening times", "opening hours", "hours", "opening"],
    "founded_on": ["founded", "founded on", "established", "start date"],
    "geometry": ["geometry", "wkt", "geom", "the geom"],
    "precision": ["precision"],
}  # fmt: skip
ID_HEADERS = ["id", "identifier", "ref", "reference", "uid", "uuid"]


def _header_key(column):
    return " ".join(re.sub(r"[^0-9a-z]+", " ", column.lower()).split())


def guess_mapping(columns):
    """A proposed {column: target} from the columns' names; unknown names are left out."""
    wanted = {header: target for target, names in HEADERS.items() for header in names}
    mapping, taken = {}, set()
    for column in columns:
        target = wanted.get(_header_key(column))
        if target and (target not in taken or target in SHARED_TARGETS):
            mapping[column] = target
            taken.add(target)
    return mapping


def guess_id_column(columns):
    """The column that looks like the rows' own ids ("id", "ref"...), or ""."""
    return next((c for c in columns if _header_key(c) in ID_HEADERS), "")


def check_mapping(mapping, *, columns, id_column="", category=None, has_geometry=False):
    """The mapping cleaned ({column: target}, empty targets dropped), or ValidationError
    naming each problem: an unknown column or target, a target mapped twice, no name, no
    location, no category."""
    if not isinstance(mapping, dict):
        raise ValidationError({"mapping": "Give the mapping as {column: field}."})
    cleaned = {str(c): str(t).strip() for c, t in mapping.items() if t and str(t).strip()}
    problems = []
    for column, target in cleaned.items():
        if column not in columns:
            problems.append(f"Column {column!r} is not in the file: its columns are "
                            f"{', '.join(columns)}.")  # fmt: skip
        if target not in TARGETS:
            problems.append(f"{target!r} is not a field: map columns to {', '.join(TARGETS)}.")
    by_target = {}
    for column, target in cleaned.items():
        by_target.setdefault(target, []).append(column)
    for target, mapped in by_target.items():
        if len(mapped) > 1 and target not in SHARED_TARGETS:
            problems.append(f"Columns {' and '.join(map(repr, mapped))} all map to {target}: "
                            "choose one.")  # fmt: skip
    if id_column and id_column not in columns:
        problems.append(f"The id column {id_column!r} is not in the file.")
    if "name" not in by_target:
        problems.append("Map a column to name: every entry needs one.")
    problems += _location_problems(by_target, has_geometry)
    if "category" not in by_target and category is None:
        problems.append("Choose a category for every row, or map a column to category.")
    if problems:
        raise ValidationError({"mapping": problems})
    return cleaned


def _location_problems(by_target, has_geometry):
    pair = {"longitude", "latitude"} & set(by_target)
    if len(pair) == 1:
        missing = ({"longitude", "latitude"} - pair).pop()
        return [f"Map a column to {missing} too: coordinates come in pairs."]
    if pair or has_geometry or {"geometry", "place", "locality"} & set(by_target):
        return []
    return ["Map a location: longitude and latitude, a geometry, or a town (place or locality)."]


@dataclass
class MappedRow:
    """A row as entry data: the fields' values (validated), tag names and what is wrong."""

    data: dict
    tag_names: list[str] | None  # None: no column holds tags, the entry's stay as they are
    problems: dict[str, list[str]] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    cells: dict = field(default_factory=dict)  # {target: text}, before validation

    @property
    def ok(self):
        return not self.problems


class Mapper:
    """Makes rows into entry data for one run: its mapping, id column and fixed category."""

    def __init__(self, *, mapping, id_column="", category=None):
        self.mapping, self.id_column, self.category = mapping, id_column, category
        categories = list(Category.objects.all())
        self.categories = {c.slug.lower(): c for c in categories}
        self.categories.update({c.name.lower(): c for c in categories})
        self.category_choices = ", ".join(c.slug for c in categories)

    def cells(self, row):
        """{target: text} of a row, stripped; shared targets' columns joined by ";"."""
        found = {}
        for column, target in self.mapping.items():
            value = (row.cells.get(column) or "").strip()
            if target in SHARED_TARGETS and found.get(target):
                value = f"{found[target]};{value}" if value else found[target]
            found[target] = value
        return found

    def compared_keys(self):
        """The keys comparable() gives this run's rows: the mapped fields, the category, the
        location (as longitude and latitude) and precision, and tags if mapped."""
        mapped = set(self.mapping.values())
        fields = {f for f in ENTRY_TARGETS if f in mapped} | {"category", "location", "precision"}
        keys = [f for f in EDITABLE_FIELDS if f in fields]
        at = keys.index("location")
        keys[at : at + 1] = ["longitude", "latitude"]
        return [*keys, "tags"] if "tags" in mapped else keys

    def row_id(self, row):
        """The row's own id, or "" when the run has no id column (or the cell is empty)."""
        return (row.cells.get(self.id_column) or "").strip() if self.id_column else ""

    def map_row(self, row, locate):
        """The row as a MappedRow; locate(cells, geometry) gives its Located place."""
        cells = self.cells(row)
        problems = {}
        if row.problems:
            problems["row"] = list(row.problems)
        for target, text in cells.items():
            if "\x00" in text:
                problems.setdefault(target, []).append("Contains a NUL character.")
                cells[target] = text.replace("\x00", "")
        data = {target: cells.get(target, "") for target in ENTRY_TARGETS if target in cells}
        data.pop("category", None)
        category = self._category(cells.get("category", ""), problems)
        tag_names = self._tags(cells["tags"], problems) if "tags" in cells else None
        if data.get("precision"):
            data["precision"] = data["precision"].lower()
        located = locate(cells, row.geometry)
        for target, messages in located.problems.items():
            problems.setdefault(target, []).extend(messages)
        if located.precision:
            # Placed by its town: the point is the town's, whatever a column says.
            data["precision"] = located.precision
        data.pop("location", None)
        data = self._validated(data, category, located.point, problems)
        return MappedRow(data, tag_names, problems, list(located.flags), cells)

    def _category(self, text, problems):
        if not text:
            if self.category is None:
                problems.setdefault("category", []).append("No category given for this row.")
            return self.category
        for part in [text, *TAG_SEPARATORS.split(text)]:
            found = self.categories.get(part.strip().lower())
            if found:
                return found
        problems.setdefault("category", []).append(
            f"Unknown category {text!r}: use one of {self.category_choices}."
        )
        return None

    def _tags(self, text, problems):
        names = list(dict.fromkeys(n.strip() for n in TAG_SEPARATORS.split(text) if n.strip()))
        if len(names) > TAGS_PER_ENTRY:
            problems.setdefault("tags", []).append(
                f"{len(names)} tags: an entry carries at most {TAGS_PER_ENTRY}."
            )
        return names[:TAGS_PER_ENTRY]

    def _validated(self, data, category, point, problems):
        """data checked by the entry's own full_clean, with its values as the model reads
        them (a date for founded_on); problems gains the fields it refuses."""
        if not data.get("precision"):
            data["precision"] = Entry.Precision.EXACT
        entry = Entry(**data, category=category, location=point)
        # The category is one read from the database already: checking it exists is a query.
        skip = ["slug", "public_point", "category"]
        skip += ["location"] if point is None or "location" in problems else []
        try:
            entry.full_clean(exclude=skip, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                target = name if name in (*ENTRY_TARGETS, "row") else "row"
                problems.setdefault(target, []).extend(messages)
        cleaned = {name: getattr(entry, name) for name in data}
        cleaned["category"], cleaned["location"] = category, point
        return cleaned


def comparable(data, tag_names):
    """data's fields and tags (when given) as JSON-ready values, as editable_values gives an
    entry's: the category by slug, the location as longitude and latitude (7 decimals)."""
    values = {}
    for name in (f for f in EDITABLE_FIELDS if f in data):
        value = data[name]
        if name == "location":
            values["longitude"] = round(value.x, 7) if value else None
            values["latitude"] = round(value.y, 7) if value else None
        elif name == "category":
            values["category"] = value.slug if value else None
        elif name == "founded_on":
            values[name] = value.isoformat() if value else None
        else:
            values[name] = value if value is not None else ""
    if tag_names is not None:
        values["tags"] = tag_slugs(tag_names)
    return values


def tag_slugs(names):
    """The sorted slugs tags of these names have (or will have), as entries store them."""
    return sorted({slug_for(name, fallback="tag", max_length=60) for name in names})


def content_hash(values, licence):
    """A hash of a row's comparable values and licence: equal hashes, equal rows."""
    payload = orjson.dumps({"values": values, "licence": licence}, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(payload).hexdigest()
