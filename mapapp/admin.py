"""Admin: a GeoDjango admin with Leaflet maps, served entirely from our static files."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from leaflet.admin import LeafletGeoAdmin

from mapapp import permissions, services
from mapapp.models import (
    EDITABLE_FIELDS,
    Category,
    ChangeRequest,
    DeadlineRule,
    Entry,
    ImportedRecord,
    ImportRun,
    ImportSource,
    ModerationDecision,
    Profile,
    Report,
    Tag,
    ThreatCase,
    ThreatEvent,
)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "colour", "order"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]

    def save_model(self, request, obj, form, change):
        services.category_save(category=obj)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]

    def save_model(self, request, obj, form, change):
        services.tag_save(tag=obj)


def _bulk_status(modeladmin, request, queryset, action, verb):
    """Bulk decisions go through the same service as the moderation queue, so each one is
    logged and its submitter told, exactly as a decision made there would be."""
    changed = 0
    try:
        for entry in queryset:
            if entry.status != services.MODERATION_STATUS[action]:
                services.entry_moderate(
                    entry=entry,
                    moderator=request.user,
                    action=action,
                    reason=f"{verb} in the admin.",
                )
                changed += 1
    except PermissionDenied as refused:
        modeladmin.message_user(request, str(refused), messages.ERROR)
        return
    modeladmin.message_user(request, f"{verb} {changed} entries.", messages.SUCCESS)


STALE_ADMIN_SAVE = (
    "Someone saved this entry since you opened it (it is now at version {version}). "
    "Your changes were not saved, so nothing of theirs is lost: open the entry again to see "
    "their version, then make your changes."
)


class TagChoiceField(forms.ModelMultipleChoiceField):
    """Tag ids longer than any database integer are refused before any query: SQLite raises
    OverflowError on them (a 500) instead of matching nothing. The form shown again with the
    error leaves them out too, as its widget looks the chosen ids up."""

    MAX_ID_DIGITS = 18

    def clean(self, value):
        for pk in value if isinstance(value, (list, tuple)) else ():
            if self._too_long(pk):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": str(pk)[:20]},
                )
        return super().clean(value)

    def prepare_value(self, value):
        value = super().prepare_value(value)
        if isinstance(value, list):
            return [pk for pk in value if not self._too_long(pk)]
        return value

    def _too_long(self, pk):
        return len(str(pk).strip().lstrip("+-")) > self.MAX_ID_DIGITS


class EntryAdminForm(forms.ModelForm):
    # The version the form was loaded at: a save from an older one would overwrite an edit.
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        loaded = cleaned.get("loaded_version")
        if self.instance.pk and loaded != self.instance.version:
            raise forms.ValidationError(
                STALE_ADMIN_SAVE.format(version=self.instance.version), code="stale"
            )
        return cleaned


class ThreatListFilter(admin.ChoicesFieldListFilter):
    """The model labels threat with the forms' question ("Under threat?"); the admin's list
    of filters reads "By threat"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = "threat"


def entry_fieldsets():
    """The editable fields in the admin's groups; the admin adds slug, tags and provenance."""
    groups = {None: [], "Location": [], "Contact": []}
    first = {"location": "Location", "website": "Contact"}
    group = None
    for field in EDITABLE_FIELDS:
        group = first.get(field, group)
        groups[group].append(field)
    groups[None][1:1] = ["slug", "tags"]
    # Derived from the entry's threat cases (listed below the form), never typed here.
    groups["Threat (from its cases)"] = ["threat", "threat_note", "threat_cases"]
    provenance = ["status", "source", "licence", "version", "loaded_version"]
    provenance += ["created_at", "updated_at", "published_at"]
    return [(title, {"fields": fields}) for title, fields in groups.items()] + [
        ("Status and provenance", {"fields": provenance})
    ]


