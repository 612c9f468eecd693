"""Forms of the threat pages: a case and an event as people type them. Their fields are the
services' CASE_FIELDS and EVENT_FIELDS; limits, labels and choices come from the models, and
the services judge the whole case or event (its dates against each other) on submit."""

from django import forms
from django.db import models

from mapapp.models import ThreatCase, ThreatEvent
from mapapp.models.threats import latest_date
from mapapp.pages.forms import date_input
from mapapp.services import CASE_FIELDS, EVENT_FIELDS


def _formfield(db_field, **kwargs):
    if isinstance(db_field, models.DateField):
        kwargs["widget"] = date_input()
    if isinstance(db_field, models.URLField):
        # Text, not type=url: a mistyped address shown back with its error must stay valid
        # HTML. Typed without a scheme, an address is https.
        kwargs.update(
            assume_scheme="https",
            widget=forms.TextInput(attrs={"inputmode": "url", "autocomplete": "url"}),
        )
    return db_field.formfield(**kwargs)


class ContributionForm(forms.ModelForm):
    """A ModelForm that builds no instance: the services validate and save."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            choices = list(getattr(field, "choices", ()))
            if choices and choices[0][0] == "":
                field.choices = [("", "Choose one"), *choices[1:]]

    def _post_clean(self):
        pass

    def cleaned(self):
        """The cleaned fields, as the services take them."""
        return {name: self.cleaned_data[name] for name in self._meta.fields}

    def attach(self, error):
        """Show a service's ValidationError on the fields it names, the rest above the form."""
        if not hasattr(error, "error_dict"):
            for message in error.messages:
                self.add_error(None, message)
            return
        for name, messages in error.message_dict.items():
            target = name if name in self.fields else None
            for message in messages:
                self.add_error(target, message)


class CaseForm(ContributionForm):
    class Meta:
        model = ThreatCase
        fields = CASE_FIELDS
        formfield_callback = _formfield
        widgets = {"summary": forms.Textarea(attrs={"rows": 4})}

    @classmethod
    def initial_for(cls, case):
        return {name: getattr(case, name) for name in CASE_FIELDS}


class CaseEditForm(CaseForm):
    """A case's form when editing: it carries the version the editor started from, so a save
    over someone else's newer one is refused (services.case_update)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)

    @classmethod
    def initial_for(cls, case):
        return {**super().initial_for(case), "version": case.version}


class EventForm(ContributionForm):
    class Meta:
        model = ThreatEvent
        fields = EVENT_FIELDS
        formfield_callback = _formfield
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        # The date picker offers the case's span; the services judge what is sent.
        last = case.closed_on or latest_date()
        self.fields["happened_on"].widget.attrs.update(
            min=case.opened_on.isoformat(), max=last.isoformat()
        )
