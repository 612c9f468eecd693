"""The moderators' queue: pending entries, suggested changes, reports, contributed threat cases
and events, and their decisions."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from mapapp import permissions, services
from mapapp.models import ChangeRequest, Entry, ModerationDecision, Report, ThreatCase, ThreatEvent
from mapapp.pages.forms import DecisionForm
from mapapp.pages.navigation import next_on_this_site
from mapapp.pages.paging import page_with_links
from mapapp.reads import history
from mapapp.services import jobs

ENTRY_ACTIONS = {
    "publish": ModerationDecision.Action.PUBLISH,
    "reject": ModerationDecision.Action.REJECT,
    "archive": ModerationDecision.Action.ARCHIVE,
}

# A contributed case or event is accepted or declined, with the past tense the page reports.
REVIEW_ACTIONS = {"accept": (True, "accepted"), "decline": (False, "declined")}

# Items per section and page of the queue: thousands pending must not make one huge page.
QUEUE_PAGE_SIZE = 25


def moderator_required(view):
    @login_required
    def wrapped(request, *args, **kwargs):
        if not permissions.is_moderator(request.user):
            raise PermissionDenied("The moderation queue is for moderators.")
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@moderator_required
@require_safe
def queue(request):
    """Each section pages on its own (`pending_page`, `changes_page`, `reports_page`,
    `closures_page`, `cases_page`, `events_page`, `unverified_page`, `jobs_page`)."""
    changes = ChangeRequest.objects.filter(status=ChangeRequest.Status.OPEN)
    reports = Report.objects.filter(status=Report.Status.OPEN)
    # Closures have their own section: each is an entry that may need archiving.
    closures = reports.filter(kind=Report.Kind.CLOSED)
    sections = {
        "pending": Entry.objects.filter(status=Entry.Status.PENDING).select_related("category"),
        "changes": changes.select_related("entry"),
        "reports": reports.exclude(kind=Report.Kind.CLOSED).select_related("entry"),
        "closures": closures.select_related("entry"),
        "cases": ThreatCase.objects.filter(review=ThreatCase.Review.PENDING).select_related(
            "entry"
        ),
        "events": ThreatEvent.objects.filter(review=ThreatEvent.Review.PENDING).select_related(
            "case__entry"
        ),
    }
    context = {
        name: page_with_links(
            request,
            items.order_by("-created_at", "-pk"),
            size=QUEUE_PAGE_SIZE,
            parameter=f"{name}_page",
        )
        for name, items in sections.items()
    }
    context["unverified"] = page_with_links(
        request,
        Entry.objects.published().filter(unverified=True).order_by("verified_at", "pk"),
        size=QUEUE_PAGE_SIZE,
        parameter="unverified_page",
    )
    context["jobs"] = page_with_links(
        request, jobs.failing(), size=QUEUE_PAGE_SIZE, parameter="jobs_page"
    )
    context["jobs"].object_list = [jobs.described(job) for job in context["jobs"]]
    context["job_attempts"] = settings.JOB_MAX_ATTEMPTS
    context["max_reminders"] = settings.FRESHNESS_MAX_REMINDERS
    context["decisions"] = ModerationDecision.objects.select_related("entry", "moderator")[:50]
    return render(request, "mapapp/moderation.html", context)


def _reason(request):
    form = DecisionForm(request.POST)
    if not form.is_valid():
        raise ValidationError({"reason": form.errors.get("reason", ["Invalid reason."])})
    return form.cleaned_data["reason"]


def _next(request):
    """Where to go after a decision: the form's `next` if it stays on this site, else the queue."""
    return next_on_this_site(request) or reverse("moderation")


def _done(request, text):
    messages.success(request, text)
    return redirect(_next(request))


def _refused(request, error):
    problems = error.message_dict.values() if hasattr(error, "message_dict") else [error.messages]
    messages.error(request, " ".join(p for group in problems for p in group))
    return redirect(_next(request))


