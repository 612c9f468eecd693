"""Threat cases, events and deadline rules; an entry's threat becomes derived from its cases.

Nothing is lost on the way: an entry at risk today gets an active case built from its note,
and an entry marked lost a lost case, each recorded in the cases' history. The Localism Act's
community right to bid, the consultation and closure dates, freedom-of-information answers
and judicial review give the first deadline rules; moderators edit them in the admin.
"""

import django.core.validators
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

LOCALISM_ACT = "https://www.legislation.gov.uk/ukpga/2011/20/section/95"
RULES = [
    # name, trigger, amount, unit, legal basis, explanation, source
    (
        "Interim moratorium ends",
        "disposal_notice",
        6,
        "weeks",
        "Localism Act 2011, s.95",
        "Until then a community interest group can ask to be treated as a potential bidder; "
        "if one does, the owner cannot sell until the full moratorium ends.",
        LOCALISM_ACT,
    ),
    (
        "Full moratorium ends",
        "disposal_notice",
        6,
        "months",
        "Localism Act 2011, s.95",
        "The time a community group has to raise the money and bid, if it asked in time.",
        LOCALISM_ACT,
    ),
    (
        "Protected period ends",
        "disposal_notice",
        18,
        "months",
        "Localism Act 2011, s.95",
        "Until then the owner may sell without a new moratorium; after it, a new notice is needed.",
        LOCALISM_ACT,
    ),
    (
        "Asset of Community Value listing expires",
        "acv_listed",
        5,
        "years",
        "Localism Act 2011, s.87; the Assets of Community Value (England) Regulations 2012",
        "Nominate the asset again before the listing lapses.",
        "https://www.legislation.gov.uk/uksi/2012/2421/regulation/2",
    ),
    (
        "Consultation closes",
        "consultation_closes",
        0,
        "days",
        "",
        "The last day to respond to the consultation.",
        "",
    ),
    (
        "Closure takes effect",
        "closure_date",
        0,
        "days",
        "",
        "The date the closure is due to take effect.",
        "",
    ),
    (
        "Freedom-of-information answer due",
        "foi_sent",
        20,
        "working_days",
        "Freedom of Information Act 2000, s.10",
        "A public authority must answer within 20 working days (bank holidays are not "
        "counted here, so the true date may be a day or two later).",
        "https://www.legislation.gov.uk/ukpga/2000/36/section/10",
    ),
    (
        "Ask for an internal review by",
        "foi_answered",
        40,
        "working_days",
        "Freedom of Information Code of Practice (2018), under s.45",
        "If the answer refuses information, ask the authority to review it within 40 working "
        "days; after that, complain to the Information Commissioner.",
        "",
    ),
    (
        "Judicial review claim due",
        "decision",
        3,
        "months",
        "Civil Procedure Rules 54.5",
        "A claim for judicial review of a decision must be filed promptly and in any event "
        "within three months (six weeks for planning decisions).",
        "https://www.justice.gov.uk/courts/procedure-rules/civil/rules/part54",
    ),
]


def seed_rules(apps, schema_editor):
    rule = apps.get_model("mapapp", "DeadlineRule")
    for name, trigger, amount, unit, basis, explanation, source in RULES:
        rule.objects.get_or_create(
            name=name,
            defaults={
                "trigger": trigger,
                "amount": amount,
                "unit": unit,
                "legal_basis": basis,
                "explanation": explanation,
                "source_url": source,
            },
        )


def cases_from_threats(apps, schema_editor):
    """An active case for each entry at risk, a lost case for each entry lost."""
    entry_model = apps.get_model("mapapp", "Entry")
    case_model = apps.get_model("mapapp", "ThreatCase")
    history = apps.get_model("mapapp", "HistoricalThreatCase")
    now = timezone.now()
    for entry in entry_model.objects.exclude(threat="none").iterator():
        day = timezone.localtime(entry.updated_at).date()
        lost = entry.threat == "lost"
        note = entry.threat_note.strip()
        case = case_model.objects.create(
            entry=entry,
            title=(note.splitlines()[0][:200] if note else "Under threat"),
            kind="other",
            status="lost" if lost else "active",
            opened_on=day,
            closed_on=day if lost else None,
            summary=note,
            review="accepted",
            created_by_id=entry.created_by_id,
        )
        fields = {f.attname: getattr(case, f.attname) for f in case_model._meta.fields}
        history.objects.create(
            **fields,
            history_date=now,
            history_type="+",
            history_change_reason="Built from the entry's threat and note",
        )


def threats_from_cases(apps, schema_editor):
    """Backwards: the cases' derived threat stays on the entries; the cases go with their tables."""


