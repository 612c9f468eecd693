"""Freshness on the pages: an owner's or moderator's "still running", a visitor's "I was there
recently", and the answers to a reminder's signed links."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from mapapp.models import Entry
from mapapp.pages.navigation import next_on_this_site
from mapapp.services import freshness
from mapapp.web import ratelimit
from mapapp.web.errors import wait_in_words


def _published(slug):
    return get_object_or_404(Entry.objects.published(), slug=slug)


@login_required
@require_POST
def verify(request, slug):
    """The entry page's "Still running — confirm", for its owner and moderators."""
    entry = _published(slug)
    role = freshness.verifier_role(request.user, entry)
    freshness.entry_verify(entry=entry, role=role)
    messages.success(request, f"Thank you: \u201c{entry.name}\u201d is marked as verified today.")
    # Back to the moderation dashboard it was confirmed from, else the entry.
    return redirect(next_on_this_site(request) or entry)


# No CSRF token: the button is on every visitor's entry page, and a token there would make
# the page uncacheable for everyone. Pressing it needs no authority (anyone may, signed in or
# not), so a forged cross-site press can do nothing a visitor could not; the per-address
# limit bounds both.
@csrf_exempt
@require_POST
def confirm_visit(request, slug):
    """A visitor's "I was there recently — it's still here"; anonymous visitors too, a few
    an hour from one address and one a day for each entry, so the count means people, not
    one script."""
    entry = _published(slug)
    wait = ratelimit.hit(
        "visit", ratelimit.client_key(request), limit=settings.VISIT_CONFIRMATIONS_PER_HOUR
    )
    if wait:
        context = {
            "entry": entry,
            "error": f"Too many from here; try again in {wait_in_words(wait)}.",
        }
        response = render(request, "mapapp/freshness.html", context, status=429)
        response["Retry-After"] = str(wait)
        return response
    # Once a day from one address for one entry: pressing again must not inflate the count.
    again = ratelimit.hit(
        "visit-entry", f"{ratelimit.client_key(request)}:{entry.pk}", limit=1, period=86400
    )
    if again:
        messages.info(request, "Thank you: your visit is already counted today.")
    else:
        freshness.entry_confirm_visit(entry=entry)
        messages.success(request, "Thank you for saying it is still there.")
    return redirect(entry)


@require_http_methods(["GET", "HEAD", "POST"])
def answer(request, token):
    """A reminder's one-click answer: GET asks (a mail program's link scanner must not act),
    POST acts. A forged or expired link is told so and changes nothing."""
    try:
        if request.method != "POST":
            entry, action = freshness.reminder_reading(token)
            context = {"entry": entry, "action": action, "asked": freshness.ANSWERS[action]}
            return render(request, "mapapp/freshness.html", context)
        entry, action = freshness.reminder_answer(token)
    except ValidationError as error:
        context = {"error": error.messages[0]}
        return render(request, "mapapp/freshness.html", context, status=400)
    if action == "changes":
        return redirect(freshness.changes_path(entry))
    return render(request, "mapapp/freshness.html", {"entry": entry, "done": action})
