"""Commons Map data model: categories, tags and the entries people put on the map."""

import math
import unicodedata

from django.conf import settings
from django.contrib.gis.db import models
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxLengthValidator, RegexValidator
from django.urls import reverse
from simple_history.models import HistoricalRecords

from mapapp import choices
from mapapp.querysets import EntryQuerySet, TagQuerySet

colour_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Enter a colour as #rrggbb.")


def bounded_text(max_length, **options):
    """A TextField whose limit full_clean enforces: a TextField's max_length alone only
    shapes the forms and serializers built from it."""
    return models.TextField(
        max_length=max_length, validators=[MaxLengthValidator(max_length)], **options
    )


class Category(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    colour = models.CharField(max_length=7, default="#3b6e8f", validators=[colour_validator])
    icon = models.CharField(max_length=40, blank=True, help_text="Name of an icon in our set.")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name


# How many tags one entry may carry: forms and the API refuse more.
TAGS_PER_ENTRY = 10


class Tag(models.Model):
    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    # How many published entries carry the tag, kept by mapapp.services.aggregates.
    published_entries = models.PositiveIntegerField(default=0, editable=False)

    objects = TagQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


# Entry's freshness columns: kept by services beside edits, never recorded as one.
FRESHNESS_FIELDS = (
    "verified_at",
    "verified_by",
    "confirmations",
    "confirmed_at",
    "unverified",
    "reminders_sent",
    "reminded_at",
)


class Entry(models.Model):
    Status = choices.EntryStatus
    Threat = choices.Threat
    Precision = choices.Precision
    VerifiedBy = choices.VerifiedBy

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True, editable=False)
    summary = models.CharField(
        max_length=280, blank=True, help_text="One or two sentences, up to 280 characters."
    )
    description = bounded_text(
        10000, blank=True, help_text="Plain text. Web addresses become links."
    )
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="entries")
    tags = models.ManyToManyField(Tag, blank=True, related_name="entries")
    founded_on = models.DateField(
        "founded on", null=True, blank=True, help_text="When it began, if you know."
    )

    # The exact point is private whenever precision is not "exact"; every public surface
    # reads public_point, which services derive from location and precision.
    location = models.PointField(srid=4326, spatial_index=False)
    precision = models.CharField(max_length=12, choices=Precision.choices, default=Precision.EXACT)
    public_point = models.PointField(srid=4326, editable=False)

    address = models.CharField(max_length=255, blank=True)
    locality = models.CharField("town or neighbourhood", max_length=120, blank=True)
    postcode = models.CharField(max_length=16, blank=True)
    website = models.URLField(max_length=500, blank=True)
    email = models.EmailField("public contact email", blank=True)
    phone = models.CharField("public phone", max_length=40, blank=True)
    opening_times = bounded_text(2000, blank=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # Derived from the entry's threat cases by services (mapapp.services.threats), never
    # edited: an active case makes it at risk, a last case lost makes it lost.
    threat = models.CharField(
        "threat", max_length=8, choices=Threat.choices, default=Threat.NONE, editable=False
    )
    threat_note = bounded_text(2000, verbose_name="what threatens it", blank=True, editable=False)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="entries",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    source = models.CharField(max_length=200, blank=True)
    licence = models.CharField(max_length=40, default="CC-BY-SA-4.0")
    # Provenance of an imported entry (mapapp.imports): the row of the source it came from and
    # when an import last wrote it; set by the import pipeline only.
    source_row_id = models.CharField(
        "row in its source", max_length=255, blank=True, editable=False
    )
    imported_at = models.DateTimeField("imported", null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    # Words the text search matches, kept by services (name, summary, description, tags,
    # locality) so both databases index one column.
    search_text = models.TextField(blank=True, editable=False)
    # The tags' slugs, space-separated and sorted, kept by services: map responses list tags
    # for a thousand entries at a time, and reading one column beats joining two tables.
    tag_slugs = models.TextField(blank=True, editable=False)

    # Private: how to reach an anonymous suggester; never shown on any public surface.
    submitter_email = models.EmailField(blank=True, editable=False)

    # Freshness, kept by mapapp.services.freshness; none of it is an edit (no new version,
    # no history row). Who verified is a role, never a person.
    verified_at = models.DateTimeField("last verified", null=True, blank=True, editable=False)
    verified_by = models.CharField(
        "verified by", max_length=10, choices=VerifiedBy.choices, blank=True, editable=False
    )
    # Visitors' "I was there recently": counted apart, since anyone may press it.
    confirmations = models.PositiveIntegerField(default=0, editable=False)
    confirmed_at = models.DateTimeField("last confirmed", null=True, blank=True, editable=False)
    # Set after FRESHNESS_MAX_REMINDERS unanswered reminders; the entry stays published.
    unverified = models.BooleanField(default=False, editable=False)
    # Private: the reminders sent since the last verification, and when the last went out.
    reminders_sent = models.PositiveSmallIntegerField(default=0, editable=False)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = EntryQuerySet.as_manager()
    # Every saved change, with who made it (private) and when; the public history page shows
    # what changed and when, and at most the editor's chosen display name.
    history = HistoricalRecords(
        excluded_fields=["search_text", "tag_slugs", "submitter_email", *FRESHNESS_FIELDS]
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "entries"
        indexes = [
            models.Index(fields=["status"], name="entry_status_idx"),
            models.Index(fields=["updated_at"], name="entry_updated_idx"),
            models.Index(fields=["status", "category"], name="entry_status_category_idx"),
            models.Index(fields=["name", "id"], name="entry_name_idx"),
            models.Index(fields=["verified_at"], name="entry_verified_idx"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if not has_visible_text(self.name):
            errors["name"] = "Give the entry a name."
        if self.location is not None and self.location.empty:
            # POINT EMPTY (also what GEOS makes of "POINT(nan nan)") has no x or y to check.
            errors["location"] = "Give the location as a point with a longitude and latitude."
        elif self.location is not None:
            problem = coordinate_problem(self.location.x, self.location.y)
            if problem:
                errors["location"] = problem
        if errors:
            raise ValidationError(errors)

    def get_absolute_url(self):
        return reverse("entry-detail", args=[self.slug])

    @property
    def is_public(self):
        return self.status == self.Status.PUBLISHED

    @property
    def is_pending(self):
        return self.status == self.Status.PENDING

    @property
    def is_under_threat(self):
        """At risk or lost: what the pages mark and the "under threat" filter selects."""
        return self.threat != self.Threat.NONE

    @property
    def is_at_risk(self):
        """An active threat case is open: what the map's markers make stand out."""
        return self.threat == self.Threat.AT_RISK

    @property
    def has_exact_location(self):
        """Whether the public point is the place itself (and its street address is public)."""
        return self.precision == self.Precision.EXACT


# The fields of an entry its contributors edit, in the order the forms show them: the one
# list the services, the forms, the API, the admin and the account export read. Tags are
# edited beside them as names; status, slug and the derived columns never by hand.
EDITABLE_FIELDS = (
    "name",
    "category",
    "summary",
    "description",
    "founded_on",
    "location",
    "precision",
    "address",
    "locality",
    "postcode",
    "website",
    "email",
    "phone",
    "opening_times",
)


def editable_values(entry):
    """An entry's editable fields as JSON-ready values: the category by its slug, the
    location as longitude and latitude."""
    values = {field: getattr(entry, field) for field in EDITABLE_FIELDS}
    location = values.pop("location")
    values["category"] = entry.category.slug
    values["longitude"], values["latitude"] = location.x, location.y
    return values


def has_visible_text(text):
    """Whether text shows anything: not only spaces, zero-width, direction or control marks."""
    return any(not unicodedata.category(c).startswith(("Z", "C")) for c in text or "")


# The longitudes and latitudes of places on Earth, in degrees (EPSG:4326).
LONGITUDES = (-180, 180)
LATITUDES = (-90, 90)


def coordinate_problem(lon, lat):
    """Return why lon/lat cannot be a location on Earth, or None if they can."""
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return "Coordinates must be finite numbers."
    for name, value, (low, high) in (("Longitude", lon, LONGITUDES), ("Latitude", lat, LATITUDES)):
        if not low <= value <= high:
            return f"{name} {value} is outside {low}..{high}."
    return None


def editable_fields(location_as):
    """EDITABLE_FIELDS as a door takes them: the location replaced by the fields it is typed
    as (after the tags, which are named beside the entry's fields)."""
    at = EDITABLE_FIELDS.index("location")
    return [*EDITABLE_FIELDS[:at], "tags", *location_as, *EDITABLE_FIELDS[at + 1 :]]


class Profile(models.Model):
    """What a contributor chose to show publicly: a display name, nothing else."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    display_name = models.CharField(
        max_length=60,
        blank=True,
        help_text="Shown next to your changes. Leave empty to stay anonymous.",
    )

    def __str__(self):
        return self.display_name or f"Profile {self.pk}"


class ModerationDecision(models.Model):
    """A moderator's decision about an entry, with the reason (visible to moderators only)."""

    class Action(models.TextChoices):
        PUBLISH = "publish", "Published"
        REJECT = "reject", "Rejected"
        ARCHIVE = "archive", "Archived"
        REVERT = "revert", "Reverted"
        APPLY_CHANGE = "apply_change", "Applied a suggested change"
        DECLINE_CHANGE = "decline_change", "Declined a suggested change"
        RESOLVE_REPORT = "resolve_report", "Resolved a report"
        DISMISS_REPORT = "dismiss_report", "Dismissed a report"
        ACCEPT_CASE = "accept_case", "Accepted a contributed threat case"
        DECLINE_CASE = "decline_case", "Declined a contributed threat case"
        ACCEPT_EVENT = "accept_event", "Accepted a contributed threat event"
        DECLINE_EVENT = "decline_event", "Declined a contributed threat event"

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="decisions")
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    reason = bounded_text(2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]


class Report(models.Model):
    """Someone's report that an entry is closed, wrong, a duplicate or inappropriate."""

    class Kind(models.TextChoices):
        CLOSED = "closed", "It has closed"
        WRONG = "wrong", "Some information is wrong"
        DUPLICATE = "duplicate", "It is a duplicate"
        INAPPROPRIATE = "inappropriate", "It is inappropriate"
        OTHER = "other", "Something else"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"
        DISMISSED = "dismissed", "Dismissed"

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    message = bounded_text(2000, blank=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status"], name="report_status_idx")]


class ChangeRequest(models.Model):
    """A suggested change to an entry from someone who may not edit it directly."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        APPLIED = "applied", "Applied"
        DECLINED = "declined", "Declined"

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="change_requests")
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="change_requests",
    )
    message = bounded_text(2000)
    changes = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    base_version = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    # Private: how to reach an anonymous proposer.
    contact_email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status"], name="change_request_status_idx")]


# The threat cases live in their own module; importing them here makes them this app's models.
from mapapp.models.aggregates import (  # noqa: E402, F401
    ClusterCell,
    CountedEntry,
    DatasetVersion,
)
from mapapp.models.follows import (  # noqa: E402, F401
    Follow,
    Frequency,
    Notification,
)
from mapapp.models.imports import (  # noqa: E402, F401
    ImportedRecord,
    ImportPlanLine,
    ImportRun,
    ImportSource,
)
from mapapp.models.threats import (  # noqa: E402, F401
    CaseDeadline,
    DeadlineRule,
    ThreatCase,
    ThreatEvent,
)
