"""Threats to the commons as cases: each with dated, sourced events, and deadlines that rules
derive from those events (a moratorium that ends six weeks after a notice of disposal)."""

import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.gis.db import models
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from mapapp import choices
from mapapp.models import Entry, bounded_text, has_visible_text
from mapapp.querysets import ThreatCaseQuerySet, ThreatEventQuerySet

# The dates a case or an event may carry: nothing before the first records campaigns keep,
# nothing further ahead than a scheduled closure or listing plausibly runs.
EARLIEST_DATE = datetime.date(1900, 1, 1)
YEARS_AHEAD = 10
# How long one rule's offset may be, and how many rules may follow one another in a chain.
MAX_OFFSET_DAYS = 100 * 366
MAX_RULE_CHAIN = 10
# About how many days one unit of an offset spans, to bound every unit by MAX_OFFSET_DAYS.
UNIT_DAYS = {"days": 1, "working_days": 2, "weeks": 7, "months": 31, "years": 366}


# The fields of a case and of an event their contributors edit, in the order forms show
# them: the one list the forms, the write API, the public reads and the exports derive from.
CASE_FIELDS = (
    "title",
    "kind",
    "status",
    "opened_on",
    "closed_on",
    "summary",
    "decider_name",
    "decider_url",
)
EVENT_FIELDS = ("kind", "happened_on", "source_url", "note")


def latest_date():
    """The last date an event may be scheduled for, counted from today."""
    return timezone.localdate() + relativedelta(years=YEARS_AHEAD)


def date_problem(value, *, future=True):
    """Why value cannot be a case's or an event's date, or None if it can."""
    if value is None:
        return None
    if value < EARLIEST_DATE:
        return f"Give a date from {EARLIEST_DATE:%Y} onwards."
    if not future and value > timezone.localdate():
        return "This date is in the future; give it once it has happened."
    if value > latest_date():
        return f"Give a date at most {YEARS_AHEAD} years from today."
    return None


