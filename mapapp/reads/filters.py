"""How a query string becomes filters on published entries: one vocabulary, one parser.

Every door speaks it — the list page (/entries/), the REST API (/api/v1/entries/, clusters),
OGC API items and the map's own address (static/mapapp/js/filterquery.js) — so a list URL, a
map URL and an API URL with the same filters select the same entries. The filter parameters:

    bbox=minLon,minLat,maxLon,maxLat   category=a,b (or repeated)   tag=a,b (or repeated)
    threat=none,at_risk,lost           q=words                      near=lon,lat&radius=metres
    updated_since=ISO 8601             ordering=name|-name|updated|-updated|distance
    datetime=start/end                 (OGC's interval on the last update; either end '..')
    case_kind=closure,disposal,…       case_status=active,saved,lost,withdrawn
    deadline_within=days               deadline_before=YYYY-MM-DD (an active case's next deadline)
    verified_within=days               (last verified at most this many days ago; 365: a year)

The case filters select entries with a public threat case matching all of them; the threats
API (/api/v1/threats/) lists those cases themselves, with `kind` and `status` as the shorter
names of case_kind and case_status (CASE_ALIASES).

Old addresses keep working in every door: `threat=1|on|true` (the map's and the list's
checkbox) means at_risk and lost, `threat=0|false` means any, and wherever ordering is taken
`sort` is its old name. Problems raise FilterError naming each parameter; each door turns it
into its own 400 (the API's JSON body, OGC's exception document, the list page's form errors).
Parameters that belong to one door (limit, offset, format, zoom, page, f) are parsed by that
door, with the small parsers here (`single`, `parse_int`).
"""

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from mapapp.models import Category, Entry, Tag, ThreatCase

# The filters on an entry's threat cases, taken by every door that lists entries or cases.
CASE_PARAMS = ("case_kind", "case_status", "deadline_within", "deadline_before")
# The threats API names a case's own kind and status without the prefix.
CASE_ALIASES = {"kind": "case_kind", "status": "case_status"}
# How far ahead a deadline filter may look.
MAX_DEADLINE_DAYS = 3660
# How far back "verified within" may look; the list and the map offer a year.
MAX_VERIFIED_DAYS = 3660
VERIFIED_A_YEAR = 365
# The filter as the API's and the OGC API's documents describe it.
VERIFIED_WITHIN_HELP = (
    "Entries last verified (confirmed running by their owner or a moderator) at most this many "
    f"days ago, 1..{MAX_VERIFIED_DAYS}; {VERIFIED_A_YEAR} for the last year."
)

FILTER_PARAMS = (
    "bbox",
    "category",
    "tag",
    "threat",
    "q",
    "near",
    "radius",
    "updated_since",
    "ordering",
    "verified_within",
    *CASE_PARAMS,
)
# Old names still read from links made before the vocabulary was shared: {old: current}.
ALIASES = {"sort": "ordering"}
ORDERINGS = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "updated": ("updated_at", "id"),
    "-updated": ("-updated_at", "-id"),
    "distance": None,  # only with near; ordered by the computed distance
}
# What "under threat" means when a checkbox says so (threat=1 from the map, threat=on).
UNDER_THREAT = [Entry.Threat.AT_RISK, Entry.Threat.LOST]
THREAT_TICKED = {"1", "on", "true"}
THREAT_ANY = {"0", "false"}
MAX_RADIUS_METRES = 200_000
# The widest area anyone follows (an Atom feed, a follow): about a country. Great Britain with
# Northern Ireland spans some 10 degrees of longitude by 11 of latitude; a box wider than this
# is a continent, whose every new entry is noise to a follower and work for every write.
MAX_AREA_DEGREES = 12
# The furthest a page of entries may start, on every door that pages by offset.
MAX_OFFSET = 10**9
MAX_Q_LENGTH = 200
MAX_WORDS = 10
WORD = re.compile(r"\w+", re.UNICODE)
ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


class FilterError(ValueError):
    """Bad filter parameters; `errors` is {parameter: [messages]}, named as the client sent."""

    def __init__(self, errors):
        super().__init__(" ".join(m for messages in errors.values() for m in messages))
        self.errors = errors


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
    updated_until: datetime | None = None
    case_kinds: list = field(default_factory=list)
    case_statuses: list = field(default_factory=list)
    # The last day an active case's deadline may fall on (from today) to be selected.
    deadline_before: date | None = None
    # Verified at or after this instant (from verified_within).
    verified_since: datetime | None = None
    ordering: str = "name"
    # The page of the selection a door asks for (set by the door; 0 means none yet).
    limit: int = 0
    offset: int = 0


def names_accepted(names):
    """The parameter names a door reading `names` takes, old aliases included."""
    return {*names, *(old for old, new in ALIASES.items() if new in names)}


