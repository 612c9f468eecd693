"""The import pages: upload a list, map its columns, follow the dry run, review its report,
confirm or abandon, and download a source back in its own columns. For trusted contributors
and moderators; every page here is someone's own work in progress, never cached publicly
(mapapp.web.middleware.NoStoreFormsMiddleware sees the signed-in session)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import capfirst
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from mapapp import permissions
from mapapp.imports.plan import ACTIONS as PLAN_ACTIONS
from mapapp.models import ImportRun, ImportSource
from mapapp.pages.imports_forms import (
    MappingForm,
    SheetForm,
    UploadForm,
    attach_errors,
    target_choices,
)
from mapapp.pages.paging import page_with_links
from mapapp.services import imports as service

Status = ImportRun.Status
TARGET_LABELS = dict(target_choices()[1:]) | {"row": "Row", "status": "Status"}
RUNS_PAGE_SIZE = 20
SOURCES_PAGE_SIZE = 20
REPORT_PAGE_SIZE = 50
# Which part of the run's page each status shows.
STEPS = {
    Status.UPLOADED: "mapping",
    Status.FAILED: "mapping",
    Status.PLANNING: "progress",
    Status.APPLYING: "progress",
    Status.PLANNED: "report",
    Status.APPLIED: "result",
    Status.ABANDONED: "result",
}
# How the page names each of the dry run's actions (mapapp.imports.plan.ACTIONS, in order).
ACTION_LABELS = {
    "create": "Create",
    "update": "Update",
    "unchanged": "Leave unchanged",
    "reject": "Reject",
    "conflict": "Leave (edited on Commons Map since)",
    "restore": "Restore",
    "archive": "Archive",
}
ACTIONS = {name: ACTION_LABELS.get(name, capfirst(name)) for name in PLAN_ACTIONS}
# The journey, as the page's step list names it.
STEP_LABELS = [
    ("mapping", "Map the columns"),
    ("progress", "Dry run"),
    ("report", "Review and confirm"),
    ("result", "Done"),
]


def importer_required(view):
    """Signed in (else the sign-in page) and allowed to import (else a 403 saying who is)."""

    @login_required
    def wrapped(request, *args, **kwargs):
        if not permissions.can_import(request.user):
            raise PermissionDenied(
                "Imports are for trusted contributors and moderators. If your group keeps a "
                "list it would like on the map, ask a moderator."
            )
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _run_for(request, pk):
    """The run if this person may follow it; another importer's run is not found."""
    runs = permissions.viewable_runs(ImportRun.objects.select_related("source"), request.user)
    return get_object_or_404(runs, pk=pk)


@importer_required
@require_http_methods(["GET", "HEAD", "POST"])
def import_list(request):
    """The sources, the runs this person may follow, and the upload form."""
    form = UploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        run = _uploaded(request, form)
        if run:
            return redirect("import-run", pk=run.pk)
        status = 400
    runs = permissions.viewable_runs(ImportRun.objects.select_related("source"), request.user)
    context = {
        "form": form,
        "runs": page_with_links(request, runs, size=RUNS_PAGE_SIZE, parameter="runs_page"),
        "sources": page_with_links(
            request, ImportSource.objects.all(), size=SOURCES_PAGE_SIZE, parameter="sources_page"
        ),
    }
    return render(request, "mapapp/imports/list.html", context, status=status)


def _uploaded(request, form):
    """The new run, or None with the problems attached to the form."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        return service.import_upload(
            user=request.user,
            upload=data["upload"],
            filename=data["upload"].name,
            source=data["source"],
            source_name=data["source_name"],
            licence=data["licence"],
            encoding=data["encoding"] or None,
            sheet=data["sheet"],
        )
    except ValidationError as error:
        attach_errors(form, error)
        return None


@importer_required
@require_http_methods(["GET", "HEAD", "POST"])
def import_run(request, pk):
    """The step the run is at: mapping (POST plans it), progress, the report, or the result."""
    run = _run_for(request, pk)
    step = STEPS[run.status]
    form = None
    if request.method == "POST" or step == "mapping":
        form = _mapping_form(request, run, request.POST or None)
    if request.method == "POST":
        if _planned(request, run, form):
            return redirect("import-run", pk=run.pk)
        return _run_page(request, run, "mapping", form=form, status=400)
    return _run_page(request, run, step, form=form)


def _mapping_form(request, run, data=None):
    may_publish = permissions.can_publish_import(request.user)
    return MappingForm(data, run=run, may_publish=may_publish)


def _run_page(request, run, step, *, form=None, sheet_form=None, status=200):
    context = {"run": run, "step": step, "form": form, "steps": STEP_LABELS}
    if step == "mapping" and run.preview.get("sheets"):
        context["sheet_form"] = sheet_form or SheetForm(run=run)
    if step == "progress":
        context["progress"] = service.import_progress(run)
    if step in {"report", "result"}:
        context.update(_report(request, run))
    return render(request, "mapapp/imports/run.html", context, status=status)


@importer_required
@require_POST
def import_sheet(request, pk):
    """Preview another sheet of the run's workbook (before mapping); its mapping starts again."""
    run = _run_for(request, pk)
    sheet_form = SheetForm(request.POST, run=run)
    try:
        service.import_choose_sheet(run=run, user=request.user, sheet=request.POST.get("sheet"))
    except ValidationError as error:
        if STEPS[run.status] != "mapping":
            messages.error(request, " ".join(error.messages))
            return redirect("import-run", pk=run.pk)
        attach_errors(sheet_form, error)
        form = _mapping_form(request, run)
        return _run_page(request, run, "mapping", form=form, sheet_form=sheet_form, status=400)
    messages.success(request, f"Showing the sheet {run.sheet!r}: choose its columns below.")
    return redirect("import-run", pk=run.pk)


