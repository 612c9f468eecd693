"""Public pages of Commons Map: the map, the list, entry pages and the embeddable map."""

from csp.decorators import csp_replace
from django.contrib.staticfiles import finders
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from mapapp import permissions, services
from mapapp.models import Category, Entry, ThreatCase
from mapapp.pages.feedlinks import entry_feed, list_feeds, threats_feed
from mapapp.pages.forms import EntryFilterForm
from mapapp.pages.mapconfig import map_config
from mapapp.pages.paging import page_with_links
from mapapp.reads.filters import entries_matching
from mapapp.reads.public import public_point, public_properties
from mapapp.reads.statements import bounded_count
from mapapp.reads.threats import entry_timeline, next_deadlines
from mapapp.services import freshness

LIST_PAGE_SIZE = 25
FAVICON = "mapapp/favicon.svg"


@require_safe
def home(request):
    context = {
        "config": map_config(request),
        "categories": Category.objects.all(),
        "case_kinds": ThreatCase.Kind.choices,
        "case_statuses": ThreatCase.Status.choices,
        "feeds": [threats_feed()],
    }
    return render(request, "mapapp/home.html", context)


@require_safe
@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})  # the one page other sites may frame
def embed(request):
    context = {"config": map_config(request, embed=True)}
    return render(request, "mapapp/embed.html", context)


@require_safe
def entry_list(request):
    """The list: the filters of the API and the map (one parser), 25 entries a page."""
    query = filled_in(request.GET)
    form = EntryFilterForm(query)
    counted = (0, False)
    if form.is_valid():
        entries = entries_matching(form.filters).select_related("category")
        feeds = list_feeds(form.filters)
        # Counted as the API counts (the aggregates; a search up to its limit), not COUNT(*).
        counted = bounded_count(form.filters)
        form, status = EntryFilterForm.showing(form.filters, query), 200
    else:
        entries, status, feeds = Entry.objects.none(), 400, list_feeds(None)
    # Page links keep the filters, without the blank fields of a submitted form.
    page = page_with_links(
        request, entries, size=LIST_PAGE_SIZE, query=query, count=lambda: counted[0]
    )
    page.more = counted[1]
    page.object_list = list(page.object_list)
    deadlines = next_deadlines(entry.pk for entry in page.object_list if entry.is_at_risk)
    for entry in page.object_list:
        entry.next_deadline = deadlines.get(entry.pk)
    context = {"form": form, "page": page, "categories": Category.objects.all(), "feeds": feeds}
    return render(request, "mapapp/entry_list.html", context, status=status)


def filled_in(query):
    """The query without the blank values a form sends for its untouched controls."""
    filled = query.copy()
    for name in list(filled):
        values = [value for value in filled.getlist(name) if value.strip()]
        if values:
            filled.setlist(name, values)
        else:
            del filled[name]
    return filled


def _following(user, entry):
    return entry.follows.filter(user=user).first() if user.is_authenticated else None


@require_safe
def entry_detail(request, slug):
    try:
        entry = Entry.objects.select_related("category").get(slug=slug)
    except Entry.DoesNotExist:
        raise Http404("No published entry has this address.") from None
    if not permissions.can_view(request.user, entry):
        raise Http404("No published entry has this address.")
    context = {
        "can_edit": permissions.can_edit(request.user, entry),
        "is_moderator": permissions.is_moderator(request.user),
        "exact_location": entry.location
        if not entry.has_exact_location and permissions.can_see_exact_location(request.user, entry)
        else None,
        "entry": entry,
        "public": public_properties(entry),
        "tags": entry.tags.all(),
        "config": {
            **map_config(request),
            "point": list(reversed(public_point(entry))),
            "precision": entry.precision,
            "colour": entry.category.colour,
        },
        "absolute_url": request.build_absolute_uri(),
        "following": _following(request.user, entry),
        "may_verify": freshness.may_verify(request.user, entry),
        "feeds": entry_feed(entry),
        **_threat_context(request, entry),
    }
    return render(request, "mapapp/entry_detail.html", context)


def _threat_context(request, entry):
    """The entry's timeline of cases, its next deadline, and which threat links to offer."""
    timeline = entry_timeline(entry)
    upcoming = [record for record in timeline if record.next_deadline]
    soonest = min(upcoming, key=lambda r: r.next_deadline.due_on, default=None)
    signed_in = request.user.is_authenticated and entry.is_public
    return {
        "timeline": timeline,
        "next_case": soonest.case if soonest else None,
        "next_deadline": soonest.next_deadline if soonest else None,
        "may_contribute": signed_in,
        "may_edit_cases": signed_in and services.may_publish_directly(request.user, entry),
    }


@require_safe
@cache_control(public=True, max_age=86400)
def favicon(request):
    """/favicon.ico, which browsers ask for on every site whatever the page's <link rel=icon>."""
    return FileResponse(open(finders.find(FAVICON), "rb"), content_type="image/svg+xml")


@require_safe
def privacy(request):
    return render(request, "mapapp/privacy.html")