def unknown_parameters(query, allowed):
    """What a door says of the parameters in query it does not take ("" when there are none):
    the one wording of the pages, the API, the OGC API and the feeds."""
    unknown = sorted(set(query) - names_accepted(allowed))
    if not unknown:
        return ""
    takes = f"Allowed: {', '.join(sorted(allowed))}." if allowed else "It takes none."
    return f"Unknown parameter(s): {', '.join(unknown)}. {takes}"


def parse_filters(query, *, names=FILTER_PARAMS, aliases=ALIASES):
    """EntryFilters from the filter parameters `names` of a QueryDict (other parameters are
    the door's to read or refuse); raises FilterError naming every bad one. aliases are
    {other name: parameter} the door also takes."""
    errors, given = {}, set()
    filters = EntryFilters()
    for name in names:
        key = _key_given(query, name, aliases)
        if key is None:
            continue
        given.add(name)
        try:
            _refuse_both_names(query, name, aliases)
            PARSERS[name](filters, query.getlist(key), key)
        except ValueError as exc:
            errors[key] = [str(exc)]
    if "near" in names:
        _check_combinations(filters, given, errors)
    if {"deadline_within", "deadline_before"} <= given:
        errors["deadline_within"] = ["Give deadline_within or deadline_before, not both."]
    if errors:
        raise FilterError(errors)
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
    if filters.updated_until:
        entries = entries.updated_until(filters.updated_until)
    if filters.verified_since:
        entries = entries.verified_since(filters.verified_since)
    if has_case_filters(filters):
        entries = entries.filter(pk__in=cases_matching_case_filters(filters).values("entry_id"))
    if filters.near:
        entries = entries.near(*filters.near, filters.radius)
    order = ORDERINGS[filters.ordering] or ("distance", "id")
    return entries.order_by(*order)


def has_case_filters(filters):
    return bool(filters.case_kinds or filters.case_statuses or filters.deadline_before)


def cases_matching_case_filters(filters):
    """Public threat cases matching the case filters alone (kind, status, deadline): the one
    predicate the entries' filter and the threats API share."""
    cases = ThreatCase.objects.public()
    if filters.case_kinds:
        cases = cases.of_kinds(filters.case_kinds)
    if filters.case_statuses:
        cases = cases.in_statuses(filters.case_statuses)
    if filters.deadline_before:
        cases = cases.with_deadline_between(timezone.localdate(), filters.deadline_before)
    return cases


def search_words(text):
    """The words of a search, as the full-text index holds them: lowercase, the first ten."""
    return [w.lower() for w in WORD.findall(text)][:MAX_WORDS]


def _key_given(query, name, aliases):
    """The name the client used for a parameter: its current name, else an alias."""
    if name in query:
        return name
    return next((old for old, new in aliases.items() if new == name and old in query), None)


def _refuse_both_names(query, name, aliases):
    """A parameter given under its name and an alias at once is ambiguous: say so."""
    old = next((old for old, new in aliases.items() if new == name and old in query), None)
    if old and name in query:
        raise ValueError(f"Give {name} or its old name {old}, not both.")


def single(values, name):
    """The one non-empty value of a parameter given as the list `values`."""
    if len(values) > 1:
        raise ValueError(f"Give {name} once, not {len(values)} times.")
    value = values[0].strip()
    if not value:
        raise ValueError(f"{name} is empty.")
    return value


def comma_list(values):
    """The values of a repeatable parameter that also takes comma lists (`a,b` or `a&b`),
    blanks dropped."""
    return [v.strip() for raw in values for v in raw.split(",") if v.strip()]


def _multi(values, name):
    """Values of a repeatable parameter that also accepts comma lists."""
    values = comma_list(values)
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


def bbox_text(bbox):
    """A parsed bbox as the parameter writes it ("-3,51.5,-2.25,52"), to six decimals."""
    return ",".join(f"{number:.6f}".rstrip("0").rstrip(".") for number in bbox)


def check_area(bbox, name="bbox"):
    """Refuse (ValueError) a parsed bbox wider or taller than MAX_AREA_DEGREES: an area to
    follow must be at most about a country."""
    min_lon, min_lat, max_lon, max_lat = bbox
    width, height = max_lon - min_lon, max_lat - min_lat
    if max(width, height) > MAX_AREA_DEGREES:
        raise ValueError(
            f"{name} spans {width:g} by {height:g} degrees; an area to follow may span at most "
            f"{MAX_AREA_DEGREES} degrees each way (about a country)."
        )
    return bbox


def _bbox(filters, values, name):
    filters.bbox = parse_bbox(single(values, name), name)


def _category(filters, values, name):
    wanted = _multi(values, name)
    known = set(Category.objects.filter(slug__in=wanted).values_list("slug", flat=True))
    missing = [w for w in wanted if w not in known]
    if missing:
        raise ValueError(
            f"Unknown category: {', '.join(missing)}. See {reverse('api-categories')}."
        )
    filters.categories = wanted