@admin.register(Entry)
class EntryAdmin(LeafletGeoAdmin):
    form = EntryAdminForm
    list_display = ["name", "category", "status", "threat", "precision", "locality", "updated_at"]
    list_filter = ["status", "category", ("threat", ThreatListFilter), "precision"]
    search_fields = ["name", "summary", "locality", "postcode"]
    # Status changes only through the actions below (entry_moderate: a decision is logged,
    # the submitter told, published_at stamped), never by editing the field.
    readonly_fields = ["slug", "status", "version", "created_at", "updated_at", "published_at"]
    readonly_fields += ["threat", "threat_note", "threat_cases"]
    autocomplete_fields = ["tags"]
    list_select_related = ["category"]
    actions = ["publish", "reject", "archive"]
    formfield_overrides = {
        models.URLField: {"form_class": forms.URLField, "assume_scheme": "https"}
    }
    fieldsets = entry_fieldsets()

    @admin.display(description="cases")
    def threat_cases(self, entry):
        """The entry's cases, each a link to its own admin page (where its events are)."""
        if not entry.pk:
            return "-"
        links = [
            format_html(
                '<li><a href="{}">{}</a> ({}, {}, opened {})</li>',
                reverse("admin:mapapp_threatcase_change", args=[case.pk]),
                case.title,
                case.get_status_display(),
                case.get_review_display(),
                case.opened_on.isoformat(),
            )
            for case in entry.cases.order_by("-opened_on", "-id")
        ]
        add = format_html(
            '<a href="{}?entry={}">Open a case</a>',
            reverse("admin:mapapp_threatcase_add"),
            entry.pk,
        )
        items = format_html_join("", "{}", ((link,) for link in links))
        return format_html("<ul>{}</ul>{}", items, add)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "tags":
            kwargs["form_class"] = TagChoiceField
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        # Deletes archive: entries leave the map through the "Archive" action, never the bin.
        return False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.StaleVersion as stale:
            # A save that slipped in after the form was checked: nothing was written.
            self.message_user(
                request, STALE_ADMIN_SAVE.format(version=stale.entry.version), messages.ERROR
            )
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        services.entry_save_from_admin(
            entry=obj,
            editor=request.user,
            expected_version=form.cleaned_data.get("loaded_version") if change else None,
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.entry_refresh_tags(entry=form.instance)

    @admin.action(description="Publish selected entries")
    def publish(self, request, queryset):
        _bulk_status(self, request, queryset, ModerationDecision.Action.PUBLISH, "Published")

    @admin.action(description="Reject selected entries")
    def reject(self, request, queryset):
        _bulk_status(self, request, queryset, ModerationDecision.Action.REJECT, "Rejected")

    @admin.action(description="Archive selected entries")
    def archive(self, request, queryset):
        _bulk_status(self, request, queryset, ModerationDecision.Action.ARCHIVE, "Archived")


@admin.register(ModerationDecision)
class ModerationDecisionAdmin(admin.ModelAdmin):
    list_display = ["created_at", "action", "entry", "moderator"]
    list_filter = ["action"]
    readonly_fields = ["entry", "moderator", "action", "reason", "created_at"]

    def has_add_permission(self, request):
        return False  # the log is written by decisions, never by hand

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["created_at", "entry", "kind", "status"]
    list_filter = ["status", "kind"]
    raw_id_fields = ["entry", "reporter"]
    # Closed only in the moderation queue (report_close), which logs the decision.
    readonly_fields = ["status"]


@admin.register(ChangeRequest)
class ChangeRequestAdmin(admin.ModelAdmin):
    list_display = ["created_at", "entry", "status"]
    list_filter = ["status"]
    raw_id_fields = ["entry", "proposer"]
    # Applied or declined only in the moderation queue, which logs the decision.
    readonly_fields = ["status"]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "display_name"]
    raw_id_fields = ["user"]


# Threat cases and deadline rules. Every save goes through mapapp.services.threats, so each
# change is validated, recorded in the history, and the cases' deadlines and the entry's threat
# are derived again; nothing here writes those derived values itself.


