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


class CaseKind(models.TextChoices):
    CLOSURE = "closure", "Closure"
    DISPOSAL = "disposal", "Sale or disposal"
    OUTSOURCING = "outsourcing", "Outsourcing or privatisation (of a service or of public data)"
    FUNDING_CUT = "funding_cut", "Funding cut"
    REDEVELOPMENT = "redevelopment", "Redevelopment"
    OTHER = "other", "Other"


class CaseStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    SAVED = "saved", "Saved"
    LOST = "lost", "Lost"
    WITHDRAWN = "withdrawn", "Withdrawn"


class EventKind(models.TextChoices):
    ANNOUNCED = "announced", "Announced"
    CONSULTATION_OPENS = "consultation_opens", "Consultation opens"
    CONSULTATION_CLOSES = "consultation_closes", "Consultation closes"
    DECISION = "decision", "Decision"
    ACV_NOMINATED = "acv_nominated", "Nominated as an Asset of Community Value"
    ACV_LISTED = "acv_listed", "Listed as an Asset of Community Value"
    DISPOSAL_NOTICE = "disposal_notice", "Notice of intended disposal"
    SALE_COMPLETED = "sale_completed", "Sale completed"
    CLOSURE_DATE = "closure_date", "Closure date"
    FOI_SENT = "foi_sent", "Freedom-of-information request sent"
    FOI_ANSWERED = "foi_answered", "Freedom-of-information request answered"
    CAMPAIGN_ACTION = "campaign_action", "Campaign action (petition, meeting, protest)"
    OUTCOME = "outcome", "Outcome"


class Review(models.TextChoices):
    """Whether a contributed case or event is public: an owner's, a trusted contributor's
    or a moderator's are accepted at once, anyone else's wait for a moderator."""

    PENDING = "pending", "Awaiting review"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class OffsetUnit(models.TextChoices):
    DAYS = "days", "days"
    WORKING_DAYS = "working_days", "working days (Monday to Friday)"
    WEEKS = "weeks", "weeks"
    MONTHS = "months", "months"
    YEARS = "years", "years"


class VerifiedBy(models.TextChoices):
    """Who last confirmed an entry still runs, in role terms only: never a person's name."""

    OWNER = "owner", "its owner"
    MODERATOR = "moderator", "a moderator"
    COMMUNITY = "community", "a contributor"
