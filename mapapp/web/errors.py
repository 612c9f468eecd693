"""Error pages that are ours rather than Django's or allauth's defaults."""

from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse

from mapapp.web.doors import door_of, ogc_exception

# Which allauth rate limit (ACCOUNT_RATE_LIMITS key) guards each of its views.
ALLAUTH_ACTIONS = {
    "account_login": "login",
    "account_signup": "signup",
    "account_reset_password": "reset_password",
    "account_reset_password_from_key": "reset_password_from_key",
    "account_email": "manage_email",
    "account_change_password": "change_password",
    "account_reauthenticate": "reauthenticate",
}
DEFAULT_WAIT = 60
# After a statement timeout: long enough for a database that was busy to catch up, short enough
# that a person retrying a map view is not kept waiting.
TIMEOUT_RETRY_SECONDS = 30


def allauth_wait(request):
    """Seconds after which allauth's limit on this view has surely let go: its longest window."""
    # allauth renders its 429s without saying how long it counts; its rate strings do.
    from allauth.account import app_settings
    from allauth.core.internal.ratelimit import parse_rates

    match = request.resolver_match
    action = ALLAUTH_ACTIONS.get(match.url_name if match else None)
    rates = parse_rates(app_settings.RATE_LIMITS.get(action)) if action else []
    return int(max((rate.duration for rate in rates), default=DEFAULT_WAIT))


def not_found(request, exception=None):
    """404s (urls.handler404): each door's own error shape, a page for people."""
    door = door_of(request)
    if door == "ogc":
        landing = reverse("ogc-landing")
        return ogc_exception(404, "NotFound", f"Nothing is at {request.path}; start at {landing}.")
    if door == "api":
        return JsonResponse({"detail": f"Nothing is at {request.path}."}, status=404)
    return render(request, "404.html", {"path": request.path}, status=404)


def wait_in_words(seconds):
    """How long to wait, for people: whole minutes rounded up, "1 minute" at least."""
    minutes = max(1, -(-seconds // 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def too_many_requests(request, exception=None, *, wait=None):
    """A 429 in the site's layout with Retry-After (allauth calls it as urls.handler429)."""
    wait = allauth_wait(request) if wait is None else wait
    context = {"wait": wait_in_words(wait)}
    response = render(request, "429.html", context, status=429)
    response["Retry-After"] = str(wait)
    return response


def statement_timed_out(request, limit_ms):
    """A 503 with Retry-After for a request whose statement ran past the limit, in its door's
    shape (mapapp.web.timeouts stops the statement)."""
    message = (
        f"This request took longer than {limit_ms} ms and was stopped; "
        "try a smaller area or fewer filters."
    )
    door = door_of(request)
    if door == "ogc":
        response = ogc_exception(503, "ServiceUnavailable", message)
    elif door == "api":
        response = JsonResponse({"detail": message}, status=503)
    else:
        context = {"message": message, "wait": wait_in_words(TIMEOUT_RETRY_SECONDS)}
        response = render(request, "503.html", context, status=503)
    response["Retry-After"] = str(TIMEOUT_RETRY_SECONDS)
    return response
