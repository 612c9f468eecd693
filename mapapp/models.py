"""Commons Map data model: categories, tags and the entries people put on the map."""

import math

from django.conf import settings
from django.contrib.gis.db import models
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

from mapapp.querysets import EntryQuerySet

colour_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Enter a colour as #rrggbb.")


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


class Tag(models.Model):
    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Entry(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending review"
        PUBLISHED = "published", "Published"
        REJECTED = "rejected", "Rejected"
        ARCHIVED = "archived", "Archived"

    class Threat(models.TextChoices):
        NONE = "none", "Not under threat"
        AT_RISK = "at_risk", "At risk"
        LOST = "lost", "Lost"

    class Precision(models.TextChoices):
        EXACT = "exact", "Exact location"
        APPROXIMATE = "approximate", "Approximate (within a few hundred metres)"
        AREA = "area", "Area only (within about 2 km)"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True, editable=False)
    summary = models.CharField(max_length=280, blank=True)
    description = models.TextField(blank=True, help_text="Plain text.")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="entries")
    tags = models.ManyToManyField(Tag, blank=True, related_name="entries")

    # The exact point is private whenever precision is not "exact"; every public surface
    # reads public_point, which services derive from location and precision.
    location = models.PointField(srid=4326, spatial_index=False)
    precision = models.CharField(max_length=12, choices=Precision.choices, default=Precision.EXACT)
    public_point = models.PointField(srid=4326, editable=False)

    address = models.CharField(max_length=255, blank=True)
    locality = models.CharField(max_length=120, blank=True)
    postcode = models.CharField(max_length=16, blank=True)
    website = models.URLField(max_length=500, blank=True)
    email = models.EmailField(blank=True, help_text="Public contact address.")
    phone = models.CharField(max_length=40, blank=True)
    opening_times = models.TextField(blank=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    threat = models.CharField(max_length=8, choices=Threat.choices, default=Threat.NONE)
    threat_note = models.TextField(blank=True)

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
    version = models.PositiveIntegerField(default=1, editable=False)
    # Words the text search matches, kept by services (name, summary, description, tags,
    # locality) so both databases index one column.
    search_text = models.TextField(blank=True, editable=False)
    # The tags' slugs, space-separated and sorted, kept by services: map responses list tags
    # for a thousand entries at a time, and reading one column beats joining two tables.
    tag_slugs = models.TextField(blank=True, editable=False)

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "entries"
        indexes = [
            models.Index(fields=["status"], name="entry_status_idx"),
            models.Index(fields=["updated_at"], name="entry_updated_idx"),
            models.Index(fields=["status", "category"], name="entry_status_category_idx"),
            models.Index(fields=["name", "id"], name="entry_name_idx"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if not (self.name or "").strip():
            errors["name"] = "Give the entry a name."
        if self.location is not None:
            problem = coordinate_problem(self.location.x, self.location.y)
            if problem:
                errors["location"] = problem
        if errors:
            raise ValidationError(errors)

    @property
    def is_public(self):
        return self.status == self.Status.PUBLISHED


def coordinate_problem(lon, lat):
    """Return why lon/lat cannot be a location on Earth, or None if they can."""
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return "Coordinates must be finite numbers."
    if not -180 <= lon <= 180:
        return f"Longitude {lon} is outside -180..180."
    if not -90 <= lat <= 90:
        return f"Latitude {lat} is outside -90..90."
    return None
