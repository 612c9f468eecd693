"""Admin: a GeoDjango admin with Leaflet maps, served entirely from our static files."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from leaflet.admin import LeafletGeoAdmin

from mapapp import services
from mapapp.models import Category, ChangeRequest, Entry, ModerationDecision, Profile, Report, Tag


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


@admin.register(Entry)
class EntryAdmin(LeafletGeoAdmin):
    list_display = ["name", "category", "status", "threat", "precision", "locality", "updated_at"]
    list_filter = ["status", "category", "threat", "precision"]
    search_fields = ["name", "summary", "locality", "postcode"]
    readonly_fields = ["slug", "version", "created_at", "updated_at", "published_at"]
    autocomplete_fields = ["tags"]
    list_select_related = ["category"]
    actions = ["publish", "reject", "archive"]
    formfield_overrides = {
        models.URLField: {"form_class": forms.URLField, "assume_scheme": "https"}
    }
    fieldsets = [
        (None, {"fields": ["name", "slug", "category", "tags", "summary", "description"]}),
        ("Location", {"fields": ["location", "precision", "address", "locality", "postcode"]}),
        ("Contact", {"fields": ["website", "email", "phone", "opening_times"]}),
        ("Status", {"fields": ["status", "threat", "threat_note"]}),
        (
            "Provenance",
            {
                "fields": [
                    "source",
                    "licence",
                    "version",
                    "created_at",
                    "updated_at",
                    "published_at",
                ]
            },
        ),
    ]

    def has_delete_permission(self, request, obj=None):
        # Deletes archive: entries leave the map through the "Archive" action, never the bin.
        return False

    def save_model(self, request, obj, form, change):
        services.entry_save_from_admin(entry=obj, author=request.user, is_new=not change)

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


@admin.register(ChangeRequest)
class ChangeRequestAdmin(admin.ModelAdmin):
    list_display = ["created_at", "entry", "status"]
    list_filter = ["status"]
    raw_id_fields = ["entry", "proposer"]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "display_name"]
    raw_id_fields = ["user"]