class ThreatCase(models.Model):
    """One threat to an entry over a span of time: a closure, a sale, a cut, an outsourcing."""

    Kind = choices.CaseKind
    Status = choices.CaseStatus
    Review = choices.Review

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="cases")
    title = models.CharField(max_length=200, help_text="What is threatened, in a few words.")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    opened_on = models.DateField("opened on", help_text="When the threat became known.")
    closed_on = models.DateField(
        "closed on", null=True, blank=True, help_text="When it was saved, lost or withdrawn."
    )
    summary = bounded_text(2000, blank=True, help_text="What is happening, in plain text.")
    # Who decides is a public body or an owner, named as an organisation: never a person's
    # private details.
    decider_name = models.CharField(
        "who decides",
        max_length=200,
        blank=True,
        help_text="The public body or owner that decides, e.g. a council. An organisation, "
        "not a private person.",
    )
    decider_url = models.URLField("who decides: web address", max_length=500, blank=True)

    review = models.CharField(
        max_length=10, choices=Review.choices, default=Review.PENDING, editable=False
    )
    # Private: who added the case (moderation and permissions only; never shown publicly).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Raised by every edit: an edit made from an older version is refused, not applied over
    # someone else's (services.case_update).
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ThreatCaseQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opened_on", "-id"]
        indexes = [
            models.Index(fields=["review", "status"], name="case_review_status_idx"),
            models.Index(fields=["entry", "review"], name="case_entry_review_idx"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("entry-detail", args=[self.entry.slug]) + f"#case-{self.pk}"

    @property
    def is_active(self):
        return self.status == self.Status.ACTIVE

    @property
    def is_public(self):
        return self.review == self.Review.ACCEPTED

    def clean(self):
        errors = {}
        if not has_visible_text(self.title):
            errors["title"] = "Give the case a title."
        # Only invisible characters (zero-width spaces) would show as a blank "Who decides".
        for name in ("summary", "decider_name"):
            value = getattr(self, name)
            if value and not has_visible_text(value):
                label = self._meta.get_field(name).verbose_name
                errors[name] = f"The {label} shows nothing: write it out or leave it empty."
        for name, future in (("opened_on", False), ("closed_on", False)):
            problem = date_problem(getattr(self, name), future=future)
            if problem:
                errors[name] = problem
        # A date's own problem (too early, in the future) is the one to tell first.
        for name, problem in {**self._opening_problems(), **self._closing_problems()}.items():
            errors.setdefault(name, problem)
        if errors:
            raise ValidationError(errors)

    def _live_events(self):
        # Pending events count too: accepting one later must not break the case's dates.
        return self.events.exclude(review=self.Review.DECLINED)

    def _opening_problems(self):
        if not self.pk or not self.opened_on:
            return {}
        first = self._live_events().filter(happened_on__lt=self.opened_on).first()
        if first is None:
            return {}
        return {
            "opened_on": f"The case has an event on {first.happened_on:%Y-%m-%d}, "
            "before this opening date."
        }

    def _closing_problems(self):
        if self.status not in self.Status.values:
            return {}  # the status field's own error says what is wrong
        if self.is_active:
            if self.closed_on:
                return {"closed_on": "An active case has no closing date; change its status."}
            return {}
        if not self.closed_on:
            status = self.get_status_display().lower()
            return {"closed_on": f"Give the date the case was {status}."}
        if self.opened_on and self.closed_on < self.opened_on:
            return {"closed_on": "The case cannot close before it opened."}
        if self.pk:
            # Events still to come are set aside when the case closes (services.case_update):
            # a consultation due next month does not stop a council withdrawing its plan today.
            later = self._live_events().filter(
                happened_on__gt=self.closed_on, happened_on__lte=timezone.localdate()
            )
            first = later.order_by("happened_on").first()
            if first is not None:
                return {
                    "closed_on": f"The case has an event on {first.happened_on:%Y-%m-%d}, "
                    "after this closing date."
                }
        return {}


class ThreatEvent(models.Model):
    """A dated step in a case (a consultation closing, a listing, a decision), with its source."""

    Kind = choices.EventKind
    Review = choices.Review

    case = models.ForeignKey(ThreatCase, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    happened_on = models.DateField("date", help_text="When it happened or is due to happen.")
    source_url = models.URLField(
        "source", max_length=500, blank=True, help_text="A link to where this is recorded."
    )
    note = bounded_text(2000, blank=True)

    review = models.CharField(
        max_length=10, choices=Review.choices, default=Review.PENDING, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ThreatEventQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["happened_on", "id"]
        indexes = [models.Index(fields=["case", "review"], name="event_case_review_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.happened_on:%Y-%m-%d})"

    @property
    def is_public(self):
        return self.review == self.Review.ACCEPTED and self.case.is_public

    def clean(self):
        problem = date_problem(self.happened_on)
        if problem:
            raise ValidationError({"happened_on": problem})
        # The case may be unsaved still (an admin form adding a case with its first events):
        # check against its dates all the same.
        has_case = self.case_id or ThreatEvent.case.is_cached(self)
        case = self.case if has_case else None
        if case is None or self.happened_on is None:
            return
        if case.opened_on and self.happened_on < case.opened_on:
            raise ValidationError(
                {
                    "happened_on": f"The case opened on {case.opened_on:%Y-%m-%d}; "
                    "an event cannot come before it."
                }
            )
        if case.closed_on and self.happened_on > case.closed_on:
            raise ValidationError(
                {
                    "happened_on": f"The case closed on {case.closed_on:%Y-%m-%d}; "
                    "an event cannot come after it."
                }
            )


class DeadlineRule(models.Model):
    """A rule that derives a deadline from an event, or from another rule's deadline: e.g. the
    community right to bid's interim moratorium ends 6 weeks after a notice of disposal.

    Data, not code: moderators edit the rules in the admin, and every case's deadlines are
    recomputed when a rule changes."""

    Unit = choices.OffsetUnit

    name = models.CharField(
        max_length=120, unique=True, help_text='Shown as the deadline, e.g. "Moratorium ends".'
    )
    trigger = models.CharField(
        "counted from an event",
        max_length=24,
        choices=choices.EventKind.choices,
        blank=True,
        help_text="The event the deadline is counted from.",
    )
    after = models.ForeignKey(
        "self",
        verbose_name="or counted from another rule's deadline",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="followers",
    )
    amount = models.PositiveIntegerField(
        default=0,
        validators=[MaxValueValidator(MAX_OFFSET_DAYS)],
        help_text="0 for the day itself.",
    )
    unit = models.CharField(max_length=12, choices=Unit.choices, default=Unit.DAYS)
    legal_basis = models.CharField(max_length=200, blank=True)
    explanation = bounded_text(
        2000, blank=True, help_text="What the deadline means and what can still be done."
    )
    source_url = models.URLField("source", max_length=500, blank=True)
    active = models.BooleanField(default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if bool(self.trigger) == bool(self.after_id):
            errors["trigger"] = (
                "Count the deadline from an event or from another rule's deadline (one of them)."
            )
        elif self.after_id:
            problem = self._chain_problem()
            if problem:
                errors["after"] = problem
        if self.unit in UNIT_DAYS and self.amount * UNIT_DAYS[self.unit] > MAX_OFFSET_DAYS:
            most = MAX_OFFSET_DAYS // UNIT_DAYS[self.unit]
            errors["amount"] = f"At most {most} {self.unit.replace('_', ' ')}."
        if errors:
            raise ValidationError(errors)

    def _chain_problem(self):
        """Why counting this rule from `after` cannot be, or None: a loop, or a chain (the
        rules above this one, it and the rules counted from it) deeper than MAX_RULE_CHAIN."""
        seen, rule, above = {self.pk}, self.after, 0
        while rule is not None:
            if rule.pk == self.pk and self.after_id == self.pk:
                return "This would loop: a rule cannot be counted from its own deadline."
            if rule.pk in seen:
                return f"This would loop: {rule.name} is counted from this rule's deadline."
            seen.add(rule.pk)
            above += 1
            if above >= MAX_RULE_CHAIN:
                break
            rule = rule.after
        if above + 1 + self._depth_below() > MAX_RULE_CHAIN:
            return f"Rules may follow one another at most {MAX_RULE_CHAIN} deep."
        return None

    def _depth_below(self):
        """How many rules deep the chains counted from this rule's deadline go."""
        if not self.pk:
            return 0
        depth, level = 0, [self.pk]
        while level and depth < MAX_RULE_CHAIN:
            level = list(
                DeadlineRule.objects.filter(after_id__in=level)
                .exclude(pk=self.pk)
                .values_list("pk", flat=True)
            )
            depth += bool(level)
        return depth


class CaseDeadline(models.Model):
    """A deadline of a case as the rules derive it: kept by services, never typed by hand."""

    case = models.ForeignKey(ThreatCase, on_delete=models.CASCADE, related_name="deadlines")
    rule = models.ForeignKey(DeadlineRule, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(ThreatEvent, on_delete=models.CASCADE, related_name="+")
    due_on = models.DateField()

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["due_on"], name="deadline_due_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "rule", "event"], name="deadline_once_per_rule_and_event"
            )
        ]

    def __str__(self):
        return f"{self.rule.name}: {self.due_on:%Y-%m-%d}"
