"""Query parameters of the entries API: parsed once, each problem named by its parameter."""

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.conf import settings
from django.utils.dateparse import parse_date, parse_datetime
from rest_framework.exceptions import ValidationError

from mapapp.models import Category, Entry, Tag

ORDERINGS = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "updated": ("updated_at", "id"),
    "-updated": ("-updated_at", "-id"),
    "distance": None,  # only with near; ordered by the computed distance
}
FORMATS = {"geojson", "csv"}
LIST_PARAMS = {
    "bbox",
    "category",
    "tag",
    "threat",
    "q",
    "near",
    "radius",
    "updated_since",
    "ordering",
    "limit",
    "offset",
    "format",
}
CLUSTER_PARAMS = {"bbox", "category", "tag", "threat", "q", "updated_since", "zoom"}
MAX_ZOOM = 20
# Cells a map tile (256 px) is cut into when clustering: cells of 64 px at any zoom.
CELLS_PER_TILE = 4
MAX_RADIUS_METRES = 200_000
WORD = re.compile(r"\w+", re.UNICODE)


@dataclass
class EntryFilters:
    bbox: tuple | None = None
    categories: list = field(default_factory=list)
    tags: list = field(default_factory=list)
    threats: list = field(default_factory=list)
    words: list = field(default_factory=list)
    near: tuple | None = None
    radius: float | None = None
    updated_since: datetime | None = None
    ordering: str = "name"
    limit: int = 0
    offset: int = 0
    format: str = "json"


def parse_entry_filters(query, *, allowed=LIST_PARAMS):
    """Parse a QueryDict into EntryFilters, raising ValidationError naming every bad one."""
    errors = {}
    unknown = sorted(set(query) - allowed)
    if unknown:
        takes = f"Allowed: {', '.join(sorted(allowed))}." if allowed else "It takes none."
        errors["unknown"] = [f"Unknown parameter(s): {', '.join(unknown)}. {takes}"]
    filters = EntryFilters(limit=settings.API_DEFAULT_LIMIT)
    for name, parse in PARSERS.items():
        if name not in query:
            continue
        try:
            parse(filters, query)
        except ValueError as exc:
            errors[name] = [str(exc)]
    if "near" in allowed:
        _check_combinations(filters, query, errors)
    if errors:
        raise ValidationError(errors)
    return filters


def entries_matching(filters):
    """Published entries narrowed by parsed EntryFilters, in the requested order."""
    entries = Entry.objects.published()
    if filters.bbox:
        entries = entries.in_bbox(filters.bbox)
    if filters.categories:
        entries = entries.in_categories(filters.categories)
    if filters.tags:
        entries = entries.with_any_tag(filters.tags)
    if filters.threats:
        entries = entries.with_threat(filters.threats)
    if filters.words:
        entries = entries.search(filters.words)
    if filters.updated_since:
        entries = entries.updated_since(filters.updated_since)
    if filters.near:
        entries = entries.near(*filters.near, filters.radius)
    order = ORDERINGS[filters.ordering] or ("distance", "id")
    return entries.order_by(*order)


def _single(query, name):
    values = query.getlist(name)
    if len(values) > 1:
        raise ValueError(f"Give {name} once, not {len(values)} times.")
    value = values[0].strip()
    if not value:
        raise ValueError(f"{name} is empty.")
    return value


def _multi(query, name):
    """Values of a repeatable parameter that also accepts comma lists."""
    values = [v.strip() for raw in query.getlist(name) for v in raw.split(",")]
    values = [v for v in values if v]
    if not values:
        raise ValueError(f"{name} is empty.")
    return values


def _numbers(text, name, count):
    parts = text.split(",")
    if len(parts) != count:
        raise ValueError(f"{name} needs {count} comma-separated numbers, got {len(parts)}.")
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        raise ValueError(f"{name} must contain only numbers.") from None
    if not all(math.isfinite(n) for n in numbers):
        raise ValueError(f"{name} must contain finite numbers (no NaN or Infinity).")
    return numbers


def _check_lon_lat(lon, lat, name):
    if not -180 <= lon <= 180:
        raise ValueError(f"{name}: longitude {lon:g} is outside -180..180.")
    if not -90 <= lat <= 90:
        raise ValueError(f"{name}: latitude {lat:g} is outside -90..90.")


def parse_bbox(text, name="bbox"):
    """minLon,minLat,maxLon,maxLat in EPSG:4326; raises ValueError on anything else."""
    min_lon, min_lat, max_lon, max_lat = _numbers(text, name, 4)
    _check_lon_lat(min_lon, min_lat, name)
    _check_lon_lat(max_lon, max_lat, name)
    if min_lon > max_lon:
        raise ValueError(f"{name}: minimum longitude {min_lon:g} is greater than the maximum.")
    if min_lat > max_lat:
        raise ValueError(f"{name}: minimum latitude {min_lat:g} is greater than the maximum.")
    return (min_lon, min_lat, max_lon, max_lat)


def _bbox(filters, query):
    filters.bbox = parse_bbox(_single(query, "bbox"))