def _tag(filters, values, name):
    wanted = _multi(values, name)
    known = set(
        Tag.objects.in_use_publicly().filter(slug__in=wanted).values_list("slug", flat=True)
    )
    missing = [w for w in wanted if w not in known]
    if missing:
        raise ValueError(f"Unknown tag: {', '.join(missing)}. See {reverse('api-tags')}.")
    filters.tags = wanted


def _threat(filters, values, name):
    wanted = _multi(values, name)
    if len(wanted) == 1 and wanted[0].lower() in THREAT_TICKED | THREAT_ANY:
        ticked = wanted[0].lower() in THREAT_TICKED
        filters.threats = list(UNDER_THREAT) if ticked else []
        return
    valid = set(Entry.Threat.values)
    wrong = [w for w in wanted if w not in valid]
    if wrong:
        raise ValueError(f"Unknown threat: {', '.join(wrong)}. Use {', '.join(sorted(valid))}.")
    filters.threats = wanted


def _choices(values, name, valid):
    wanted = _multi(values, name)
    wrong = [w for w in wanted if w not in valid]
    if wrong:
        raise ValueError(f"Unknown {name}: {', '.join(wrong)}. Use {', '.join(valid)}.")
    return wanted


def _case_kind(filters, values, name):
    filters.case_kinds = _choices(values, name, ThreatCase.Kind.values)


def _case_status(filters, values, name):
    filters.case_statuses = _choices(values, name, ThreatCase.Status.values)


def _deadline_within(filters, values, name):
    days = parse_int(single(values, name), name, minimum=0, maximum=MAX_DEADLINE_DAYS)
    filters.deadline_before = timezone.localdate() + timedelta(days=days)


def _deadline_before(filters, values, name):
    text = single(values, name)
    try:
        # fromisoformat alone also takes 20261210 and week dates; the documented form is one.
        if not ISO_DAY.fullmatch(text):
            raise ValueError
        day = date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{name} must be a date as YYYY-MM-DD, not {text!r}.") from None
    today = timezone.localdate()
    if not today <= day <= today + timedelta(days=MAX_DEADLINE_DAYS):
        raise ValueError(
            f"{name} must be from today to {MAX_DEADLINE_DAYS} days ahead "
            "(deadlines already passed are in each case's record)."
        )
    filters.deadline_before = day


def _verified_within(filters, values, name):
    days = parse_int(single(values, name), name, minimum=1, maximum=MAX_VERIFIED_DAYS)
    filters.verified_since = timezone.now() - timedelta(days=days)


def _q(filters, values, name):
    text = single(values, name)
    if len(text) > MAX_Q_LENGTH:
        raise ValueError(f"{name} is longer than {MAX_Q_LENGTH} characters.")
    words = search_words(text)
    if not words:
        raise ValueError(f"{name} contains no words to search for.")
    filters.words = words


def _near(filters, values, name):
    lon, lat = _numbers(single(values, name), name, 2)
    _check_lon_lat(lon, lat, name)
    filters.near = (lon, lat)


def _radius(filters, values, name):
    text = single(values, name)
    try:
        radius = float(text)
    except ValueError:
        raise ValueError(f"{name} must be a number of metres, not {text!r}.") from None
    if not math.isfinite(radius) or radius <= 0:
        raise ValueError(f"{name} must be a positive number of metres.")
    if radius > MAX_RADIUS_METRES:
        raise ValueError(f"{name} may be at most {MAX_RADIUS_METRES} metres.")
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


def parse_datetime_interval(text, name="datetime"):
    """An instant or an interval start/end (either end may be '..' or empty)."""
    if "/" not in text:
        when = parse_when(text, name)
        return when, when
    start, _, end = text.partition("/")
    start = None if start in {"", ".."} else parse_when(start, name)
    end = None if end in {"", ".."} else parse_when(end, name)
    if start and end and start > end:
        raise ValueError(f"{name}: the interval starts after it ends.")
    return start, end


def _updated_since(filters, values, name):
    filters.updated_since = parse_when(single(values, name), name)


def _datetime(filters, values, name):
    filters.updated_since, filters.updated_until = parse_datetime_interval(
        single(values, name), name
    )


def _ordering(filters, values, name):
    value = single(values, name)
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


def _check_combinations(filters, given, errors):
    if "near" in given and "radius" not in given and "near" not in errors:
        errors["radius"] = ["radius (metres) is required with near."]
    if "radius" in given and "near" not in given and "radius" not in errors:
        errors["near"] = ["near=lon,lat is required with radius."]
    if filters.ordering == "distance" and "near" not in given and "ordering" not in errors:
        errors["ordering"] = ["ordering=distance needs near=lon,lat and radius."]
    if "ordering" not in given and filters.near:
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
    "datetime": _datetime,
    "ordering": _ordering,
    "case_kind": _case_kind,
    "case_status": _case_status,
    "deadline_within": _deadline_within,
    "deadline_before": _deadline_before,
    "verified_within": _verified_within,
}
