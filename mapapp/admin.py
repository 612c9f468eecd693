"""Admin: a GeoDjango admin with Leaflet maps, served entirely from our static files."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpResponseRedirect
from leaflet.admin import LeafletGeoAdmin

from mapapp import services
from mapapp.models import (
    EDITABLE_FIELDS,
    Category,
    ChangeRequest,
    Entry,
    ModerationDecision,
    Profile,
    Report,
    Tag,
)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "colour", "order"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


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
    groups = {None: [], "Location": [], "Contact": [], "Threat": []}
    first = {"location": "Location", "website": "Contact", "threat": "Threat"}
    group = None
    for field in EDITABLE_FIELDS:
        group = first.get(field, group)
        groups[group].append(field)
    groups[None][1:1] = ["slug", "tags"]
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
    autocomplete_fields = ["tags"]
    list_select_related = ["category"]
    actions = ["publish", "reject", "archive"]
    formfield_overrides = {
        models.URLField: {"form_class": forms.URLField, "assume_scheme": "https"}
    }
    fieldsets = entry_fieldsets()

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
