"""JSON Schema of the public features every door serves (API and OGC API docs share it)."""

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
NULLABLE_DATETIME = {"type": "string", "format": "date-time", "nullable": True}
SUMMARY_PROPERTIES = {
    "slug": {"type": "string"},
    "name": {"type": "string"},
    "category": {"type": "string", "description": "category slug"},
    "tags": {"type": "array", "items": {"type": "string"}},
    "summary": {"type": "string"},
    "locality": {"type": "string"},
    "threat": {"type": "string", "enum": ["none", "at_risk", "lost"]},
    "precision": {
        "type": "string",
        "enum": ["exact", "approximate", "area"],
        "description": "approximate and area entries are shown at a derived public point",
    },
    "updated": {"type": "string", "format": "date-time"},
    "url": {"type": "string", "description": "path of the entry's public page"},
    "distance": {"type": "number", "description": "metres from `near` (only with near)"},
}
SUMMARY_FEATURE = {
    "type": "object",
    "required": ["type", "id", "geometry", "properties"],
    "properties": {
        "type": {"type": "string", "enum": ["Feature"]},
        "id": {"type": "string"},
        "geometry": POINT,
        "properties": {"type": "object", "properties": SUMMARY_PROPERTIES},
    },
}
DETAIL_FEATURE = {
    "type": "object",
    "required": ["type", "id", "geometry", "properties"],
    "properties": {
        "type": {"type": "string", "enum": ["Feature"]},
        "id": {"type": "string"},
        "geometry": POINT,
        "links": {"type": "array", "items": LINK},
        "properties": {
            "type": "object",
            "properties": {
                **SUMMARY_PROPERTIES,
                **{
                    name: {"type": "string"}
                    for name in (
                        "category_name",
                        "description",
                        "address",
                        "postcode",
                        "website",
                        "email",
                        "phone",
                        "opening_times",
                        "threat_note",
                        "licence",
                        "source",
                    )
                },
                "published": NULLABLE_DATETIME,
                "version": {"type": "integer", "description": "send as If-Match to change it"},
            },
        },
    },
}
