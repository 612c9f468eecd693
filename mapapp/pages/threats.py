"""Contributors' pages of threat cases: open a case on an entry, edit one, add an event.

An owner's, a trusted contributor's or a moderator's contribution is public at once; anyone
else's waits for a moderator (services.may_publish_directly decides, the services enforce it)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from mapapp import permissions, services
from mapapp.models import Entry, ThreatCase
from mapapp.pages.threat_forms import CaseEditForm, CaseForm, EventForm
from mapapp.web.errors import wait_in_words


def _visible_entry(request, slug):
    entry = get_object_or_404(Entry.objects.select_related("category"), slug=slug)
    if not permissions.can_view(request.user, entry):
        raise Http404("No published entry has this address.")
    return entry


def _form_page(request, template, context, status=None):
    if status is None:
        status = 400 if context["form"].is_bound else 200
    return render(request, template, context, status=status)


def _too_many(request, template, context, wait):
    """A 429: a contribution that would wait for review passed the services' hourly limit."""
    context["rate_limited"] = f"Too many contributions; try again in {wait_in_words(wait)}."
    response = _form_page(request, template, context, status=429)
    response["Retry-After"] = str(wait)
    return response


def _thanks(request, item, what, case):
    """Back to the case on the entry's page, or to the page alone while the case is hidden."""
    if item.review == ThreatCase.Review.ACCEPTED:
        messages.success(request, f"Your {what} is published.")
    else:
        messages.success(
            request, f"Thank you! Your {what} awaits review by a moderator before it appears."
        )
    if case.is_public:
        return redirect(case.get_absolute_url())
    return redirect(case.entry)


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request, slug):
    """Open a case: report a threat to an entry."""
    entry = _visible_entry(request, slug)
    form = CaseForm(request.POST or None)
    context = {
        "form": form,
        "entry": entry,
        "pending": not services.may_publish_directly(request.user, entry),
    }
    if request.method != "POST" or not form.is_valid():
        return _form_page(request, "mapapp/case_form.html", context)
    try:
        case = services.case_submit(entry=entry, author=request.user, data=form.cleaned())
    except services.TooManyContributions as limited:
        return _too_many(request, "mapapp/case_form.html", context, limited.wait)
    except ValidationError as error:
        form.attach(error)
        return _form_page(request, "mapapp/case_form.html", context)
    return _thanks(request, case, "case", case)


@login_required
@require_http_methods(["GET", "POST"])
def case_edit(request, slug, pk):
    """Edit a case, its status and closing date included (owners, trusted, moderators)."""
    entry = _visible_entry(request, slug)
    case = get_object_or_404(ThreatCase, pk=pk, entry=entry)
    if not services.may_publish_directly(request.user, entry):
        raise PermissionDenied(
            "Only the entry's owner, trusted contributors or moderators edit cases."
        )
    form = CaseEditForm(request.POST or None, initial=CaseEditForm.initial_for(case))
    context = {"form": form, "entry": entry, "case": case, "pending": False}
    if request.method != "POST" or not form.is_valid():
        return _form_page(request, "mapapp/case_form.html", context)
    try:
        case = services.case_update(
            case=case,
            editor=request.user,
            data=form.cleaned(),
            expected_version=form.cleaned_data["version"],
        )
    except services.StaleCase as stale:
        return _stale_case(request, context, stale.case)
    except ValidationError as error:
        form.attach(error)
        return _form_page(request, "mapapp/case_form.html", context)
    messages.success(request, "Your changes to the case are saved.")
    return redirect(case.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def event_new(request, slug, pk):
    """Add a dated, sourced event to a public case (or, for those who may publish directly,
    to any case not declined)."""
    entry = _visible_entry(request, slug)
    case = get_object_or_404(services.cases_open_to_events(request.user, entry), pk=pk)
    form = EventForm(request.POST or None, case=case)
    context = {
        "form": form,
        "entry": entry,
        "case": case,
        "pending": not services.may_publish_directly(request.user, entry),
    }
    if request.method != "POST" or not form.is_valid():
        return _form_page(request, "mapapp/event_form.html", context)
    try:
        event = services.event_submit(case=case, author=request.user, data=form.cleaned())
    except services.TooManyContributions as limited:
        return _too_many(request, "mapapp/event_form.html", context, limited.wait)
    except ValidationError as error:
        form.attach(error)
        return _form_page(request, "mapapp/event_form.html", context)
    return _thanks(request, event, "event", case)


def _stale_case(request, context, current):
    """A 409: someone saved the case since this editor opened it. Their changes stay in the
    form, now based on the current version, so saving again is a deliberate choice."""
    data = request.POST.copy()
    data["version"] = str(current.version)
    form = CaseEditForm(data)
    form.is_valid()
    form.add_error(
        None,
        "Someone saved this case since you opened it. The entry's page shows the case as it "
        "is now; save again to replace that with what you see here.",
    )
    context = {**context, "form": form, "case": current}
    return _form_page(request, "mapapp/case_form.html", context, status=409)
