"""Residents' pages: add an entry, edit one, suggest a change, report a problem, see history."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from mapapp import permissions, services
from mapapp.models import Entry
from mapapp.pages.forms import EditEntryForm, NewEntryForm, ReportForm, SuggestChangeForm
from mapapp.pages.mapconfig import map_config
from mapapp.reads import history, similar
from mapapp.web import ratelimit
from mapapp.web.errors import wait_in_words


def _page(request, template, context, status=200):
    context.setdefault("config", map_config(request))
    return render(request, template, context, status=status)


def _limited(request, scope):
    """Seconds an anonymous visitor must wait before another submission, or 0."""
    if request.user.is_authenticated:
        return 0
    return ratelimit.hit(
        scope, ratelimit.client_key(request), limit=settings.ANONYMOUS_SUBMISSIONS_PER_HOUR
    )


def _too_many(request, template, context, wait):
    context["rate_limited"] = f"Too many submissions from here; try again in {wait_in_words(wait)}."
    response = _page(request, template, context, status=429)
    response["Retry-After"] = str(wait)
    return response


def _visible_entry(request, slug):
    entry = get_object_or_404(Entry.objects.select_related("category"), slug=slug)
    if not permissions.can_view(request.user, entry):
        raise Http404("No published entry has this address.")
    return entry


@require_http_methods(["GET", "POST"])
def entry_new(request):
    anonymous = not request.user.is_authenticated
    if anonymous and not settings.ALLOW_ANONYMOUS_SUGGESTIONS:
        return redirect(f"{reverse('account_login')}?next={request.path}")
    form = NewEntryForm(request.POST or None)
    context = {"form": form, "anonymous": anonymous, "precision_help": precision_help()}
    if request.method != "POST" or not form.is_valid():
        return _page(request, "mapapp/entry_form.html", context, 400 if form.is_bound else 200)
    data = form.entry_data()
    duplicates = similar.similar_entries(data["name"], data["location"], user=request.user)
    if duplicates and not form.cleaned_data["confirm_new"]:
        context["duplicates"] = duplicates
        return _page(request, "mapapp/entry_form.html", context)
    if "preview" in request.POST:
        context["preview"] = data
        return _page(request, "mapapp/entry_form.html", context)
    if wait := _limited(request, "suggest"):
        return _too_many(request, "mapapp/entry_form.html", context, wait)
    try:
        entry = services.entry_submit(
            author=request.user if not anonymous else None,
            data=data,
            tag_names=form.cleaned_data["tags"],
            contact_email=form.cleaned_data.get("contact_email", ""),
        )
    except ValidationError as error:
        _attach_errors(form, error)
        return _page(request, "mapapp/entry_form.html", context, 400)
    if entry.is_public:
        messages.success(request, "Your entry is published. Thank you!")
        return redirect(entry)
    messages.success(request, "Thank you! A moderator will review your entry before it appears.")
    return redirect("my-entries" if not anonymous else "home")


@require_http_methods(["GET", "POST"])
def entry_edit(request, slug):
    entry = _visible_entry(request, slug)
    if not permissions.can_edit(request.user, entry):
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        raise PermissionDenied("Only the entry's owner or a moderator can edit it.")
    initial = {**EditEntryForm.initial_for(entry), "version": entry.version}
    form = EditEntryForm(request.POST or None, initial=initial)
    context = {"form": form, "entry": entry, "precision_help": precision_help()}
    if request.method != "POST" or not form.is_valid():
        return _page(request, "mapapp/entry_edit.html", context, 400 if form.is_bound else 200)
    try:
        entry = services.entry_edit(
            entry=entry,
            editor=request.user,
            data=form.entry_data(),
            expected_version=form.cleaned_data["version"],
            tag_names=form.cleaned_data["tags"],
        )
    except services.StaleVersion as stale:
        context["conflict"] = history.changes_since(stale.entry, form.cleaned_data["version"])
        context["current"] = stale.entry
        return _page(request, "mapapp/entry_edit.html", context, 409)
    except ValidationError as error:
        _attach_errors(form, error)
        return _page(request, "mapapp/entry_edit.html", context, 400)
    messages.success(request, "Your changes are saved.")
    return redirect(entry)


@require_http_methods(["GET", "POST"])
def entry_suggest(request, slug):
    entry = _visible_entry(request, slug)
    initial = {**SuggestChangeForm.initial_for(entry), "version": entry.version}
    form = SuggestChangeForm(request.POST or None, initial=initial)
    context = {
        "form": form,
        "entry": entry,
        "anonymous": not request.user.is_authenticated,
        "precision_help": precision_help(),
    }
    if request.method != "POST" or not form.is_valid():
        return _page(request, "mapapp/entry_suggest.html", context, 400 if form.is_bound else 200)
    changes = services.suggested_changes(
        shown=SuggestChangeForm.initial_for(entry), proposed=form.cleaned_data
    )
    if not changes:
        form.add_error(None, "Nothing is different from the entry as it is. Change a field first.")
        return _page(request, "mapapp/entry_suggest.html", context, 400)
    if wait := _limited(request, "suggest"):
        return _too_many(request, "mapapp/entry_suggest.html", context, wait)
    try:
        services.change_request_create(
            entry=entry,
            proposer=request.user if request.user.is_authenticated else None,
            message=form.cleaned_data["message"],
            changes=changes,
            contact_email=form.cleaned_data.get("contact_email", ""),
        )
    except ValidationError as error:
        _attach_errors(form, error)
        return _page(request, "mapapp/entry_suggest.html", context, 400)
    messages.success(request, "Thank you! A moderator will look at your suggestion.")
    return redirect(entry)


@require_http_methods(["GET", "POST"])
def entry_report(request, slug):
    entry = _visible_entry(request, slug)
    form = ReportForm(request.POST or None)
    context = {"form": form, "entry": entry}
    if request.method != "POST" or not form.is_valid():
        return _page(request, "mapapp/entry_report.html", context, 400 if form.is_bound else 200)
    if wait := _limited(request, "report"):
        return _too_many(request, "mapapp/entry_report.html", context, wait)
    services.report_create(
        entry=entry,
        reporter=request.user if request.user.is_authenticated else None,
        kind=form.cleaned_data["kind"],
        message=form.cleaned_data["message"],
    )
    messages.success(request, "Thank you for the report. A moderator will look into it.")
    return redirect(entry)


@require_safe
def entry_history(request, slug):
    entry = _visible_entry(request, slug)
    context = {
        "entry": entry,
        "versions": history.entry_versions(entry),
        "case_versions": history.case_versions(entry),
        "can_revert": permissions.is_moderator(request.user),
    }
    return render(request, "mapapp/entry_history.html", context)


@login_required
@require_safe
def my_entries(request):
    entries = Entry.objects.filter(created_by=request.user).select_related("category")
    context = {"entries": entries.order_by("-updated_at")}
    return render(request, "mapapp/my_entries.html", context)


def precision_help():
    from mapapp.pages.forms import PRECISION_HELP

    return PRECISION_HELP


def _attach_errors(form, error):
    for field, problems in error.message_dict.items():
        target = field if field in form.fields else None
        if field == "location":
            target = "longitude"
        for problem in problems:
            form.add_error(target, problem)
