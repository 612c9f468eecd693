"""The Atom feeds a page offers: each page's <link rel="alternate"> in its head and its visible
"Follow with a feed reader" links come from the one list its view builds here."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse

from mapapp.models import Category
from mapapp.reads.filters import bbox_text, check_area


@dataclass(frozen=True)
class FeedLink:
    title: str
    href: str


def threats_feed():
    return FeedLink("Commons under threat", reverse("feed-threats"))


def entry_feed(entry):
    """An entry's own feed, offered only where the public can read it."""
    if not entry.is_public:
        return []
    return [FeedLink(f"Changes to {entry.name}", reverse("feed-entry", args=[entry.slug]))]


def list_feeds(filters):
    """The list's feeds: the threats, and what it is narrowed to when a feed follows that —
    one category, an area no wider than a feed takes."""
    links = [threats_feed()]
    if filters and len(filters.categories) == 1:
        category = Category.objects.filter(slug=filters.categories[0]).first()
        if category:
            href = reverse("feed-category", args=[category.slug])
            links.append(FeedLink(f"New in {category.name}", href))
    if filters and filters.bbox and _followable(filters.bbox):
        box = bbox_text(filters.bbox)
        query = urlencode({"bbox": box}, safe=",")
        links.append(FeedLink("New in this area", f"{reverse('feed-area')}?{query}"))
    return links


def _followable(bbox):
    try:
        check_area(bbox)
    except ValueError:
        return False
    return True
