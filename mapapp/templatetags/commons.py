"""Template helpers for Commons Map pages."""

import json
from datetime import UTC

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import _json_script_escapes, format_html
from django.utils.safestring import mark_safe

from mapapp.reads.standards import public_record
from mapapp.reads.standards.jsonld import entry_jsonld

register = template.Library()


def ld_json(data, nonce):
    """A JSON-LD script element, escaped so user text cannot close the tag."""
    # Escaped as json_script does (<, > and & as \u escapes), so the text is safe in the tag.
    text = mark_safe(json.dumps(data, cls=DjangoJSONEncoder).translate(_json_script_escapes))  # noqa: S308
    return format_html('<script type="application/ld+json" nonce="{}">{}</script>', nonce, text)


@register.simple_tag(takes_context=True)
def entry_json_ld(context, entry):
    """schema.org data for an entry (reads.standards.jsonld): what the public sees of it."""
    request = context["request"]
    record = public_record(entry, request.build_absolute_uri)
    return ld_json(entry_jsonld(record), getattr(request, "csp_nonce", ""))


@register.filter
def iso_datetime(when):
    """A date-time for <time datetime>: ISO 8601 in UTC with at most milliseconds, as HTML
    allows (Django's `date:"c"` gives microseconds)."""
    if not when:
        return ""
    return when.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
