"""Template helpers for Commons Map pages."""

import json
from datetime import UTC

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import _json_script_escapes
from django.utils.safestring import mark_safe

from mapapp.reads.public import public_point, public_properties

register = template.Library()


@register.filter
def ld_json(data):
    """A schema.org JSON-LD script element, escaped so user text cannot close the tag."""
    text = json.dumps(data, cls=DjangoJSONEncoder).translate(_json_script_escapes)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308


@register.simple_tag
def entry_json_ld(entry, url):
    """schema.org data for an entry: what the public sees of it (reads.public), its public
    point and, when the exact location is withheld, no street address and the outward postcode
    only."""
    public = public_properties(entry)
    longitude, latitude = public_point(entry)
    address = {"@type": "PostalAddress", "addressLocality": public["locality"]}
    if public["address"]:
        address["streetAddress"] = public["address"]
    if public["postcode"]:
        address["postalCode"] = public["postcode"]
    data = {
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": public["name"],
        "description": public["summary"] or public["description"][:280],
        "url": url,
        "location": {
            "@type": "Place",
            "geo": {"@type": "GeoCoordinates", "latitude": latitude, "longitude": longitude},
            "address": address,
        },
    }
    if public["website"]:
        data["sameAs"] = public["website"]
    return ld_json(data)


@register.filter
def iso_datetime(when):
    """A date-time for <time datetime>: ISO 8601 in UTC with at most milliseconds, as HTML
    allows (Django's `date:"c"` gives microseconds)."""
    if not when:
        return ""
    return when.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
