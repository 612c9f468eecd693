"""The moderators' queue: pending entries, suggested changes and reports, and their decisions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from mapapp import permissions, services
from mapapp.forms import DecisionForm
from mapapp.models import ChangeRequest, Entry, ModerationDecision, Report

ENTRY_ACTIONS = {
    "publish": ModerationDecision.Action.PUBLISH,
    "reject": ModerationDecision.Action.REJECT,
    "archive": ModerationDecision.Action.ARCHIVE,
}


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
    context = {
        "pending": Entry.objects.filter(status="pending").select_related("category"),
        "changes": ChangeRequest.objects.filter(status="open").select_related("entry"),
        "reports": Report.objects.filter(status="open").select_related("entry"),
        "decisions": ModerationDecision.objects.select_related("entry", "moderator")[:50],
    }
    return render(request, "mapapp/moderation.html", context)


def _reason(request):
    form = DecisionForm(request.POST)
    if not form.is_valid():
        raise ValidationError({"reason": form.errors.get("reason", ["Invalid reason."])})
    return form.cleaned_data["reason"]


def _done(request, text):
    messages.success(request, text)
    return redirect(request.POST.get("next") or "moderation")


def _refused(request, error):
    problems = error.message_dict.values() if hasattr(error, "message_dict") else [error.messages]
    messages.error(request, " ".join(p for group in problems for p in group))
    return redirect(request.POST.get("next") or "moderation")


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
            services.change_request_apply(change_request=change, moderator=request.user)
        elif action == "decline":
            services.change_request_decline(
                change_request=change, moderator=request.user, reason=_reason(request)
            )
        else:
            raise PermissionDenied("Unknown moderation action.")
    except services.StaleVersion:
        messages.error(request, "The entry changed while you were deciding; look again.")
        return redirect("moderation")
    except ValidationError as error:
        return _refused(request, error)
    return _done(request, f"Suggestion for \u201c{change.entry.name}\u201d: {action}ed.")


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
