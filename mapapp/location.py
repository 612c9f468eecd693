"""Deriving the public point of an entry from its exact location and chosen precision.

What the public sees of the point and the address is decided in reads.public.
"""

import hashlib
import hmac
import math

from django.conf import settings
from django.contrib.gis.geos import Point

from mapapp.choices import Precision

METRES_PER_DEGREE = 111_320.0


def public_point_for(location, precision):
    """The point every public surface shows for an entry at `location` with `precision`."""
    if precision == Precision.APPROXIMATE:
        lon, lat = _approximate(location.x, location.y)
    elif precision == Precision.AREA:
        lon, lat = _area_centre(location.x, location.y)
    else:
        lon, lat = location.x, location.y
    return Point(lon, lat, srid=4326)


def _approximate(lon, lat):
    # A keyed hash makes the offset stable for one location (re-saving never reveals a second
    # sample to average) yet unpredictable to anyone without the secret key.
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"{lon:.7f},{lat:.7f}".encode(), hashlib.sha256
    ).digest()
    low, high = settings.APPROXIMATE_OFFSET_METRES
    distance = low + (high - low) * int.from_bytes(digest[:4], "big") / 2**32
    bearing = 2 * math.pi * int.from_bytes(digest[4:8], "big") / 2**32
    d_lat = distance * math.cos(bearing) / METRES_PER_DEGREE
    d_lon = (
        distance * math.sin(bearing) / (METRES_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01))
    )
    return _wrap_lon(lon + d_lon), max(-90.0, min(90.0, lat + d_lat))


def _area_centre(lon, lat):
    size = settings.AREA_GRID_DEGREES
    centre_lon = math.floor(lon / size) * size + size / 2
    centre_lat = max(-90.0, min(90.0, math.floor(lat / size) * size + size / 2))
    if (round(centre_lon, 9), round(centre_lat, 9)) == (round(lon, 9), round(lat, 9)):
        # The exact point sits on the cell's centre: publish another point of the same cell.
        centre_lon += size / 4
    return round(centre_lon, 7), round(centre_lat, 7)


def _wrap_lon(lon):
    return (lon + 180.0) % 360.0 - 180.0 if not -180 <= lon <= 180 else lon
