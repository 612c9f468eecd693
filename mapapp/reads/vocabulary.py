"""The words entries are filed under, with how many published entries each holds: the
categories and the tags in public use (the API's lists, and whatever else shows the counts).

The counts come from the aggregates services keep (mapapp.services.aggregates): a category's
from its cells at zoom 0 (a handful of rows), a tag's from its maintained count, so neither list
counts entries however many there are."""

from django.db.models import F, Sum

from mapapp.models import Category, ClusterCell, Tag

CATEGORY_FIELDS = ("slug", "name", "description", "colour", "icon", "order")
TAG_FIELDS = ("slug", "name")


def categories_with_counts():
    cells = ClusterCell.objects.filter(zoom=0).order_by().values("category_id")
    counts = dict(cells.annotate(total=Sum("count")).values_list("category_id", "total"))
    rows = Category.objects.values("pk", *CATEGORY_FIELDS)
    return [
        {**{name: row[name] for name in CATEGORY_FIELDS}, "entry_count": counts.get(row["pk"], 0)}
        for row in rows
    ]


def tags_with_counts():
    return list(
        Tag.objects.in_use_publicly().values(*TAG_FIELDS, entry_count=F("published_entries"))
    )
