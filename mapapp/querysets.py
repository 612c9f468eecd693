"""Reads: every way Commons Map selects entries lives on EntryQuerySet, and threat cases on
ThreatCaseQuerySet."""

import math

from django.contrib.gis.db import models
from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Point
from django.contrib.gis.measure import D
from django.db import connections
from django.db.models import BooleanField, Count, FloatField, Func, Max, Min, Sum, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Floor
from django.db.models.lookups import Range

from mapapp.choices import CaseStatus, EntryStatus, Review

SPATIALITE_INDEX = "idx_mapapp_entry_public_point"


def _lon():
    return Func("public_point", function="ST_X", output_field=FloatField())


def _lat():
    return Func("public_point", function="ST_Y", output_field=FloatField())


class EntryQuerySet(models.QuerySet):
    def published(self):
        """Entries the public may see; pending, rejected and archived ones never are."""
        return self.filter(status=EntryStatus.PUBLISHED)

    def in_bbox(self, bbox):
        """Entries whose public point lies in bbox=(min_lon, min_lat, max_lon, max_lat).

        The box reaches the SQL as its four plain numbers on both databases, so a compiled
        statement can be reused for another box (see mapapp.reads.statements).
        """
        min_lon, min_lat, max_lon, max_lat = bbox
        if self._is_spatialite():
            # Django's SpatiaLite lookups never consult the R*Tree; ask it directly, then
            # confirm exactly because the R*Tree stores coordinates as rounded 32-bit floats.
            candidates = RawSQL(  # noqa: S611 (constant SQL, values passed as parameters)
                f"SELECT pkid FROM {SPATIALITE_INDEX} "
                "WHERE xmin <= %s AND xmax >= %s AND ymin <= %s AND ymax >= %s",
                (max_lon, min_lon, max_lat, min_lat),
            )
            return self.filter(
                Range(_lon(), (min_lon, max_lon)),
                Range(_lat(), (min_lat, max_lat)),
                pk__in=candidates,
            )
        # `&&` is answered from the GiST index; for points it is exact (edges included).
        envelope = Func(
            *(Value(v) for v in (min_lon, min_lat, max_lon, max_lat, 4326)),
            function="ST_MakeEnvelope",
            output_field=models.PolygonField(srid=4326),
        )
        return self.filter(public_point__bboverlaps=envelope)

    def in_cells(self, cell_degrees, names=("column", "row")):
        """Annotated with the column and row (as names) of the grid cell (of cell_degrees) each
        falls in."""
        column, row = names
        cells = {column: Floor(_lon() / cell_degrees), row: Floor(_lat() / cell_degrees)}
        return self.annotate(**cells)

    def clusters(self, cell_degrees):
        """Entries counted per square grid cell of cell_degrees (see cell_totals)."""
        return self.in_cells(cell_degrees).cell_totals()

    def cell_totals(self):
        """Per cell (of in_cells): how many entries, the sums of their public coordinates and
        their extent. Everything comes from public points, so a cell holding a single entry
        shows just that entry's public point."""
        return (
            self.order_by()
            .values("column", "row")
            .annotate(
                count=Count("id"),
                sum_lon=Sum(_lon()),
                sum_lat=Sum(_lat()),
                west=Min(_lon()),
                south=Min(_lat()),
                east=Max(_lon()),
                north=Max(_lat()),
            )
            .order_by("row", "column")
        )

    def in_categories(self, slugs):
        return self.filter(category__slug__in=slugs)

    def with_any_tag(self, slugs):
        """Entries carrying at least one of the tags (each entry once)."""
        through = self.model.tags.through
        tagged = through.objects.filter(tag__slug__in=slugs).values("entry_id")
        return self.filter(pk__in=tagged)

    def with_threat(self, threats):
        return self.filter(threat__in=threats)

    def updated_since(self, when):
        return self.filter(updated_at__gte=when)

    def updated_until(self, when):
        return self.filter(updated_at__lte=when)

    def verified_since(self, when):
        return self.filter(verified_at__gte=when)

    def search(self, words):
        """Entries whose text contains every word (as a word prefix), via the full-text index.

        PostgreSQL matches to_tsvector('simple', search_text) through its GIN index; SpatiaLite
        an FTS5 table kept by triggers. Both tokenise on word characters without stemming or
        accent folding, so plain words give the same results on either database.
        """
        if not words:
            return self.none()
        if self._is_spatialite():
            match = " ".join(f'"{w}"*' for w in words)
            condition = RawSQL(
                "mapapp_entry.id IN (SELECT rowid FROM mapapp_entry_fts "  # noqa: S611
                "WHERE mapapp_entry_fts MATCH %s)",
                (match,),
                output_field=BooleanField(),
            )
        else:
            # "w | w:*" matches what "w:*" does, but lets the planner read the word's frequency
            # from the index's statistics (it has none for a prefix): a word in most entries is
            # then read by scanning until a page is full, not by building a bitmap of them all.
            tsquery = " & ".join(f"({w} | {w}:*)" for w in words)
            condition = RawSQL(
                "to_tsvector('simple'::regconfig, mapapp_entry.search_text) "  # noqa: S611
                "@@ to_tsquery('simple'::regconfig, %s)",
                (tsquery,),
                output_field=BooleanField(),
            )
        return self.filter(condition)

    def among(self, ids):
        """The entries of ids, in this queryset's order, read by id and then sorted. For a
        search known to match few entries: PostgreSQL cannot tell how many a word prefix
        matches, and would otherwise walk the name index, testing every entry of a national map
        to fill a page with the handful that match."""
        # Published asked again: an entry archived since its id was found is not served.
        entries = self.model._default_manager.published().filter(pk__in=ids)
        return entries.order_by(*self.query.order_by)

    def near(self, lon, lat, radius_m):
        """Entries within radius_m metres of lon/lat, annotated with `distance` in metres."""
        centre = Point(lon, lat, srid=4326)
        # The index narrows to a box around the circle; the exact distance filter follows.
        d_lat = radius_m / 111_320.0
        widest = min(89.9, abs(lat) + d_lat)
        d_lon = min(180.0, radius_m / (111_320.0 * math.cos(math.radians(widest))))
        box = (
            max(-180.0, lon - d_lon),
            max(-90.0, lat - d_lat),
            min(180.0, lon + d_lon),
            min(90.0, lat + d_lat),
        )
        return (
            self.in_bbox(box)
            .filter(public_point__distance_lte=(centre, D(m=radius_m)))
            .annotate(distance=Distance("public_point", centre))
        )

    def _is_spatialite(self):
        return connections[self.db].vendor == "sqlite"


class TagQuerySet(models.QuerySet):
    def in_use_publicly(self):
        """Tags carried by at least one published entry; a tag only pending, rejected or
        archived entries use is not public (anyone can submit one). The count is kept by
        mapapp.services.aggregates."""
        return self.filter(published_entries__gt=0)


class ThreatCaseQuerySet(models.QuerySet):
    def public(self):
        """Accepted cases of published entries: what every public surface shows."""
        return self.filter(review=Review.ACCEPTED, entry__status=EntryStatus.PUBLISHED)

    def of_kinds(self, kinds):
        return self.filter(kind__in=kinds)

    def in_statuses(self, statuses):
        return self.filter(status__in=statuses)

    def with_deadline_between(self, first, last):
        """Active cases with a deadline from first to last (dates, both included)."""
        due = self.model.deadlines.rel.related_model.objects.filter(
            due_on__gte=first, due_on__lte=last
        )
        return self.filter(status=CaseStatus.ACTIVE, pk__in=due.values("case_id"))


class ThreatEventQuerySet(models.QuerySet):
    def public(self):
        """Accepted events of public cases."""
        return self.filter(
            review=Review.ACCEPTED,
            case__review=Review.ACCEPTED,
            case__entry__status=EntryStatus.PUBLISHED,
        )
