"""The Atom feeds (/feeds/…), for people who follow Commons Map without an account.

    /feeds/area/?bbox=minLon,minLat,maxLon,maxLat   entries newly published in an area
    /feeds/categories/<slug>/                       entries newly published in a category
    /feeds/entries/<slug>/                          one entry's public changes
    /feeds/threats/                                 active threat cases and their events

Each view parses its request (bbox through the filters' one parser and the area rule), then
hands one syndication Feed what it says; the items come from reads.feeds. Answers are
conditional on the data set's version, like the API's lists. A bad parameter is a 400 in plain
text naming it; an unknown entry or category a 404.
"""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.gis.feeds import Feed, GeoAtom1Feed
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_safe

from mapapp.models import Category
from mapapp.reads import feeds
from mapapp.reads.filters import (
    EntryFilters,
    FilterError,
    bbox_text,
    check_area,
    parse_filters,
    unknown_parameters,
)
from mapapp.web.conditional import versioned

SITE = "Commons Map"
AREA_PARAMS = ("bbox",)


@dataclass(frozen=True)
class Subject:
    """What one feed is about: its words, the page it follows and its own address."""

    title: str
    subtitle: str
    page: str  # path (and query) of the page showing the same things
    address: str  # the feed's own path and query, canonical: its Atom id
    items: Callable  # () -> [FeedItem], called only when the client is not up to date
    box: tuple | None = None


class SubjectFeed(Feed):
    """One Atom feed (with GeoRSS public points) of a Subject; made afresh for each request,
    so the request it answers can be kept on it."""

    feed_type = GeoAtom1Feed
    author_name = SITE
    description_template = "feeds/item.html"

    def __init__(self, request, subject):
        self.request, self.subject = request, subject

    def get_object(self, request):
        return self.subject

    def title(self, subject):
        return subject.title

    def subtitle(self, subject):
        return subject.subtitle

    def link(self, subject):
        return subject.page

    def feed_url(self, subject):
        return subject.address

    def feed_guid(self, subject):
        return self.request.build_absolute_uri(subject.address)

    def geometry(self, subject):
        return subject.box

    def items(self, subject):
        return subject.items()

    def item_title(self, item):
        return item.title

    def item_link(self, item):
        return item.link

    def item_guid(self, item):
        page = self.request.build_absolute_uri(item.link)
        return f"{page.partition('#')[0]}#{item.anchor}" if item.anchor else page

    def item_updateddate(self, item):
        return item.updated

    def item_pubdate(self, item):
        return item.published

    def item_categories(self, item):
        return [item.category] if item.category else []

    def item_geometry(self, item):
        return item.point


@require_safe
def area(request):
    """Entries newly published in a bounding box of at most about a country."""
    try:
        bbox = _area(request.GET)
    except ValueError as exc:
        return _refused(exc)
    shown = bbox_text(bbox)
    query = urlencode({"bbox": shown}, safe=",")
    subject = Subject(
        title=f"New on {SITE} in the area {shown}",
        subtitle="Entries newly published in this area, the most recent first.",
        page=f"{reverse('entry-list')}?{query}",
        address=f"{reverse('feed-area')}?{query}",
        items=lambda: feeds.newly_published(EntryFilters(bbox=bbox)),
        box=bbox,
    )
    return _answer(request, subject)


@require_safe
def category(request, category):
    """Entries newly published in one category."""
    if problem := _unknown(request.GET):
        return problem
    found = get_object_or_404(Category, slug=category)
    subject = Subject(
        title=f"New on {SITE}: {found.name}",
        subtitle=f"Entries newly published in {found.name}, the most recent first.",
        page=f"{reverse('entry-list')}?{urlencode({'category': found.slug})}",
        address=reverse("feed-category", args=[found.slug]),
        items=lambda: feeds.newly_published(EntryFilters(categories=[found.slug])),
    )
    return _answer(request, subject)


@require_safe
def entry(request, slug):
    """One entry's public changes: edits, its cases' events, its archiving."""
    if problem := _unknown(request.GET):
        return problem
    found = feeds.followed_entry(slug)
    if found is None:
        raise Http404("No published entry has this address.")
    subject = Subject(
        title=f"Changes to {found.name} on {SITE}",
        subtitle="Edits, threat cases and their events, newest first.",
        page=found.get_absolute_url() if found.is_public else reverse("entry-list"),
        address=reverse("feed-entry", args=[found.slug]),
        items=lambda: feeds.entry_changes(found),
    )
    return _answer(request, subject)


@require_safe
def threats(request):
    """Active threat cases and their events, wherever they are."""
    if problem := _unknown(request.GET):
        return problem
    subject = Subject(
        title=f"Commons under threat on {SITE}",
        subtitle="Active threat cases and their events, the most recent first.",
        page=reverse("threats"),
        address=reverse("feed-threats"),
        items=feeds.threat_news,
    )
    return _answer(request, subject)


def _area(query):
    """The bbox of an area feed's query; ValueError naming what is wrong."""
    if problem := unknown_parameters(query, AREA_PARAMS):
        raise ValueError(problem)
    if "bbox" not in query:
        raise ValueError("bbox=minLon,minLat,maxLon,maxLat is required: the area to follow.")
    try:
        filters = parse_filters(query, names=AREA_PARAMS, aliases={})
    except FilterError as exc:
        raise ValueError(str(exc)) from None
    return check_area(filters.bbox)


def _unknown(query):
    """A 400 for any parameter, on the feeds that take none; else None."""
    problem = unknown_parameters(query, ())
    return _refused(problem) if problem else None


def _refused(problem):
    return HttpResponseBadRequest(str(problem), content_type="text/plain; charset=utf-8")


def _answer(request, subject):
    feed = SubjectFeed(request, subject)
    return versioned(request, lambda: feed(request).content, content_type=GeoAtom1Feed.content_type)
