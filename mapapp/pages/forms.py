"""Forms of the pages: the list's filters (plain GET, works without JavaScript; the form only
draws its controls, what a filter means and what is wrong with it come from
mapapp.reads.filters, the parser every door shares), an entry's fields as people type them (a
ModelForm over the model's editable fields), reports and decisions."""

import re

from django import forms
from django.forms.utils import ErrorDict
from django.forms.widgets import Input

from mapapp.models import (
    EDITABLE_FIELDS,
    LATITUDES,
    LONGITUDES,
    TAGS_PER_ENTRY,
    Category,
    ChangeRequest,
    Entry,
    Frequency,
    ModerationDecision,
    Report,
    Tag,
    ThreatCase,
    editable_fields,
)
from mapapp.reads.filters import (
    ALIASES,
    CASE_ALIASES,
    FILTER_PARAMS,
    MAX_DEADLINE_DAYS,
    MAX_Q_LENGTH,
    ORDERINGS,
    UNDER_THREAT,
    VERIFIED_A_YEAR,
    FilterError,
    comma_list,
    parse_bbox,
    parse_filters,
)
from mapapp.reads.public import public_point, public_properties
from mapapp.reads.threats import THREAT_ALIASES, THREAT_FILTERS

# A label for each of the parser's orderings (a new ordering without one fails on first use).
ORDERING_LABELS = {
    "name": "Name (A–Z)",
    "-name": "Name (Z–A)",
    "updated": "Least recently updated",
    "-updated": "Recently updated",
    "distance": "Nearest first",
}
THREAT_CHOICES = [
    ("", "Any"),
    (",".join(UNDER_THREAT), "Under threat (at risk or lost)"),
    *((value, label) for value, label in Entry.Threat.choices if value != Entry.Threat.NONE),
    (Entry.Threat.NONE, Entry.Threat.NONE.label),
]
# How a date input writes a date (HTML's valid date string).
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Filters the list has no control for: carried through the form so a resubmission keeps them.
CARRIED = ("bbox", "near", "radius", "updated_since", "deadline_before")


def comma_values(data, name):
    """`name=a,b` as well as `name=a&name=b`, as every door reads them."""
    return comma_list(data.getlist(name))


class CommaListMixin:
    """A widget showing a comma list as its several choices."""

    def value_from_datadict(self, data, files, name):
        return comma_values(data, name)


class CommaCheckboxes(CommaListMixin, forms.CheckboxSelectMultiple):
    pass


class ValueCheckbox(forms.CheckboxInput):
    """A ticked box sending a parameter's value (verified_within=365); ticked with another
    value from an address, it keeps that value instead of changing the filter."""

    def __init__(self, default):
        super().__init__()
        self.default = default

    def get_context(self, name, value, attrs):
        attrs = {**(attrs or {}), **({"checked": True} if value else {})}
        return Input.get_context(self, name, value or self.default, attrs)

    def value_from_datadict(self, data, files, name):
        return data.get(name, "")


class CommaSelectMultiple(CommaListMixin, forms.SelectMultiple):
    pass


