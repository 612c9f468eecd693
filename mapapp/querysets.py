"""Reads: every way Commons Map selects entries lives on EntryQuerySet."""

from django.contrib.gis.db import models
from django.contrib.gis.geos import Polygon
from django.db import connections
from django.db.models.expressions import RawSQL

SPATIALITE_INDEX = "idx_mapapp_entry_public_point"


class EntryQuerySet(models.QuerySet):
    def published(self):
        """Entries the public may see; pending, rejected and archived ones never are."""
        return self.filter(status="published")

    def in_bbox(self, bbox):
        """Entries whose public point lies in bbox=(min_lon, min_lat, max_lon, max_lat)."""
        box = Polygon.from_bbox(bbox)
        box.srid = 4326
        if self._is_spatialite():
            # Django's SpatiaLite lookups never consult the R*Tree; ask it directly, then
            # confirm exactly because the R*Tree stores coordinates as rounded 32-bit floats.
            min_lon, min_lat, max_lon, max_lat = bbox
            candidates = RawSQL(  # noqa: S611 (constant SQL, values passed as parameters)
                f"SELECT pkid FROM {SPATIALITE_INDEX} "
                "WHERE xmin <= %s AND xmax >= %s AND ymin <= %s AND ymax >= %s",
                (max_lon, min_lon, max_lat, min_lat),
            )
            return self.filter(pk__in=candidates, public_point__intersects=box)
        # `&&` is answered from the GiST index; for points it is exact.
        return self.filter(public_point__bboverlaps=box)

    def _is_spatialite(self):
        return connections[self.db].vendor == "sqlite"
