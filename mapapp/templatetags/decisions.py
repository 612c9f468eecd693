"""The moderator's decision form, one per queue item: a reason box and a button per action."""

from django import template
from django.urls import reverse

from mapapp.pages.forms import DecisionForm

register = template.Library()


@register.inclusion_tag("mapapp/_decision_form.html", takes_context=True)
def decision_form(
    context, url_name, key, *actions, label="", id_prefix="", rows=1, confirm_version=None
):
    """Buttons that post to `url_name` with (key, verb), one per action written "verb=Label",
    the first the main one, after a reason box labelled `label` (none without a label); the
    form returns to the context's `next`, or to this page."""
    return {
        "csrf_token": context.get("csrf_token"),
        "next": context.get("next") or context["request"].get_full_path(),
        "field_id": f"{id_prefix}-{key}",
        "label": label,
        "rows": rows,
        "max_length": DecisionForm.base_fields["reason"].max_length,
        "confirm_version": confirm_version,
        "actions": [_action(url_name, key, action) for action in actions],
    }


def _action(url_name, key, action):
    verb, _, label = action.partition("=")
    return {"url": reverse(url_name, args=[key, verb]), "label": label}