class Migration(migrations.Migration):
    dependencies = [
        ("mapapp", "0007_entry_founded_on"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="entry",
            name="threat",
            field=models.CharField(
                choices=[("none", "Not under threat"), ("at_risk", "At risk"), ("lost", "Lost")],
                default="none",
                editable=False,
                max_length=8,
                verbose_name="threat",
            ),
        ),
        migrations.AlterField(
            model_name="entry",
            name="threat_note",
            field=models.TextField(
                blank=True,
                editable=False,
                max_length=2000,
                validators=[django.core.validators.MaxLengthValidator(2000)],
                verbose_name="what threatens it",
            ),
        ),
        migrations.AlterField(
            model_name="historicalentry",
            name="threat",
            field=models.CharField(
                choices=[("none", "Not under threat"), ("at_risk", "At risk"), ("lost", "Lost")],
                default="none",
                editable=False,
                max_length=8,
                verbose_name="threat",
            ),
        ),
        migrations.AlterField(
            model_name="historicalentry",
            name="threat_note",
            field=models.TextField(
                blank=True,
                editable=False,
                max_length=2000,
                validators=[django.core.validators.MaxLengthValidator(2000)],
                verbose_name="what threatens it",
            ),
        ),
        migrations.CreateModel(
            name="DeadlineRule",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        help_text='Shown as the deadline, e.g. "Moratorium ends".',
                        max_length=120,
                        unique=True,
                    ),
                ),
                (
                    "trigger",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("announced", "Announced"),
                            ("consultation_opens", "Consultation opens"),
                            ("consultation_closes", "Consultation closes"),
                            ("decision", "Decision"),
                            ("acv_nominated", "Nominated as an Asset of Community Value"),
                            ("acv_listed", "Listed as an Asset of Community Value"),
                            ("disposal_notice", "Notice of intended disposal"),
                            ("sale_completed", "Sale completed"),
                            ("closure_date", "Closure date"),
                            ("foi_sent", "Freedom-of-information request sent"),
                            ("foi_answered", "Freedom-of-information request answered"),
                            ("campaign_action", "Campaign action (petition, meeting, protest)"),
                            ("outcome", "Outcome"),
                        ],
                        help_text="The event the deadline is counted from.",
                        max_length=24,
                        verbose_name="counted from an event",
                    ),
                ),
                (
                    "amount",
                    models.PositiveIntegerField(
                        default=0,
                        help_text="0 for the day itself.",
                        validators=[django.core.validators.MaxValueValidator(36600)],
                    ),
                ),
                (
                    "unit",
                    models.CharField(
                        choices=[
                            ("days", "days"),
                            ("working_days", "working days (Monday to Friday)"),
                            ("weeks", "weeks"),
                            ("months", "months"),
                            ("years", "years"),
                        ],
                        default="days",
                        max_length=12,
                    ),
                ),
                ("legal_basis", models.CharField(blank=True, max_length=200)),
                (
                    "explanation",
                    models.TextField(
                        blank=True,
                        help_text="What the deadline means and what can still be done.",
                        max_length=2000,
                        validators=[django.core.validators.MaxLengthValidator(2000)],
                    ),
                ),
                ("source_url", models.URLField(blank=True, max_length=500, verbose_name="source")),
                ("active", models.BooleanField(default=True)),
                (
                    "after",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="followers",
                        to="mapapp.deadlinerule",
                        verbose_name="or counted from another rule's deadline",
                    ),
                ),
            ],
            options={
                "ordering": ["name"],
            },
        ),
        migrations.CreateModel(
            name="HistoricalDeadlineRule",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        db_index=True,
                        help_text='Shown as the deadline, e.g. "Moratorium ends".',
                        max_length=120,
                    ),
                ),
                (
                    "trigger",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("announced", "Announced"),
                            ("consultation_opens", "Consultation opens"),
                            ("consultation_closes", "Consultation closes"),
                            ("decision", "Decision"),
                            ("acv_nominated", "Nominated as an Asset of Community Value"),
                            ("acv_listed", "Listed as an Asset of Community Value"),
                            ("disposal_notice", "Notice of intended disposal"),
                            ("sale_completed", "Sale completed"),
                            ("closure_date", "Closure date"),
                            ("foi_sent", "Freedom-of-information request sent"),
                            ("foi_answered", "Freedom-of-information request answered"),
                            ("campaign_action", "Campaign action (petition, meeting, protest)"),
                            ("outcome", "Outcome"),
                        ],
                        help_text="The event the deadline is counted from.",
                        max_length=24,
                        verbose_name="counted from an event",
                    ),
                ),
                (
                    "amount",
                    models.PositiveIntegerField(
                        default=0,
                        help_text="0 for the day itself.",
                        validators=[django.core.validators.MaxValueValidator(36600)],
                    ),
                ),
                (
                    "unit",
                    models.CharField(
                        choices=[
                            ("days", "days"),
                            ("working_days", "working days (Monday to Friday)"),
                            ("weeks", "weeks"),
                            ("months", "months"),
                            ("years", "years"),
                        ],
                        default="days",
                        max_length=12,
                    ),
                ),
                ("legal_basis", models.CharField(blank=True, max_length=200)),
                (
                    "explanation",
                    models.TextField(
                        blank=True,
                        help_text="What the deadline means and what can still be done.",
                        max_length=2000,
                        validators=[django.core.validators.MaxLengthValidator(2000)],
                    ),
                ),
                ("source_url", models.URLField(blank=True, max_length=500, verbose_name="source")),
                ("active", models.BooleanField(default=True)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "after",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="mapapp.deadlinerule",
                        verbose_name="or counted from another rule's deadline",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "historical deadline rule",
                "verbose_name_plural": "historical deadline rules",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalThreatCase",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "title",
                    models.CharField(
                        help_text="What is threatened, in a few words.", max_length=200
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("closure", "Closure"),
                            ("disposal", "Sale or disposal"),
                            (
                                "outsourcing",
                                "Outsourcing or privatisation (of a service or of public data)",
                            ),
                            ("funding_cut", "Funding cut"),
                            ("redevelopment", "Redevelopment"),
                            ("other", "Other"),
                        ],
                        max_length=16,
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("active", "Active"),
                            ("saved", "Saved"),
                            ("lost", "Lost"),
                            ("withdrawn", "Withdrawn"),
                        ],
                        default="active",
                        max_length=10,
                    ),
                ),
                (
                    "opened_on",
                    models.DateField(
                        help_text="When the threat became known.", verbose_name="opened on"
                    ),
                ),
                (
                    "closed_on",
                    models.DateField(
                        blank=True,
                        help_text="When it was saved, lost or withdrawn.",
                        null=True,
                        verbose_name="closed on",
                    ),
                ),
                (
                    "summary",
                    models.TextField(
                        blank=True,
                        help_text="What is happening, in plain text.",
                        max_length=2000,
                        validators=[django.core.validators.MaxLengthValidator(2000)],
                    ),
                ),
                (
                    "decider_name",
                    models.CharField(
                        blank=True,
                        help_text="The public body or owner that decides, e.g. a council. An organisation, not a private person.",
                        max_length=200,
                        verbose_name="who decides",
                    ),
                ),
                (
                    "decider_url",
                    models.URLField(
                        blank=True, max_length=500, verbose_name="who decides: web address"
                    ),
                ),
                (
                    "review",
                    models.CharField(
                        choices=[
                            ("pending", "Awaiting review"),
                            ("accepted", "Accepted"),
                            ("declined", "Declined"),
                        ],
                        default="pending",
                        editable=False,
                        max_length=10,
                    ),
                ),
                ("created_at", models.DateTimeField(blank=True, editable=False)),
                ("updated_at", models.DateTimeField(blank=True, editable=False)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "entry",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="mapapp.entry",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "historical threat case",
                "verbose_name_plural": "historical threat cases",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="ThreatCase",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "title",
                    models.CharField(
                        help_text="What is threatened, in a few words.", max_length=200
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("closure", "Closure"),
                            ("disposal", "Sale or disposal"),
                            (
                                "outsourcing",
                                "Outsourcing or privatisation (of a service or of public data)",
                            ),
                            ("funding_cut", "Funding cut"),
                            ("redevelopment", "Redevelopment"),
                            ("other", "Other"),
                        ],
                        max_length=16,
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("active", "Active"),
                            ("saved", "Saved"),
                            ("lost", "Lost"),
                            ("withdrawn", "Withdrawn"),
                        ],
                        default="active",
                        max_length=10,
                    ),
                ),
                (
                    "opened_on",
                    models.DateField(
                        help_text="When the threat became known.", verbose_name="opened on"
                    ),
                ),
                (
                    "closed_on",
                    models.DateField(
                        blank=True,
                        help_text="When it was saved, lost or withdrawn.",
                        null=True,
                        verbose_name="closed on",
                    ),
                ),
                (
                    "summary",
                    models.TextField(
                        blank=True,
                        help_text="What is happening, in plain text.",
                        max_length=2000,
                        validators=[django.core.validators.MaxLengthValidator(2000)],
                    ),
                ),
                (
                    "decider_name",
                    models.CharField(
                        blank=True,
                        help_text="The public body or owner that decides, e.g. a council. An organisation, not a private person.",
                        max_length=200,
                        verbose_name="who decides",
                    ),
                ),
                (
                    "decider_url",
                    models.URLField(
                        blank=True, max_length=500, verbose_name="who decides: web address"
                    ),
                ),
                (
                    "review",
                    models.CharField(
                        choices=[
                            ("pending", "Awaiting review"),
                            ("accepted", "Accepted"),
                            ("declined", "Declined"),
                        ],
                        default="pending",
                        editable=False,
                        max_length=10,
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "entry",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="cases",
                        to="mapapp.entry",
                    ),
                ),
            ],
            options={
                "ordering": ["-opened_on", "-id"],
            },
        ),
        migrations.CreateModel(
            name="HistoricalThreatEvent",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("announced", "Announced"),
                            ("consultation_opens", "Consultation opens"),
                            ("consultation_closes", "Consultation closes"),
                            ("decision", "Decision"),
                            ("acv_nominated", "Nominated as an Asset of Community Value"),
                            ("acv_listed", "Listed as an Asset of Community Value"),
                            ("disposal_notice", "Notice of intended disposal"),
                            ("sale_completed", "Sale completed"),
                            ("closure_date", "Closure date"),
                            ("foi_sent", "Freedom-of-information request sent"),
                            ("foi_answered", "Freedom-of-information request answered"),
                            ("campaign_action", "Campaign action (petition, meeting, protest)"),
                            ("outcome", "Outcome"),
                        ],
                        max_length=24,
                    ),
                ),
                (
                    "happened_on",
                    models.DateField(
                        help_text="When it happened or is due to happen.", verbose_name="date"
                    ),
                ),
                (
                    "source_url",
                    models.URLField(
                        blank=True,
                        help_text="A link to where this is recorded.",
                        max_length=500,
                        verbose_name="source",
                    ),
                ),
                (
                    "note",
                    models.TextField(
                        blank=True,
                        max_length=2000,
                        validators=[django.core.validators.MaxLengthValidator(2000)],
                    ),
                ),
                (
                    "review",
                    models.CharField(
                        choices=[
                            ("pending", "Awaiting review"),
                            ("accepted", "Accepted"),
                            ("declined", "Declined"),
                        ],
                        default="pending",
                        editable=False,
                        max_length=10,
                    ),
                ),
                ("created_at", models.DateTimeField(blank=True, editable=False)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "case",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="mapapp.threatcase",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical threat event",
                "verbose_name_plural": "historical threat events",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="ThreatEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("announced", "Announced"),
                            ("consultation_opens", "Consultation opens"),
                            ("consultation_closes", "Consultation closes"),
                            ("decision", "Decision"),
                            ("acv_nominated", "Nominated as an Asset of Community Value"),
                            ("acv_listed", "Listed as an Asset of Community Value"),
                            ("disposal_notice", "Notice of intended disposal"),
                            ("sale_completed", "Sale completed"),
                            ("closure_date", "Closure date"),
                            ("foi_sent", "Freedom-of-information request sent"),
                            ("foi_answered", "Freedom-of-information request answered"),
                            ("campaign_action", "Campaign action (petition, meeting, protest)"),
                            ("outcome", "Outcome"),
                        ],
                        max_length=24,
                    ),
                ),
                (
                    "happened_on",
                    models.DateField(
                        help_text="When it happened or is due to happen.", verbose_name="date"
                    ),
                ),
                (
                    "source_url",
                    models.URLField(
                        blank=True,
                        help_text="A link to where this is recorded.",
                        max_length=500,
                        verbose_name="source",
                    ),
                ),
                (
                    "note",
                    models.TextField(
                        blank=True,
                        max_length=2000,
                        validators=[django.core.validators.MaxLengthValidator(2000)],
                    ),
                ),
                (
                    "review",
                    models.CharField(
                        choices=[
                            ("pending", "Awaiting review"),
                            ("accepted", "Accepted"),
                            ("declined", "Declined"),
                        ],
                        default="pending",
                        editable=False,
                        max_length=10,
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="mapapp.threatcase",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["happened_on", "id"],
            },
        ),
        migrations.CreateModel(
            name="CaseDeadline",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("due_on", models.DateField()),
                (
                    "rule",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="mapapp.deadlinerule",
                    ),
                ),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="deadlines",
                        to="mapapp.threatcase",
                    ),
                ),
                (
                    "event",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="mapapp.threatevent",
                    ),
                ),
            ],
            options={
                "ordering": ["due_on", "id"],
            },
        ),
        migrations.AddIndex(
            model_name="threatcase",
            index=models.Index(fields=["review", "status"], name="case_review_status_idx"),
        ),
        migrations.AddIndex(
            model_name="threatcase",
            index=models.Index(fields=["entry", "review"], name="case_entry_review_idx"),
        ),
        migrations.AddIndex(
            model_name="threatevent",
            index=models.Index(fields=["case", "review"], name="event_case_review_idx"),
        ),
        migrations.AddIndex(
            model_name="casedeadline",
            index=models.Index(fields=["due_on"], name="deadline_due_idx"),
        ),
        migrations.RunPython(seed_rules, migrations.RunPython.noop),
        migrations.RunPython(cases_from_threats, threats_from_cases),
    ]
