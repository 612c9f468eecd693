"""OpenAPI descriptions of an entry's JSON-LD and Murmurations profile and of the HSDS data
package (mapapp.api.standards)."""

from drf_spectacular.utils import OpenApiResponse

from mapapp.api.docs import DETAIL_ERROR, ENTRY_LIST, ERRORS, NOT_MODIFIED
from mapapp.reads.filters import FILTER_PARAMS
from mapapp.reads.standards.hsds import HSDS_VERSION, TABLES
from mapapp.reads.standards.murmurations import SCHEMA

NOT_FOUND = {
    (404, "application/json"): OpenApiResponse(
        DETAIL_ERROR, description="No published entry has this slug."
    )
}
POSTAL_ADDRESS = {
    "type": "object",
    "description": "The public parts only: no street address unless the location is exact.",
    "properties": {
        "@type": {"type": "string", "enum": ["PostalAddress"]},
        "streetAddress": {"type": "string"},
        "addressLocality": {"type": "string"},
        "postalCode": {"type": "string"},
    },
}
GEO = {
    "type": "object",
    "description": "The entry's public point.",
    "required": ["@type", "latitude", "longitude"],
    "properties": {
        "@type": {"type": "string", "enum": ["GeoCoordinates"]},
        "latitude": {"type": "number"},
        "longitude": {"type": "number"},
    },
}
JSONLD_DOCUMENT = {
    "type": "object",
    "required": ["@context", "@type", "@id", "name", "url"],
    "properties": {
        "@context": {"type": "object"},
        "@type": {
            "description": "Organization and essglobal:SSEInitiative; CivicStructure for "
            "public goods.",
            "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
        },
        "@id": {"type": "string", "format": "uri"},
        "name": {"type": "string"},
        "description": {"type": "string"},
        "url": {"type": "string", "format": "uri"},
        "sameAs": {"type": "string", "description": "the entry's own website"},
        "email": {"type": "string"},
        "telephone": {"type": "string"},
        "foundingDate": {"type": "string", "format": "date"},
        "keywords": {"type": "array", "items": {"type": "string"}},
        "address": POSTAL_ADDRESS,
        "geo": GEO,
        "location": {
            "type": "object",
            "properties": {"@type": {"type": "string"}, "geo": GEO, "address": POSTAL_ADDRESS},
        },
        "essglobal:primarySector": {
            "type": "object",
            "description": "An ESSGlobal activity (Activities (Modified)), where one fits.",
            "properties": {"@id": {"type": "string", "format": "uri"}},
        },
    },
}
ENTRY_JSONLD = {
    "auth": [],
    "operation_id": "entries_jsonld",
    "summary": "One published entry as schema.org JSON-LD, with ESSGlobal terms",
    "description": (
        "The JSON-LD the entry's page embeds: an Organization (a CivicStructure for public "
        "goods) with its public point and the public parts of its address, typed "
        "essglobal:SSEInitiative with an ESSGlobal primary sector where one fits."
    ),
    "responses": {
        (200, "application/ld+json"): OpenApiResponse(JSONLD_DOCUMENT),
        **NOT_MODIFIED,
        **NOT_FOUND,
        **ERRORS,
    },
    "tags": ["standards"],
}
URL_ITEM = {
    "type": "object",
    "required": ["url"],
    "properties": {"name": {"type": "string"}, "url": {"type": "string"}},
}
MURMURATIONS_PROFILE = {
    "type": "object",
    "required": ["linked_schemas", "name", "primary_url", "geolocation"],
    "properties": {
        "linked_schemas": {"type": "array", "items": {"type": "string", "enum": [SCHEMA]}},
        "name": {"type": "string", "maxLength": 200},
        "primary_url": {"type": "string", "pattern": "^https?://"},
        "tags": {"type": "array", "items": {"type": "string", "maxLength": 100}},
        "description": {"type": "string"},
        "urls": {"type": "array", "items": URL_ITEM},
        "geolocation": {
            "type": "object",
            "description": "The entry's public point.",
            "required": ["lat", "lon"],
            "properties": {"lat": {"type": "number"}, "lon": {"type": "number"}},
        },
        "unique_id": {"type": "string", "description": "the entry's slug"},
        "locality": {"type": "string"},
        "postal_code": {"type": "string", "description": "the outward part unless exact"},
        "full_address": {"type": "string", "description": "public parts only"},
        "telephone": {"type": "string"},
        "contact_details": {"type": "object", "properties": {"email": {"type": "string"}}},
        "starts_at": {"type": "integer", "description": "founding date, as a Unix timestamp"},
    },
}
ENTRY_MURMURATIONS = {
    "auth": [],
    "operation_id": "entries_murmurations",
    "summary": f"One published entry as a Murmurations profile ({SCHEMA})",
    "description": (
        "A profile to register with a Murmurations index: the entry's public fields, its "
        "public point as geolocation, and locality and postal_code (library fields) as public."
    ),
    "responses": {
        (200, "application/json"): OpenApiResponse(MURMURATIONS_PROFILE),
        **NOT_MODIFIED,
        **NOT_FOUND,
        **ERRORS,
    },
    "tags": ["standards"],
}
HSDS_EXPORT = {
    "auth": [],
    "operation_id": "exports_hsds",
    "summary": f"Every matching published entry as an Open Referral HSDS {HSDS_VERSION} package",
    "description": (
        "A zip of a Frictionless Tabular Data Package: datapackage.json (the tables' schemas, "
        "keys and references) and "
        + ", ".join(table.path for table in TABLES)
        + ". Each entry is an organization providing one service at one location (its public "
        "point); ids are UUIDs stable across downloads. Takes the entries' filters."
    ),
    "parameters": [p for p in ENTRY_LIST["parameters"] if p.name in FILTER_PARAMS],
    "responses": {
        (200, "application/zip"): OpenApiResponse(
            {"type": "string", "format": "binary"}, description="The data package."
        ),
        **ERRORS,
    },
    "tags": ["standards"],
}