class FilterForm(forms.Form):
    """A form of filters the shared parser judges (mapapp.reads.filters): the form only draws
    the controls, `filters` holds what the parser made of them. Every filter form has the case
    filters' controls."""

    # The parser's parameters for this form, the other names it takes, and those without a
    # control (carried as hidden inputs).
    names, aliases, carried_names = FILTER_PARAMS, ALIASES, ()

    case_kind = forms.MultipleChoiceField(
        label="Kind of threat",
        required=False,
        choices=ThreatCase.Kind.choices,
        widget=CommaCheckboxes,
    )
    case_status = forms.MultipleChoiceField(
        label="Case status",
        required=False,
        choices=ThreatCase.Status.choices,
        widget=CommaCheckboxes,
    )
    # Text, not type=number: a mistyped value shown back with its error must stay valid HTML.
    deadline_within = forms.CharField(
        label="Next deadline within (days)",
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 5}),
        help_text=f"0 for today, up to {MAX_DEADLINE_DAYS}.",
    )
    bbox = forms.CharField(required=False, widget=forms.HiddenInput)
    deadline_before = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, data=None, *, filters=None, **kwargs):
        super().__init__(data, **kwargs)
        self.filters = filters

    @classmethod
    def showing(cls, filters, query):
        """A form whose controls show the filters parsed from query, as they were applied."""
        return cls(cls.shown_data(filters, query.copy()), filters=filters)

    @classmethod
    def shown_data(cls, filters, data):
        """data with the controls' values as the parser read them (old names replaced)."""
        for alias in CASE_ALIASES:
            data.pop(alias, None)
        data.setlist("case_kind", filters.case_kinds)
        data.setlist("case_status", filters.case_statuses)
        return data

    def full_clean(self):
        """The shared parser judges the filters; its messages land on the controls."""
        self._errors, self.cleaned_data = ErrorDict(), {}
        if not self.is_bound or self.filters is not None:
            return  # nothing to judge, or judged already (a form made by showing)
        try:
            self.filters = parse_filters(self.data, names=self.names, aliases=self.aliases)
        except FilterError as problem:
            for name, messages in problem.errors.items():
                # kind= is case_kind's other name: its problem shows beside case_kind.
                field = CASE_ALIASES.get(name, name) if name in self.aliases else name
                self._errors.setdefault(field, self.error_class()).extend(messages)

    def carried(self):
        """Hidden inputs for the filters the form has no control for, when given and sound."""
        return [
            self[name]
            for name in self.carried_names
            if self.data.get(name) and name not in self.errors
        ]

    def carried_errors(self):
        """Problems with filters that have no control to show them beside."""
        return [message for name in self.carried_names for message in self.errors.get(name, ())]


class EntryFilterForm(FilterForm):
    """The list page's filters, in the vocabulary of the API and the map (see
    mapapp.reads.filters). Validating it runs the shared parser; `filters` holds the result."""

    carried_names = CARRIED

    q = forms.CharField(
        label="Search",
        required=False,
        widget=forms.TextInput(attrs={"maxlength": MAX_Q_LENGTH, "type": "search"}),
    )
    category = forms.MultipleChoiceField(required=False, widget=CommaCheckboxes)
    tag = forms.MultipleChoiceField(required=False, widget=forms.Select)
    threat = forms.CharField(label="Threat", required=False, widget=forms.Select)
    ordering = forms.CharField(label="Sort by", required=False, widget=forms.Select)
    # The old name of ordering, still read from links; never drawn, only its errors are.
    sort = forms.CharField(required=False, widget=forms.HiddenInput)
    near = forms.CharField(required=False, widget=forms.HiddenInput)
    radius = forms.CharField(required=False, widget=forms.HiddenInput)
    updated_since = forms.CharField(required=False, widget=forms.HiddenInput)
    verified_within = forms.CharField(
        label="Verified in the last 12 months",
        required=False,
        widget=ValueCheckbox(default=str(VERIFIED_A_YEAR)),
    )

    def __init__(self, data=None, *, filters=None, **kwargs):
        super().__init__(data, filters=filters, **kwargs)
        self.fields["category"].choices = Category.objects.values_list("slug", "name")
        tags = list(Tag.objects.in_use_publicly().values_list("slug", "name"))
        self.fields["tag"].choices = [("", "Any tag"), *tags]
        if len(comma_values(self.data, "tag")) > 1:
            self.fields["tag"].widget = CommaSelectMultiple(choices=tags)
        self.fields["threat"].widget.choices = self._threat_choices()
        self.fields["ordering"].widget.choices = [
            (value, ORDERING_LABELS[value])
            for value in ORDERINGS
            if value != "distance" or "near" in self.data
        ]

    @classmethod
    def shown_data(cls, filters, data):
        data = super().shown_data(filters, data)
        for name in ("sort", "tag", "threat"):
            data.pop(name, None)
        data.setlist("category", filters.categories)
        data.setlist("tag", filters.tags)
        if filters.threats:
            data["threat"] = ",".join(filters.threats)
        data["ordering"] = filters.ordering
        return data

    def _threat_choices(self):
        value = ",".join(comma_values(self.data, "threat"))
        known = {v for v, _ in THREAT_CHOICES}
        return THREAT_CHOICES if value in known else [*THREAT_CHOICES, (value, value)]


