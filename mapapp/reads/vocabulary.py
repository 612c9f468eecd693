"""The words entries are filed under, with how many published entries each holds: the
categories and the tags in public use (the API's lists, and whatever else shows the counts)."""

from django.db.models import Count, Q

from mapapp.models import Category, Entry, Tag

CATEGORY_FIELDS = ("slug", "name", "description", "colour", "icon", "order")
TAG_FIELDS = ("slug", "name")


def _with_published_counts(queryset, fields):
    published = Q(entries__status=Entry.Status.PUBLISHED)
    counted = queryset.annotate(entry_count=Count("entries", filter=published))
    return list(counted.values(*fields, "entry_count"))


def categories_with_counts():
    return _with_published_counts(Category.objects.all(), CATEGORY_FIELDS)


def tags_with_counts():
    return _with_published_counts(Tag.objects.in_use_publicly(), TAG_FIELDS)
