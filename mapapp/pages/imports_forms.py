"""Forms of the import pages: the upload, and the mapping of a run's columns to entry fields.

They only draw controls and carry what was typed: what makes an upload or a mapping acceptable
is decided by mapapp.services.imports, whose ValidationError messages are attached to these
forms' fields (attach_errors)."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS

from mapapp.imports.mapping import ENTRY_TARGETS, TARGETS
from mapapp.models import Category, ImportSource
from mapapp.models.imports import SHEET_MAX_CHARS
from mapapp.reads.history import field_label

ENCODINGS = [
    ("", "Detect it"),
    ("utf-8", "UTF-8"),
    ("windows-1252", "Windows-1252 (Excel on Windows)"),
    ("latin-1", "Latin-1 (ISO 8859-1)"),
]
# Labels for the targets that are not an entry's own fields.
OTHER_TARGETS = {
    "tags": "Tags (separated by , ; or |)",
    "longitude": "Longitude",
    "latitude": "Latitude",
    "geometry": "Geometry (WKT or GeoJSON, EPSG:4326)",
    "place": "Town or place name (placed roughly)",
}


def target_choices():
    """("", "Leave out") then every target a column can map to, with a label for people."""
    labels = {name: field_label(name) for name in ENTRY_TARGETS}
    labels.update(OTHER_TARGETS)
    return [("", "Leave out"), *((name, labels[name]) for name in TARGETS)]


def attach_errors(form, error, renamed=None):
    """A service's ValidationError shown next to the fields it names (renamed maps a service's
    key to the form's field); anything else at the top of the form."""
    renamed = renamed or {}
    problems = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
    for key, messages in problems.items():
        field = renamed.get(key, key)
        target = field if field in form.fields else None
        if key == NON_FIELD_ERRORS:
            target = None
        for message in messages:
            form.add_error(target, message)


class UploadForm(forms.Form):
    upload = forms.FileField(
        label="File",
        help_text="A CSV file with a header row. Nothing is imported until you confirm.",
    )
    source = forms.ModelChoiceField(
        label="Existing source",
        queryset=ImportSource.objects.order_by("name"),
        required=False,
        empty_label="A new source (name it below)",
        help_text="Importing a list again updates the entries its earlier imports made.",
    )
    source_name = forms.CharField(
        label="New source's name",
        max_length=200,
        required=False,
        help_text="Who keeps the list, e.g. “Bristol Mutual Aid network”.",
    )
    licence = forms.CharField(
        label="Licence",
        max_length=40,
        required=False,
        help_text="Required for a new source: the licence the list is published under "
        "(CC-BY-4.0, ODbL-1.0…). For an existing source, leave empty to keep its licence.",
    )
    encoding = forms.ChoiceField(label="Text encoding", choices=ENCODINGS, required=False)
    sheet = forms.CharField(
        label="Sheet",
        max_length=SHEET_MAX_CHARS,
        required=False,
        help_text="For a workbook (.xlsx, .ods): the sheet's name as its tab shows it. Empty: "
        "the first sheet, and the next step offers the others.",
    )


class SheetForm(forms.Form):
    """Which of a workbook's sheets to preview and map, before its dry run (the service
    decides whether the sheet can be read)."""

    sheet = forms.ChoiceField(label="Sheet to import")

    def __init__(self, data=None, *, run, **kwargs):
        super().__init__(data, **kwargs)
        sheets = run.preview.get("sheets", [])
        self.fields["sheet"].choices = [(name, name) for name in sheets]
        self.fields["sheet"].initial = run.sheet


class MappingForm(forms.Form):
    """One select per column of the run's file (fields column_0, column_1…: column names are
    anyone's text), the id column, a category for every row and, for those allowed, publish."""

    id_column = forms.ChoiceField(
        label="Column with each row's own id",
        required=False,
        help_text="Lets a later upload of the same list update these entries. Without one, "
        "rows are recognised by their content.",
    )
    category = forms.ModelChoiceField(
        label="Category for every row",
        queryset=Category.objects.order_by("order", "name"),
        required=False,
        to_field_name="slug",
        empty_label="None: a column names each row's category",
    )
    publish = forms.BooleanField(
        label="Publish the entries at once (no review of each one)",
        required=False,
    )

    def __init__(self, data=None, *, run, may_publish, **kwargs):
        super().__init__(data, **kwargs)
        self.columns = list(run.preview.get("columns", []))
        choices = target_choices()
        for index, column in enumerate(self.columns):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=column or f"Column {index + 1}",
                choices=choices,
                required=False,
                initial=run.mapping.get(column, ""),
            )
        self.fields["id_column"].choices = [("", "None"), *((c, c) for c in self.columns)]
        self.fields["id_column"].initial = run.id_column
        self.fields["category"].initial = run.category.slug if run.category else ""
        self.fields["publish"].initial = run.publish
        if not may_publish:
            del self.fields["publish"]

    def column_fields(self):
        """(column name, bound select) for each column, in the file's order."""
        return [(c, self[f"column_{i}"]) for i, c in enumerate(self.columns)]

    def mapping(self):
        """{column: target} of the selects that map to something."""
        chosen = ((c, self.cleaned_data.get(f"column_{i}")) for i, c in enumerate(self.columns))
        return {column: target for column, target in chosen if target}
