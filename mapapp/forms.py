"""Forms: the list view's filters (plain GET, works without JavaScript)."""

from django import forms

from mapapp.api.params import WORD
from mapapp.models import Category, Entry, Tag

SORTS = [("name", "Name (A–Z)"), ("-updated", "Recently updated")]


class EntryFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=200)
    category = forms.ModelMultipleChoiceField(
        queryset=Category.objects.all(),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    tag = forms.ModelChoiceField(
        queryset=Tag.objects.all(), to_field_name="slug", required=False, empty_label="Any tag"
    )
    threat = forms.BooleanField(label="Only entries under threat", required=False)
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
            entries = entries.with_threat([Entry.Threat.AT_RISK, Entry.Threat.LOST])
        if data.get("sort") == "-updated":
            return entries.order_by("-updated_at", "-id")
        return entries.order_by("name", "id")