class ModeratorsOnly:
    """Threat cases and rules are moderators' work (superusers included); staff a superuser
    gave a model's permissions to also, where staff_with_permissions says so."""

    staff_with_permissions = False

    def _allowed(self, request, check, *args):
        if permissions.is_moderator(request.user):
            return True
        return self.staff_with_permissions and getattr(super(), check)(request, *args)

    def has_module_permission(self, request):
        return self._allowed(request, "has_module_permission")

    def has_view_permission(self, request, obj=None):
        return self._allowed(request, "has_view_permission", obj)

    def has_add_permission(self, request, *args):
        return self._allowed(request, "has_add_permission", *args)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request, "has_change_permission", obj)

    def has_delete_permission(self, request, obj=None):
        # Cases close as saved, lost or withdrawn, and rules are made inactive: the record
        # stays, and no deletion can skip deriving the entry's threat again.
        return False


class ServiceErrors:
    """A ValidationError the service raises after the form passed (a concurrent edit moved a
    date) rolled everything back: say so on the page, not as a 500."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as refused:
            self.message_user(request, " ".join(refused.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(ModeratorsOnly, ServiceErrors, admin.ModelAdmin):
    # rule_save checks nothing of who saves: the admin's permissions are the gate.
    staff_with_permissions = True
    list_display = ["name", "trigger", "after", "amount", "unit", "legal_basis", "active"]
    list_filter = ["active", "unit", "trigger"]
    search_fields = ["name", "legal_basis", "explanation"]
    fields = [
        "name",
        "trigger",
        "after",
        "amount",
        "unit",
        "legal_basis",
        "explanation",
        "source_url",
        "active",
    ]
    formfield_overrides = {
        models.URLField: {"form_class": forms.URLField, "assume_scheme": "https"}
    }

    def save_model(self, request, obj, form, change):
        # rule_save recomputes every case's deadlines under the changed rule.
        obj._history_user = request.user
        services.rule_save(rule=obj)


class CaseEventsInline(admin.TabularInline):
    """The case's events as recorded: read-only, as events are corrected by adding others."""

    model = ThreatEvent
    verbose_name_plural = "events"
    fields = ["happened_on", "kind", "source_url", "note", "review"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return permissions.is_moderator(request.user)


class NewEventsInline(admin.TabularInline):
    """Events to add to the case, each through services.event_create."""

    model = ThreatEvent
    verbose_name = "new event"
    verbose_name_plural = "add events"
    fields = ["happened_on", "kind", "source_url", "note"]
    extra = 1
    can_delete = False
    formfield_overrides = {
        models.URLField: {"form_class": forms.URLField, "assume_scheme": "https"}
    }

    def get_queryset(self, request):
        return super().get_queryset(request).none()

    def has_view_permission(self, request, obj=None):
        return permissions.is_moderator(request.user)

    def has_add_permission(self, request, obj=None):
        return permissions.is_moderator(request.user)

    def has_change_permission(self, request, obj=None):
        return permissions.is_moderator(request.user)


@admin.register(ThreatCase)
class ThreatCaseAdmin(ModeratorsOnly, ServiceErrors, admin.ModelAdmin):
    list_display = ["title", "entry", "kind", "status", "review", "opened_on", "closed_on"]
    list_filter = ["status", "kind", "review", "entry__category"]
    search_fields = ["title", "summary", "decider_name", "entry__name"]
    date_hierarchy = "opened_on"
    list_select_related = ["entry"]
    autocomplete_fields = ["entry"]
    readonly_fields = ["review", "created_at", "updated_at"]
    fields = ["entry", *services.CASE_FIELDS, *readonly_fields]
    inlines = [CaseEventsInline, NewEventsInline]
    actions = ["accept", "decline"]
    formfield_overrides = {
        models.URLField: {"form_class": forms.URLField, "assume_scheme": "https"}
    }

    def get_readonly_fields(self, request, obj=None):
        # A case stays with the entry it was opened on.
        return [*self.readonly_fields, "entry"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        data = {name: getattr(obj, name) for name in services.CASE_FIELDS}
        if change:
            saved = services.case_update(case=obj, editor=request.user, data=data)
        else:
            saved = services.case_create(entry=obj.entry, author=request.user, data=data)
        obj.pk, obj.review, obj.created_at = saved.pk, saved.review, saved.created_at

    def save_formset(self, request, form, formset, change):
        # Only new events are saved (existing ones are read-only), each through the service.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for event_form in formset.forms:
            if event_form.instance.pk or not event_form.has_changed():
                continue
            data = {name: event_form.cleaned_data[name] for name in services.EVENT_FIELDS}
            formset.new_objects.append(
                services.event_create(case=form.instance, author=request.user, data=data)
            )

    @admin.action(description="Accept the selected pending cases")
    def accept(self, request, queryset):
        self._review(request, queryset, accept=True)

    @admin.action(description="Decline the selected pending cases")
    def decline(self, request, queryset):
        self._review(request, queryset, accept=False)

    def _review(self, request, queryset, *, accept):
        done = 0
        for case in queryset.filter(review=ThreatCase.Review.PENDING):
            try:
                services.contribution_review(item=case, moderator=request.user, accept=accept)
            except ValidationError as refused:
                self.message_user(request, f"{case}: {' '.join(refused.messages)}", messages.ERROR)
                continue
            done += 1
        verb = "Accepted" if accept else "Declined"
        self.message_user(request, f"{verb} {done} cases.", messages.SUCCESS)


# Imports: a source, its runs and its records are made and changed by the import steps
# (mapapp.services.imports), which keep them consistent with the entries they wrote. Here a
# moderator reads them, and may correct a source's licence or default category, which the next
# run of it applies; nothing is added or deleted by hand (an entry made by an import would lose
# the tie that keeps re-imports of its row idempotent).


class ReadOnlyImports(ModeratorsOnly):
    editable = ()  # the fields a moderator may change
    extra_readonly = ()  # computed fields shown on the change page

    def has_add_permission(self, request, *args):
        return False

    def get_readonly_fields(self, request, obj=None):
        names = [f.name for f in self.model._meta.fields if f.name not in self.editable]
        return [*names, *self.extra_readonly]


@admin.register(ImportSource)
class ImportSourceAdmin(ReadOnlyImports, admin.ModelAdmin):
    editable = ("licence", "category")
    list_display = ["name", "licence", "format", "last_imported_at", "record_count"]
    search_fields = ["name", "licence"]
    list_select_related = ["category"]
    extra_readonly = ("record_count",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(record_total=models.Count("records"))

    @admin.display(description="records", ordering="record_total")
    def record_count(self, source):
        return source.record_total


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyImports, admin.ModelAdmin):
    list_display = ["created_at", "source", "original_filename", "status", "progress", "page"]
    list_filter = ["status", "format"]
    search_fields = ["source__name", "original_filename"]
    list_select_related = ["source"]
    date_hierarchy = "created_at"
    extra_readonly = ("page",)

    def has_change_permission(self, request, obj=None):
        # Viewed only: the run's steps (plan, confirm, abandon) are taken on its page.
        return False

    @admin.display(description="progress")
    def progress(self, run):
        return f"{run.progress_done:,}/{run.progress_total:,}"

    @admin.display(description="page")
    def page(self, run):
        return format_html('<a href="{}">open the run</a>', reverse("import-run", args=[run.pk]))


@admin.register(ImportedRecord)
class ImportedRecordAdmin(ReadOnlyImports, admin.ModelAdmin):
    list_display = ["source", "row_id", "entry", "entry_version", "imported_at"]
    list_filter = ["source"]
    search_fields = ["row_id", "entry__name", "entry__slug"]
    list_select_related = ["source", "entry"]
    # A source holds 100,000 records: no count of all of them on every page.
    show_full_result_count = False

    def has_change_permission(self, request, obj=None):
        return False