def _category(filters, query):
    wanted = _multi(query, "category")
    known = set(Category.objects.filter(slug__in=wanted).values_list("slug", flat=True))
    missing = [w for w in wanted if w not in known]
    if missing:
        raise ValueError(f"Unknown category: {', '.join(missing)}. See /api/v1/categories/.")
    filters.categories = wanted


def _tag(filters, query):
    wanted = _multi(query, "tag")
    known = set(
        Tag.objects.in_use_publicly().filter(slug__in=wanted).values_list("slug", flat=True)
    )
    missing = [w for w in wanted if w not in known]
    if missing:
        raise ValueError(f"Unknown tag: {', '.join(missing)}. See /api/v1/tags/.")
    filters.tags = wanted


def _threat(filters, query):
    wanted = _multi(query, "threat")
    valid = set(Entry.Threat.values)
    wrong = [w for w in wanted if w not in valid]
    if wrong:
        raise ValueError(f"Unknown threat: {', '.join(wrong)}. Use {', '.join(sorted(valid))}.")
    filters.threats = wanted


def _q(filters, query):
    text = _single(query, "q")
    if len(text) > 200:
        raise ValueError("q is longer than 200 characters.")
    words = [w.lower() for w in WORD.findall(text)][:10]
    if not words:
        raise ValueError("q contains no words to search for.")
    filters.words = words


def _near(filters, query):
    lon, lat = _numbers(_single(query, "near"), "near", 2)
    _check_lon_lat(lon, lat, "near")
    filters.near = (lon, lat)


def _radius(filters, query):
    text = _single(query, "radius")
    try:
        radius = float(text)
    except ValueError:
        raise ValueError(f"radius must be a number of metres, not {text!r}.") from None
    if not math.isfinite(radius) or radius <= 0:
        raise ValueError("radius must be a positive number of metres.")
    if radius > MAX_RADIUS_METRES:
        raise ValueError(f"radius may be at most {MAX_RADIUS_METRES} metres.")
    filters.radius = radius


def parse_when(text, name):
    """An ISO 8601 date or date-time; naive values are taken as UTC."""
    try:
        when = parse_datetime(text)
        if when is None:
            day = parse_date(text)
            when = datetime(day.year, day.month, day.day) if day else None
    except ValueError:
        when = None
    if when is None:
        raise ValueError(f"{name} must be an ISO 8601 date or date-time, not {text!r}.")
    if when.tzinfo is None:
        return when.replace(tzinfo=UTC)
    # In UTC: databases refuse some offsets Python accepts (PostgreSQL stops near ±16 hours).
    try:
        return when.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{name} is out of range (years 1 to 9999 in UTC).") from None


def _updated_since(filters, query):
    filters.updated_since = parse_when(_single(query, "updated_since"), "updated_since")


def _ordering(filters, query):
    value = _single(query, "ordering")
    if value not in ORDERINGS:
        raise ValueError(f"Unknown ordering {value!r}. Use one of {', '.join(ORDERINGS)}.")
    filters.ordering = value


def parse_int(text, name, *, minimum, maximum):
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {text!r}.") from None
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}.")
    if value > maximum:
        raise ValueError(f"{name} may be at most {maximum}.")
    return value


def _limit(filters, query):
    filters.limit = parse_int(
        _single(query, "limit"), "limit", minimum=1, maximum=settings.API_MAX_LIMIT
    )


def _offset(filters, query):
    filters.offset = parse_int(_single(query, "offset"), "offset", minimum=0, maximum=10**9)


def _format(filters, query):
    value = _single(query, "format")
    if value not in FORMATS | {"json"}:
        raise ValueError(f"Unknown format {value!r}. Use geojson or csv.")
    filters.format = value


def _check_combinations(filters, query, errors):
    if "near" in query and "radius" not in query and "near" not in errors:
        errors["radius"] = ["radius (metres) is required with near."]
    if "radius" in query and "near" not in query and "radius" not in errors:
        errors["near"] = ["near=lon,lat is required with radius."]
    if filters.ordering == "distance" and "near" not in query and "ordering" not in errors:
        errors["ordering"] = ["ordering=distance needs near=lon,lat and radius."]
    if "ordering" not in query and filters.near:
        filters.ordering = "distance"


PARSERS = {
    "bbox": _bbox,
    "category": _category,
    "tag": _tag,
    "threat": _threat,
    "q": _q,
    "near": _near,
    "radius": _radius,
    "updated_since": _updated_since,
    "ordering": _ordering,
    "limit": _limit,
    "offset": _offset,
    "format": _format,
}


def parse_cluster_query(query):
    """EntryFilters plus the cell size in degrees for zoom, naming every bad parameter."""
    errors = {}
    try:
        filters = parse_entry_filters(query, allowed=CLUSTER_PARAMS)
    except ValidationError as exc:
        errors = dict(exc.detail)
    if "zoom" not in query:
        errors["zoom"] = [f"zoom (0..{MAX_ZOOM}, the map's zoom level) is required."]
    else:
        try:
            zoom = parse_int(_single(query, "zoom"), "zoom", minimum=0, maximum=MAX_ZOOM)
        except ValueError as exc:
            errors["zoom"] = [str(exc)]
    if errors:
        raise ValidationError(errors)
    return filters, 360 / 2**zoom / CELLS_PER_TILE
