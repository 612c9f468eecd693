"""The check the standards' endpoints share: real answers match their documented schema."""

import json
from datetime import date

from jsonschema import Draft7Validator


def assert_answers_match_the_documented_schema(client, make_entry, endpoint, content_type):
    """Entries of several shapes, read at /api/v1/entries/<slug>/<endpoint>/, each valid
    against the OpenAPI document's 200 response schema for content_type."""
    schema = json.loads(client.get("/api/v1/schema/", {"format": "json"}).content)
    operation = schema["paths"][f"/api/v1/entries/{{slug}}/{endpoint}/"]["get"]
    validator = Draft7Validator(operation["responses"]["200"]["content"][content_type]["schema"])
    entries = [
        make_entry(),
        make_entry(category_slug="public-goods", tags=["pools"], phone="0117 000 0000"),
        make_entry(
            category_slug="campaigns-resistance",
            precision="approximate",
            website="https://save.example/",
            email="save@campaign.example",
            founded_on=date(2020, 1, 1),
            address="1 Road",
            locality="Easton",
            postcode="BS5 9QQ",
        ),
    ]
    for entry in entries:
        body = json.loads(client.get(f"/api/v1/entries/{entry.slug}/{endpoint}/").content)
        assert [error.message for error in validator.iter_errors(body)] == [], entry.slug