@moderator_required
@require_POST
def decide_entry(request, slug, action):
    entry = get_object_or_404(Entry, slug=slug)
    if action not in ENTRY_ACTIONS:
        raise PermissionDenied("Unknown moderation action.")
    try:
        services.entry_moderate(
            entry=entry,
            moderator=request.user,
            action=ENTRY_ACTIONS[action],
            reason=_reason(request),
            # The queue shows pending entries: a click on one another moderator decided
            # meanwhile (published, then "Reject" from a stale page) must not undo that.
            expected_status=Entry.Status.PENDING,
        )
    except ValidationError as error:
        return _refused(request, error)
    return _done(request, f"\u201c{entry.name}\u201d: {ENTRY_ACTIONS[action].label.lower()}.")


@moderator_required
@require_POST
def decide_change(request, pk, action):
    change = get_object_or_404(ChangeRequest, pk=pk)
    try:
        if action == "apply":
            services.change_request_apply(
                change_request=change,
                moderator=request.user,
                confirm_version=_confirmed_version(request),
            )
        elif action == "decline":
            services.change_request_decline(
                change_request=change, moderator=request.user, reason=_reason(request)
            )
        else:
            raise PermissionDenied("Unknown moderation action.")
    except services.StaleSuggestion as stale:
        return _stale_suggestion(request, stale)
    except services.StaleVersion:
        messages.error(request, "The entry changed while you were deciding; look again.")
        return redirect(_next(request))
    except ValidationError as error:
        return _refused(request, error)
    return _done(request, f"Suggestion for \u201c{change.entry.name}\u201d: {action}ed.")


def _confirmed_version(request):
    """The entry version an "apply anyway" was shown; anything else confirms nothing."""
    value = request.POST.get("confirm_version", "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


def _stale_suggestion(request, stale):
    """Then / now / suggested for each field that moved on, with "apply anyway" or decline."""
    rows = [
        {
            "label": history.field_label(moved["field"]),
            "then": _shown(moved["then"]),
            "now": _shown(moved["now"]),
            "suggested": _shown(moved["suggested"]),
        }
        for moved in stale.fields
    ]
    context = {"change": stale.change_request, "entry": stale.entry, "rows": rows}
    context["next"] = _next(request)
    return render(request, "mapapp/suggestion_conflict.html", context, status=409)


def _shown(value):
    if hasattr(value, "coords"):
        return f"{value.x:.6f}, {value.y:.6f} (longitude, latitude)"
    return "" if value is None else str(value)


@moderator_required
@require_POST
def decide_report(request, pk, action):
    report = get_object_or_404(Report, pk=pk)
    if action not in {"resolve", "dismiss"}:
        raise PermissionDenied("Unknown moderation action.")
    try:
        services.report_close(
            report=report,
            moderator=request.user,
            resolved=action == "resolve",
            reason=_reason(request),
        )
    except ValidationError as error:
        return _refused(request, error)
    return _done(request, f"Report on \u201c{report.entry.name}\u201d: {action}d.")


@moderator_required
@require_POST
def decide_case(request, pk, action):
    return _review(request, get_object_or_404(ThreatCase, pk=pk), action)


@moderator_required
@require_POST
def decide_event(request, pk, action):
    return _review(request, get_object_or_404(ThreatEvent, pk=pk), action)


def _review(request, item, action):
    """Accept or decline a contributed case or event."""
    if action not in REVIEW_ACTIONS:
        raise PermissionDenied("Unknown moderation action.")
    accept, done = REVIEW_ACTIONS[action]
    try:
        services.contribution_review(item=item, moderator=request.user, accept=accept)
    except ValidationError as error:
        return _refused(request, error)
    return _done(request, f"\u201c{item}\u201d: {done}.")


@moderator_required
@require_POST
def revert(request, slug, history_id):
    entry = get_object_or_404(Entry, slug=slug)
    get_object_or_404(entry.history, history_id=history_id)
    try:
        services.entry_revert(
            entry=entry, moderator=request.user, history_id=history_id, reason=_reason(request)
        )
    except ValidationError as error:
        return _refused(request, error)
    messages.success(request, "Reverted. The revert is itself a new version in the history.")
    return redirect("entry-history", slug=entry.slug)
