"""Template helpers for Commons Map pages."""

import json
from datetime import UTC

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import _json_script_escapes
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def ld_json(data):
    """A schema.org JSON-LD script element, escaped so user text cannot close the tag."""
    text = json.dumps(data, cls=DjangoJSONEncoder).translate(_json_script_escapes)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308


@register.simple_tag
def entry_json_ld(entry, url):
    """schema.org data for an entry: its public point and locality only, never its address
    when the exact location is withheld."""
    data = {
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": entry.name,
        "description": entry.summary or entry.description[:280],
        "url": url,
        "location": {
            "@type": "Place",
            "geo": {
                "@type": "GeoCoordinates",
                "latitude": round(entry.public_point.y, 6),
                "longitude": round(entry.public_point.x, 6),
            },
            "address": {"@type": "PostalAddress", "addressLocality": entry.locality},
        },
    }
    if entry.website:
        data["sameAs"] = entry.website
    if entry.precision == entry.Precision.EXACT and entry.address:
        data["location"]["address"]["streetAddress"] = entry.address
    return ld_json(data)


@register.filter
def iso_datetime(when):
    """A date-time for <time datetime>: ISO 8601 in UTC with at most milliseconds, as HTML
    allows (Django's `date:"c"` gives microseconds)."""
    if not when:
        return ""
    return when.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