class ThreatFilterForm(FilterForm):
    """The threats page's filters: the threats API's (THREAT_FILTERS, kind= and status= as
    the shorter names of case_kind and case_status), judged by the same parser."""

    names, aliases, carried_names = THREAT_FILTERS, THREAT_ALIASES, ("bbox", "deadline_before")

    category = forms.MultipleChoiceField(required=False, widget=CommaCheckboxes)

    def __init__(self, data=None, *, filters=None, **kwargs):
        super().__init__(data, filters=filters, **kwargs)
        self.fields["category"].choices = Category.objects.values_list("slug", "name")

    @classmethod
    def shown_data(cls, filters, data):
        data = super().shown_data(filters, data)
        data.setlist("category", filters.categories)
        return data


PRECISION_HELP = {
    Entry.Precision.EXACT: "Shown exactly where you put the pin, with the street address.",
    Entry.Precision.APPROXIMATE: "Shown a few hundred metres away; the address is not published.",
    Entry.Precision.AREA: "Only the area (about 2 km) is shown; for groups that meet in homes.",
}


class HoneypotForm(forms.Form):
    """A field people leave empty; bots that fill in every field give themselves away."""

    field_order = ["nickname"]

    nickname = forms.CharField(
        required=False,
        label="Leave this empty",
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def clean_nickname(self):
        if self.cleaned_data["nickname"]:
            raise forms.ValidationError("This field must be left empty.")
        return ""


def _entry_formfield(db_field, **kwargs):
    # Categories travel by slug, as in the API; web addresses typed without a scheme are https.
    if db_field.name == "category":
        kwargs.update(to_field_name="slug", empty_label="Choose a category")
    if db_field.name == "website":
        kwargs["assume_scheme"] = "https"
    if db_field.get_internal_type() == "DateField":
        kwargs["widget"] = date_input()
    return db_field.formfield(**kwargs)


class IsoDateInput(forms.DateInput):
    """A browser's date picker. It holds only ISO dates: a date is written as one (in the
    locale's format it would render empty, and saving the form would erase it), and a value
    sent that is no date is shown empty beside its error (value="x" is not valid HTML)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")

    def format_value(self, value):
        shown = super().format_value(value)
        return shown if isinstance(shown, str) and ISO_DATE.fullmatch(shown) else None


def date_input():
    """A browser's date picker for a date field of a form."""
    return IsoDateInput()


class EntryForm(HoneypotForm, forms.ModelForm):
    """Every editable field of an entry, with the location as longitude/latitude.

    Fields, limits, labels and choices come from the model; only how they are typed is here."""

    tags = forms.CharField(
        required=False, max_length=300, help_text="Separate tags with commas, e.g. food, repair."
    )
    longitude = forms.FloatField(min_value=LONGITUDES[0], max_value=LONGITUDES[1])
    latitude = forms.FloatField(min_value=LATITUDES[0], max_value=LATITUDES[1])

    class Meta:
        model = Entry
        # The map picker fills in longitude and latitude.
        fields = editable_fields(location_as=["longitude", "latitude"])
        formfield_callback = _entry_formfield
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2}),
            "description": forms.Textarea(attrs={"rows": 6}),
            "precision": forms.RadioSelect,
            # Text, not type=url: a mistyped address shown back with its error must stay
            # valid HTML.
            "website": forms.TextInput(attrs={"inputmode": "url", "autocomplete": "url"}),
            "opening_times": forms.Textarea(attrs={"rows": 2}),
            "threat_note": forms.Textarea(attrs={"rows": 2}),
        }

    def _post_clean(self):
        # The form builds no instance: the services validate the whole entry (location and
        # tags included) and their errors are shown on the form's fields.
        pass

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Give the entry a name.")
        return name

    def clean_tags(self):
        names = [t.strip() for t in self.cleaned_data["tags"].split(",") if t.strip()]
        longest = Tag._meta.get_field("name").max_length
        if len(names) > TAGS_PER_ENTRY:
            raise forms.ValidationError(f"Use at most {TAGS_PER_ENTRY} tags.")
        if any(len(n) > longest for n in names):
            raise forms.ValidationError(f"Each tag can be at most {longest} characters.")
        return names

    def entry_data(self):
        """Model field values from the cleaned form (tags are returned separately)."""
        from django.contrib.gis.geos import Point

        data = {k: v for k, v in self.cleaned_data.items() if k in EDITABLE_FIELDS}
        lon, lat = self.cleaned_data["longitude"], self.cleaned_data["latitude"]
        data["location"] = Point(lon, lat, srid=4326)
        return data

    @classmethod
    def initial_for(cls, entry):
        initial = {f: getattr(entry, f) for f in cls.base_fields if hasattr(entry, f)}
        initial.update(
            category=entry.category.slug,
            longitude=entry.location.x,
            latitude=entry.location.y,
            tags=", ".join(entry.tags.values_list("name", flat=True)),
        )
        initial.pop("nickname", None)
        return initial


