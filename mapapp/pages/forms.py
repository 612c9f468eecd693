"""Forms of the pages. The list's filter form only draws its controls: what a filter means
and what is wrong with it come from mapapp.reads.filters, the parser every door shares."""

from django import forms
from django.forms.utils import ErrorDict

from mapapp.models import Category, Entry, Report, Tag
from mapapp.reads.filters import MAX_Q_LENGTH, UNDER_THREAT, FilterError, parse_filters
from mapapp.reads.public import public_point, public_properties

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
# Filters the list has no control for: carried through the form so a resubmission keeps them.
CARRIED = ("bbox", "near", "radius", "updated_since")


def comma_values(data, name):
    """`name=a,b` as well as `name=a&name=b`, as every door reads them."""
    return [v.strip() for raw in data.getlist(name) for v in raw.split(",") if v.strip()]


class CommaListMixin:
    """A widget showing a comma list as its several choices."""

    def value_from_datadict(self, data, files, name):
        return comma_values(data, name)


class CommaCheckboxes(CommaListMixin, forms.CheckboxSelectMultiple):
    pass


class CommaSelectMultiple(CommaListMixin, forms.SelectMultiple):
    pass


class EntryFilterForm(forms.Form):
    """The list page's filters, in the vocabulary of the API and the map (see
    mapapp.reads.filters). Validating it runs the shared parser; `filters` holds the result."""

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
    bbox = forms.CharField(required=False, widget=forms.HiddenInput)
    near = forms.CharField(required=False, widget=forms.HiddenInput)
    radius = forms.CharField(required=False, widget=forms.HiddenInput)
    updated_since = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, data=None, *, filters=None, **kwargs):
        super().__init__(data, **kwargs)
        self.filters = filters
        self.fields["category"].choices = Category.objects.values_list("slug", "name")
        tags = list(Tag.objects.in_use_publicly().values_list("slug", "name"))
        self.fields["tag"].choices = [("", "Any tag"), *tags]
        if len(comma_values(self.data, "tag")) > 1:
            self.fields["tag"].widget = CommaSelectMultiple(choices=tags)
        self.fields["threat"].widget.choices = self._threat_choices()
        self.fields["ordering"].widget.choices = [
            (value, label)
            for value, label in ORDERING_LABELS.items()
            if value != "distance" or "near" in self.data
        ]

    @classmethod
    def showing(cls, filters, query):
        """A form whose controls show the filters parsed from query, as they were applied."""
        data = query.copy()
        for name in ("sort", "category", "tag", "threat"):
            data.pop(name, None)
        data.setlist("category", filters.categories)
        data.setlist("tag", filters.tags)
        if filters.threats:
            data["threat"] = ",".join(filters.threats)
        data["ordering"] = filters.ordering
        return cls(data, filters=filters)

    def full_clean(self):
        """The shared parser judges the filters; its messages land on the controls."""
        self._errors, self.cleaned_data = ErrorDict(), {}
        if not self.is_bound or self.filters is not None:
            return  # nothing to judge, or judged already (a form made by showing)
        try:
            self.filters = parse_filters(self.data)
        except FilterError as problem:
            for name, messages in problem.errors.items():
                self._errors[name] = self.error_class(messages)

    def carried(self):
        """Hidden inputs for the filters the list has no control for, when given and sound."""
        return [self[name] for name in CARRIED if self.data.get(name) and name not in self.errors]

    def carried_errors(self):
        """Problems with filters that have no control to show them beside."""
        return [message for name in CARRIED for message in self.errors.get(name, ())]

    def _threat_choices(self):
        value = ",".join(comma_values(self.data, "threat"))
        known = {v for v, _ in THREAT_CHOICES}
        return THREAT_CHOICES if value in known else [*THREAT_CHOICES, (value, value)]


PRECISION_HELP = {
    "exact": "Shown exactly where you put the pin, with the street address.",
    "approximate": "Shown a few hundred metres away; the address is not published.",
    "area": "Only the area (about 2 km) is shown; for groups that meet in homes.",
}


class HoneypotForm(forms.Form):
    """A field people leave empty; bots that fill in every field give themselves away."""

    nickname = forms.CharField(
        required=False,
        label="Leave this empty",
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def clean_nickname(self):
        if self.cleaned_data["nickname"]:
            raise forms.ValidationError("This field must be left empty.")
        return ""


class EntryForm(HoneypotForm):
    """Every public field of an entry, with the location as longitude/latitude."""

    name = forms.CharField(max_length=200)
    category = forms.ModelChoiceField(
        queryset=Category.objects.all(), to_field_name="slug", empty_label="Choose a category"
    )
    summary = forms.CharField(
        max_length=280,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One or two sentences, up to 280 characters.",
    )
    description = forms.CharField(
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Plain text. Web addresses become links.",
    )
    tags = forms.CharField(
        required=False, max_length=300, help_text="Separate tags with commas, e.g. food, repair."
    )
    longitude = forms.FloatField(min_value=-180, max_value=180)
    latitude = forms.FloatField(min_value=-90, max_value=90)
    precision = forms.ChoiceField(
        choices=Entry.Precision.choices, initial="exact", widget=forms.RadioSelect
    )
    address = forms.CharField(max_length=255, required=False)
    locality = forms.CharField(max_length=120, required=False, label="Town or neighbourhood")
    postcode = forms.CharField(max_length=16, required=False)
    website = forms.URLField(
        max_length=500,
        required=False,
        assume_scheme="https",
        # Text, not type=url: a mistyped address shown back with its error must stay valid HTML.
        widget=forms.TextInput(attrs={"inputmode": "url", "autocomplete": "url"}),
    )
    email = forms.EmailField(required=False, label="Public contact email")
    phone = forms.CharField(max_length=40, required=False, label="Public phone")
    opening_times = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    threat = forms.ChoiceField(choices=Entry.Threat.choices, initial="none", label="Under threat?")
    threat_note = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="What threatens it?",
    )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Give the entry a name.")
        return name

    def clean_tags(self):
        names = [t.strip() for t in self.cleaned_data["tags"].split(",") if t.strip()]
        if len(names) > 10:
            raise forms.ValidationError("Use at most 10 tags.")
        if any(len(n) > 60 for n in names):
            raise forms.ValidationError("Each tag can be at most 60 characters.")
        return names

    def entry_data(self):
        """Model field values from the cleaned form (tags are returned separately)."""
        from django.contrib.gis.geos import Point

        data = {
            k: v
            for k, v in self.cleaned_data.items()
            if k
            not in {
                "longitude",
                "latitude",
                "tags",
                "nickname",
                "contact_email",
                "message",
                "version",
                "confirm_new",
            }
        }
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
    message = forms.CharField(
        max_length=2000,
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


class ReportForm(HoneypotForm):
    kind = forms.ChoiceField(
        choices=Report.Kind.choices, widget=forms.RadioSelect, label="What is the problem?"
    )
    message = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Tell us more (optional)",
    )


class DecisionForm(forms.Form):
    reason = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
