"""The threats page (/threats/): active cases by their next deadline, the record of commons
saved and lost, and the cases opened, saved and lost each month, nationally or in a map view."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from mapapp.models import ThreatCase
from mapapp.pages.feedlinks import threats_feed
from mapapp.pages.forms import ThreatFilterForm
from mapapp.pages.paging import page_with_links
from mapapp.pages.public import filled_in
from mapapp.reads.threats import case_records, cases_matching, threat_stats

PAGE_SIZE = 25
# The record: cases that ended, whichever way.
CLOSED = (ThreatCase.Status.SAVED, ThreatCase.Status.LOST, ThreatCase.Status.WITHDRAWN)


@require_safe
def threats(request):
    """The filters of the threats API (one parser), 25 active and 25 closed cases a page."""
    query = filled_in(request.GET)
    form = ThreatFilterForm(query)
    today = timezone.localdate()
    if form.is_valid():
        filters, status = form.filters, 200
        form = ThreatFilterForm.showing(filters, query)
        cases = cases_matching(filters, today=today)
        active = cases.filter(status=ThreatCase.Status.ACTIVE)
        closed = cases.filter(status__in=CLOSED).order_by("-closed_on", "-id")
        stats = threat_stats(filters)
    else:
        active = closed = ThreatCase.objects.none()
        stats, status = [], 400
    page = page_with_links(request, active, size=PAGE_SIZE, query=query)
    page.records = case_records(page.object_list, today=today)
    context = {
        "form": form,
        "page": page,
        "record": page_with_links(request, closed, size=PAGE_SIZE, parameter="record", query=query),
        "stats": stats,
        "today": today,
        "in_view": bool(form.filters and form.filters.bbox),
        "feeds": [threats_feed()],
    }
    return render(request, "mapapp/threats.html", context, status=status)
