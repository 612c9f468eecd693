"""Forms: the list view's filters (plain GET, works without JavaScript), an entry's fields
as people type them (a ModelForm over the model's editable fields), reports and decisions."""

from django import forms

from mapapp.location import PUBLIC_DECIMALS, public_address
from mapapp.models import (
    EDITABLE_FIELDS,
    LATITUDES,
    LONGITUDES,
    TAGS_PER_ENTRY,
    Category,
    ChangeRequest,
    Entry,
    ModerationDecision,
    Report,
    Tag,
    editable_fields,
)
from mapapp.reads.filters import WORD

SORTS = [("name", "Name (A–Z)"), ("-updated", "Recently updated")]
# What "under threat" means when the list's checkbox (or the map's threat=1) is ticked.
UNDER_THREAT = [Entry.Threat.AT_RISK, Entry.Threat.LOST]
TICKED = {"1", "on", "true"}
UNTICKED = {"0", "false", "none"}


def split_commas(values):
    """Values of a repeatable parameter that also accepts comma lists, as the API does."""
    return [v.strip() for raw in values or () for v in str(raw).split(",") if v.strip()]


class SlugListField(forms.ModelMultipleChoiceField):
    """Several slugs as checkboxes, repeated (`category=a&category=b`) or `category=a,b`."""

    def clean(self, value):
        return super().clean(split_commas(value))

    def prepare_value(self, value):
        # Tick the boxes of a comma list too, so the form shows the filters it applied.
        if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
            value = split_commas(value)
        return super().prepare_value(value)


class ThreatCheckbox(forms.CheckboxInput):
    """A checkbox that hands the field the submitted text, not just ticked or not."""

    def __init__(self, attrs=None):
        # Ticked when the filter shows threatened entries (not for threat=none or threat=0).
        super().__init__(attrs, check_test=lambda v: bool(v) and str(v).lower() not in UNTICKED)

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class ThreatField(forms.Field):
    """The list's checkbox (`threat=on`, the map's `threat=1`) or the API's threat values
    (`threat=at_risk,lost`); cleans to the list of threats to show (empty: any)."""

    widget = ThreatCheckbox

    def to_python(self, value):
        if value in (None, "", False) or str(value).lower() in {"0", "false"}:
            return []
        if value is True or str(value).lower() in TICKED:
            return list(UNDER_THREAT)
        wanted = split_commas([value])
        wrong = [w for w in wanted if w not in Entry.Threat.values]
        if wrong:
            raise forms.ValidationError(
                f"Unknown threat: {', '.join(wrong)}. "
                f"Use {', '.join(Entry.Threat.values)}, or tick the box."
            )
        return wanted


class EntryFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=200)
    category = SlugListField(
        queryset=Category.objects.all(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    tag = forms.ModelChoiceField(
        queryset=Tag.objects.in_use_publicly(),
        to_field_name="slug",
        required=False,
        empty_label="Any tag",
    )
    threat = ThreatField(label="Only entries under threat", required=False)
    sort = forms.ChoiceField(choices=SORTS, required=False)

    def clean_q(self):
        text = self.cleaned_data["q"].strip()
        if text and not WORD.search(text):
            raise forms.ValidationError("Search for at least one word (letters or digits).")
        return text

    def filter(self, entries):
        """Apply the cleaned filters to a queryset of published entries."""
        data = self.cleaned_data
        if data["q"]:
            entries = entries.search([w.lower() for w in WORD.findall(data["q"])][:10])
        if data["category"]:
            entries = entries.in_categories([c.slug for c in data["category"]])
        if data["tag"]:
            entries = entries.with_any_tag([data["tag"].slug])
        if data["threat"]:
            entries = entries.with_threat(data["threat"])
        if data.get("sort") == "-updated":
            return entries.order_by("-updated_at", "-id")
        return entries.order_by("name", "id")


PRECISION_HELP = {
    "exact": "Shown exactly where you put the pin, with the street address.",
    "approximate": "Shown a few hundred metres away; the address is not published.",
    "area": "Only the area (about 2 km) is shown; for groups that meet in homes.",
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
    return db_field.formfield(**kwargs)


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
            address, postcode = public_address(entry.precision, entry.address, entry.postcode)
            initial.update(
                longitude=round(entry.public_point.x, PUBLIC_DECIMALS),
                latitude=round(entry.public_point.y, PUBLIC_DECIMALS),
                address=address,
                postcode=postcode,
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
