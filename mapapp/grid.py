"""The clusters' grid: square cells of longitude/latitude degrees, four across a map tile's
width at every zoom, so a cell at zoom z+1 is exactly a quarter of one at zoom z."""

import math

CELLS_PER_TILE = 4
# The aggregates hold zooms 0..FINEST_ZOOM (cells ~2 km across at the finest); at closer zooms
# a view holds few entries and its cells are counted from the entries themselves.
FINEST_ZOOM = 12
ZOOMS = range(FINEST_ZOOM + 1)


def cell_degrees(zoom):
    """The cells' side in degrees at a map zoom."""
    return 360 / 2**zoom / CELLS_PER_TILE


def cell_of(lon, lat, zoom):
    """(column, row) of the cell holding lon/lat, computed as the databases compute it."""
    size = cell_degrees(zoom)
    return math.floor(lon / size), math.floor(lat / size)