def _planned(request, run, form):
    """True once the mapping is accepted and the dry run queued; else the form has why."""
    if not form.is_valid():
        return False
    try:
        service.import_map(
            run=run,
            user=request.user,
            mapping=form.mapping(),
            id_column=form.cleaned_data["id_column"],
            category=form.cleaned_data["category"],
            publish=form.cleaned_data.get("publish", False),
        )
    except ValidationError as error:
        attach_errors(form, error)
        return False
    return True


def _report(request, run):
    """The dry run's counts and one page of its lines, only those of `action` if given."""
    report = run.report or {}
    lines = run.plan_lines.order_by("position")
    action = request.GET.get("action", "")
    if action in ACTIONS:
        lines = lines.filter(action=action)
    else:
        action = ""
    page = page_with_links(request, lines.values_list("line", flat=True), size=REPORT_PAGE_SIZE)
    page.object_list = [_shown_row(row) for row in page.object_list]
    counts = report.get("counts", {})
    return {
        "counted": [(n, label, counts[n]) for n, label in ACTIONS.items() if n in counts],
        "rows": page,
        "action": action,
        "action_label": ACTIONS.get(action, ""),
    }


def _shown_row(row):
    """One row of the report as the page shows it: labelled problems and changes."""
    changes = row.get("changes") or {}
    return {
        "number": row.get("row"),
        "action": row.get("action", ""),
        "action_label": ACTIONS.get(row.get("action"), row.get("action", "")),
        "name": row.get("name", ""),
        "url": reverse("entry-detail", args=[row["entry"]]) if row.get("entry") else "",
        "problems": [(_label(f), m) for f, m in (row.get("problems") or {}).items()],
        "changes": [(_label(f), *_old_new(change)) for f, change in changes.items()],
        "duplicates": [_duplicate(d) for d in row.get("duplicates") or []],
        "flags": row.get("flags") or [],
    }


def _label(name):
    """A report's field name as the page names it (its own text if it is no entry field)."""
    return TARGET_LABELS.get(name, capfirst(str(name)))


def _old_new(change):
    """(old, new) of a change, given as [old, new] or {"old": …, "new": …}."""
    if isinstance(change, dict):
        return change.get("old"), change.get("new")
    old, new = (list(change) + [None, None])[:2]
    return old, new


def _duplicate(duplicate):
    """A likely duplicate as a name, how far it is, and a link to the existing entry."""
    slug = duplicate.get("entry", "")
    return {
        "name": duplicate.get("name") or slug,
        "url": reverse("entry-detail", args=[slug]) if slug else "",
        "note": duplicate.get("distance", ""),
    }


@importer_required
@require_safe
def import_progress(request, pk):
    """{status, done, total, percent, message} for the page's progress bar."""
    return JsonResponse(service.import_progress(_run_for(request, pk)))


@importer_required
@require_POST
def import_confirm(request, pk):
    run = _run_for(request, pk)
    try:
        service.import_confirm(run=run, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Confirmed: the import is being applied.")
    return redirect("import-run", pk=run.pk)


@importer_required
@require_POST
def import_abandon(request, pk):
    run = _run_for(request, pk)
    try:
        service.import_abandon(run=run, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Abandoned: nothing was imported and the file is deleted.")
    return redirect("import-run", pk=run.pk)


@importer_required
@require_safe
def source_export(request, slug):
    """The source's entries as CSV in the source's own columns, to edit and import again."""
    source = get_object_or_404(ImportSource, slug=slug)
    body = service.source_export(source=source, user=request.user)
    response_class = HttpResponse if isinstance(body, (bytes, str)) else StreamingHttpResponse
    response = response_class(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{source.slug}.csv"'
    return response
