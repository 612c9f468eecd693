"""What the wide reads count from instead of the entries: cluster cells per zoom, the tag
counts, and the data set's version. mapapp.services.aggregates keeps them in step with the
entries, in the transaction of every write that changes what is public."""

from django.db import models

from mapapp.models import Category, Entry


class CountedEntry(models.Model):
    """A published entry as the aggregates last counted it: its public point, category, threat
    and tags. A write compares the entry with this row to know what to take away and add."""

    entry = models.OneToOneField(
        Entry, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    lon = models.FloatField()
    lat = models.FloatField()
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")
    threat = models.CharField(max_length=8)
    # The ids of its tags, space-separated (ids, not slugs: a tag can be renamed).
    tag_ids = models.TextField(blank=True)

    class Meta:
        # The finest cell's extent is recomputed from the entries counted in it.
        indexes = [
            models.Index(fields=["category", "threat", "lon", "lat"], name="counted_cell_idx")
        ]

    def __str__(self):
        return f"entry {self.entry_id} counted at {self.lon}, {self.lat}"


class ClusterCell(models.Model):
    """The published entries of one category and threat in one grid cell of one zoom: how
    many, the sums of their public coordinates (for the mean) and their extent. A cell's
    column and row are floor(lon / size) and floor(lat / size), size the zoom's cell degrees."""

    zoom = models.PositiveSmallIntegerField()
    column = models.IntegerField()
    row = models.IntegerField()
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")
    threat = models.CharField(max_length=8)
    count = models.PositiveIntegerField()
    sum_lon = models.FloatField()
    sum_lat = models.FloatField()
    west = models.FloatField()
    south = models.FloatField()
    east = models.FloatField()
    north = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["zoom", "column", "row", "category", "threat"], name="cluster_cell_key"
            )
        ]
        # The key ranges over columns; the bands along a box's south and north edges range
        # over rows.
        indexes = [models.Index(fields=["zoom", "row", "column"], name="cluster_cell_rows")]

    def __str__(self):
        return f"zoom {self.zoom} cell {self.column}, {self.row}: {self.count}"


class DatasetVersion(models.Model):
    """One row: a number raised by every write that changes what the public reads (entries,
    categories, tags, deadlines), so a conditional request is answered before any query."""

    number = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(null=True)

    def __str__(self):
        return f"data set version {self.number}"
