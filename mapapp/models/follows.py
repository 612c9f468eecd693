"""Follows: a signed-in person follows an entry, a category or an area, and is told by email
what changed there, at once or in a daily or weekly digest."""

from django.conf import settings
from django.contrib.gis.db import models


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", "at once"
    DAILY = "daily", "in a daily digest"
    WEEKLY = "weekly", "in a weekly digest"


class Follow(models.Model):
    """One thing a person follows: exactly one of entry, category and area is set."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    entry = models.ForeignKey(
        "mapapp.Entry", null=True, blank=True, on_delete=models.CASCADE, related_name="follows"
    )
    category = models.ForeignKey(
        "mapapp.Category", null=True, blank=True, on_delete=models.CASCADE, related_name="follows"
    )
    area = models.PolygonField(srid=4326, null=True, blank=True, spatial_index=True)
    area_name = models.CharField("name of the area", max_length=120, blank=True)
    frequency = models.CharField(
        max_length=10, choices=Frequency.choices, default=Frequency.IMMEDIATE
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="follow_one_target",
                condition=(
                    models.Q(entry__isnull=False, category__isnull=True, area__isnull=True)
                    | models.Q(entry__isnull=True, category__isnull=False, area__isnull=True)
                    | models.Q(entry__isnull=True, category__isnull=True, area__isnull=False)
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "entry"],
                condition=models.Q(entry__isnull=False),
                name="follow_entry_once",
            ),
            models.UniqueConstraint(
                fields=["user", "category"],
                condition=models.Q(category__isnull=False),
                name="follow_category_once",
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def area_text(self):
        """west, south, east, north, as the map's bbox says them."""
        return ", ".join(f"{n:.4f}" for n in self.area.extent) if self.area else ""

    @property
    def label(self):
        if self.entry_id:
            return self.entry.name
        if self.category_id:
            return f"{self.category.name} (category)"
        return self.area_name or "an area"


class Notification(models.Model):
    """One thing to tell one person, made once per event (`key` is unique per person), sent
    when its frequency says: at once, or in the next daily or weekly digest."""

    class Kind(models.TextChoices):
        PUBLISHED = "published", "was published"
        CHANGED = "changed", "was changed"
        ARCHIVED = "archived", "was archived"
        EVENT = "event", "has a new threat event"
        DEADLINE = "deadline", "has a threat deadline coming"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    key = models.CharField(max_length=200)
    entry = models.ForeignKey("mapapp.Entry", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    # A public line about the event (an event's kind and date, a deadline's name and day).
    detail = models.CharField(max_length=300, blank=True)
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notification_once")]
        indexes = [models.Index(fields=["frequency", "sent_at"], name="notification_unsent_idx")]