class NewEntryForm(EntryForm):
    contact_email = forms.EmailField(
        required=False,
        label="Your email (optional, never shown)",
        help_text="Only for the moderators to ask you about this suggestion.",
    )
    confirm_new = forms.BooleanField(
        required=False, label="None of these: it is a new entry", widget=forms.CheckboxInput
    )


class EditEntryForm(EntryForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class SuggestChangeForm(EntryForm):
    message = ChangeRequest._meta.get_field("message").formfield(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="What should change, and how do you know?",
    )
    contact_email = forms.EmailField(required=False, label="Your email (optional, never shown)")
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    @classmethod
    def initial_for(cls, entry):
        """The entry as the public sees it, for everyone: a suggestion never starts from a
        withheld location, its street address or its full postcode."""
        initial = super().initial_for(entry)
        if entry.precision != Entry.Precision.EXACT:
            public = public_properties(entry)
            longitude, latitude = public_point(entry)
            initial.update(
                longitude=longitude,
                latitude=latitude,
                address=public["address"],
                postcode=public["postcode"],
            )
        return initial


class ReportForm(HoneypotForm, forms.ModelForm):
    # Radio buttons for the kinds, without the blank choice a select would start from.
    kind = Report._meta.get_field("kind").formfield(
        choices=Report.Kind.choices, widget=forms.RadioSelect, label="What is the problem?"
    )

    class Meta:
        model = Report
        fields = ["kind", "message"]
        labels = {"message": "Tell us more (optional)"}
        widgets = {"message": forms.Textarea(attrs={"rows": 3})}

    def _post_clean(self):
        pass  # report_create validates the report it makes


class DecisionForm(forms.ModelForm):
    class Meta:
        model = ModerationDecision
        fields = ["reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 2})}

    def _post_clean(self):
        pass  # the moderation services validate the decision they log


class FrequencyForm(forms.Form):
    frequency = forms.ChoiceField(
        label="Email me", choices=Frequency.choices, initial=Frequency.IMMEDIATE
    )


class AreaFollowForm(FrequencyForm):
    """An area to follow: the map's view as a bbox, read by the parser every door shares."""

    bbox = forms.CharField(
        label="Area (west,south,east,north)",
        max_length=200,
        help_text="Longitudes and latitudes of the area's corners; the map fills them in.",
    )
    area_name = forms.CharField(
        label="Name of the area",
        max_length=120,
        required=False,
        help_text='For your list of follows, e.g. "Bristol".',
    )
    field_order = ["area_name", "bbox", "frequency"]

    def clean_bbox(self):
        if len(self.data.getlist("bbox")) > 1:
            raise forms.ValidationError("Give bbox once.")
        try:
            return parse_bbox(self.cleaned_data["bbox"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None
