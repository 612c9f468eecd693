"""JSON Schema of the public features every door serves (API and OGC API docs share it).

Derived from the public field list (reads.public.PUBLIC_FIELDS) and the model's field metadata:
types from the fields' classes, enums from their choices (Entry.Threat, Entry.Precision),
descriptions from the field list or the model's help text. A new public field is documented
by being listed there.
"""

from django.db import models

from mapapp.reads.public import PUBLIC_FIELDS, SUMMARY_FIELDS

LINK = {
    "type": "object",
    "required": ["rel", "href"],
    "properties": {
        "rel": {"type": "string"},
        "type": {"type": "string"},
        "href": {"type": "string", "format": "uri"},
    },
}
POINT = {
    "type": "object",
    "required": ["type", "coordinates"],
    "properties": {
        "type": {"type": "string", "enum": ["Point"]},
        "coordinates": {
            "type": "array",
            "items": {"type": "number"},
            "minItems": 2,
            "maxItems": 2,
            "description": "[longitude, latitude], EPSG:4326",
        },
    },
}
# Properties every feature has that no model field holds.
DERIVED_PROPERTIES = {
    "url": {"type": "string", "description": "path of the entry's public page"},
}
SUMMARY_ONLY_PROPERTIES = {
    "distance": {"type": "number", "description": "metres from `near` (only with near)"},
}


def property_schema(field):
    """The JSON Schema of one public field's property, from its model field."""
    model_field = field.model_field
    if field.name == "tags":
        schema = {"type": "array", "items": {"type": "string"}}
    elif isinstance(model_field, models.DateTimeField):
        schema = {"type": "string", "format": "date-time"}
    elif isinstance(model_field, models.DateField):
        schema = {"type": "string", "format": "date"}
    elif isinstance(model_field, models.IntegerField):
        schema = {"type": "integer"}
    elif isinstance(model_field, models.BooleanField):
        schema = {"type": "boolean"}
    else:
        schema = {"type": "string"}
    if model_field.choices:
        schema["enum"] = [value for value, _label in model_field.choices]
        if model_field.blank and "" not in schema["enum"]:
            schema["enum"].append("")  # a choice not made yet (verified_by before a check)
    if model_field.null:
        schema["nullable"] = True
    description = field.description or str(model_field.help_text)
    if description:
        schema["description"] = description
    return schema


def _properties(fields):
    return {field.name: property_schema(field) for field in fields} | DERIVED_PROPERTIES


SUMMARY_PROPERTIES = _properties(SUMMARY_FIELDS) | SUMMARY_ONLY_PROPERTIES


def _feature(properties, **extra):
    return {
        "type": "object",
        "required": ["type", "id", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"type": "string"},
            "geometry": POINT,
            **extra,
            "properties": {"type": "object", "properties": properties},
        },
    }


SUMMARY_FEATURE = _feature(SUMMARY_PROPERTIES)
DETAIL_FEATURE = _feature(_properties(PUBLIC_FIELDS), links={"type": "array", "items": LINK})


# What a list's description says of its two answers.
PAGES = "Pages carry numberMatched, numberReturned and links; downloads only features."


def collection_schema(feature, *, links=None, description=None, stamped=False):
    """A FeatureCollection of `feature`s: a page's counts and links, with OGC's timeStamp if
    `stamped`."""
    stamp = {"timeStamp": {"type": "string", "format": "date-time"}} if stamped else {}
    schema = {"type": "object"}
    if description:
        schema["description"] = description
    return schema | {
        "required": ["type", "features"],
        "properties": {
            "type": {"type": "string", "enum": ["FeatureCollection"]},
            "numberMatched": {"type": "integer", "minimum": 0},
            "numberReturned": {"type": "integer", "minimum": 0},
            **stamp,
            "links": links or {"type": "array", "items": LINK},
            "features": {"type": "array", "items": feature},
        },
    }
