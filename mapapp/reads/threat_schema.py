"""JSON Schema of threat-case features (the API and OGC API docs share it), derived from the
cases' public fields and the model's field metadata: enums from the choices."""

from django.db import models

from mapapp.models import ThreatCase, ThreatEvent
from mapapp.reads.schema import LINK, PAGES, POINT, collection_schema
from mapapp.reads.threats import CASE_PUBLIC_FIELDS, EVENT_PUBLIC_FIELDS

DATE = {"type": "string", "format": "date"}


def field_schema(model, name):
    """The JSON Schema of one model field's value as the doors give it."""
    field = model._meta.get_field(name)
    schema = DATE.copy() if isinstance(field, models.DateField) else {"type": "string"}
    if field.choices:
        schema["enum"] = [value for value, _label in field.choices]
    if field.null:
        schema["nullable"] = True
    if field.help_text:
        schema["description"] = str(field.help_text)
    return schema


def _fields(model, names):
    return {name: field_schema(model, name) for name in names}


NEXT_DEADLINE = {
    "type": "object",
    "nullable": True,
    "description": "The soonest deadline from today of an active case; null if none.",
    "required": ["name", "due_on", "days"],
    "properties": {
        "name": {"type": "string"},
        "due_on": DATE,
        "days": {"type": "integer", "description": "days from today"},
    },
}
EVENT = {
    "type": "object",
    "required": ["id", *EVENT_PUBLIC_FIELDS],
    "properties": {"id": {"type": "integer"}, **_fields(ThreatEvent, EVENT_PUBLIC_FIELDS)},
}
DEADLINE = {
    "type": "object",
    "required": ["name", "due_on", "days", "countdown"],
    "properties": {
        "name": {"type": "string"},
        "due_on": DATE,
        "days": {"type": "integer", "description": "days from today (negative once passed)"},
        "countdown": {"type": "string", "description": 'e.g. "in 9 days", "2 days ago"'},
        "legal_basis": {"type": "string"},
        "explanation": {"type": "string"},
        "source_url": {"type": "string"},
    },
}
CASE_PROPERTIES = {
    **_fields(ThreatCase, CASE_PUBLIC_FIELDS),
    "entry": {"type": "string", "description": "slug of the entry under threat"},
    "entry_name": {"type": "string"},
    "entry_url": {"type": "string", "description": "path of the entry's public page"},
    "category": {"type": "string", "description": "the entry's category slug"},
    "next_deadline": NEXT_DEADLINE,
    "event_count": {"type": "integer", "minimum": 0, "description": "accepted events"},
    "url": {"type": "string", "description": "path of the case on its entry's page"},
}


def _case_feature(properties, **extra):
    return {
        "type": "object",
        "required": ["type", "id", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"type": "integer", "description": "the case's id"},
            "geometry": {**POINT, "description": "the entry's public point"},
            **extra,
            "properties": {"type": "object", "properties": properties},
        },
    }


CASE_FEATURE = _case_feature(CASE_PROPERTIES)
CASE_DETAIL_FEATURE = _case_feature(
    {
        **CASE_PROPERTIES,
        "version": {
            "type": "integer",
            "minimum": 1,
            "description": "raised by every edit; send it (or the ETag) as If-Match to change it",
        },
        "events": {"type": "array", "items": EVENT},
        "deadlines": {"type": "array", "items": DEADLINE},
    },
    links={"type": "array", "items": LINK},
)
CASE_COLLECTION = collection_schema(CASE_FEATURE, description=PAGES, stamped=True)
