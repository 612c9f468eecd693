"""An entry's vocabularies: moderation status, threat and location precision.

They live outside models.py so that modules models.py imports (querysets) can name them too.
"""

from django.db import models


class EntryStatus(models.TextChoices):
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
