"""Request guards that apply to every page and API call."""

from urllib.parse import parse_qsl

from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.cache import add_never_cache_headers

from mapapp.web.doors import door_of, ogc_exception

NUL = "\x00"


class RejectNulMiddleware:
    """Refuse NUL characters in the path or query string with a 400 naming where they are.

    PostgreSQL cannot store or compare text containing NUL, so without this a crafted slug or
    filter value would reach the database and fail there as a server error.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if NUL in request.path:
            where = ["path"]
        elif "%00" in query or NUL in query:
            where = parameters_with_nul(query) or ["query"]
        else:
            return self.get_response(request)
        named = ", ".join(f"'{name}'" for name in where)
        message = f"{named} contains a NUL character, which is never valid here."
        door = door_of(request)
        if door == "ogc":
            # OGC API clients read its exception document.
            return ogc_exception(400, "InvalidParameterValue", message)
        if door == "api":
            # Same shape as the API's other 400s: the key names what is wrong.
            return JsonResponse({name: [message] for name in where}, status=400)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


def parameters_with_nul(query):
    """The names of the query parameters whose name or value holds a NUL, in order, once each.

    A NUL inside a name is shown as %00, the way the client wrote it in the address.
    """
    names = []
    for name, value in parse_qsl(query, keep_blank_values=True):
        if NUL in name or NUL in value:
            shown = name.replace(NUL, "%00")
            if shown not in names:
                names.append(shown)
    return names


class NoStoreFormsMiddleware:
    """`Cache-Control: no-store` on every page that holds a form or someone's own data.

    Decided by what the response did rather than by a list of views, so a new form is covered
    without anyone remembering it: rendering {% csrf_token %} marks the request, and pages for a
    signed-in person (tokens, their entries, the admin) are theirs alone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        used_csrf_token = request.META.get("CSRF_COOKIE_NEEDS_UPDATE", False)
        # Only if the response read the session: an API call never does, and need not pay
        # for a session lookup here.
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)  # DRF leaves None for anonymous API clients
        personal = session is not None and session.accessed and bool(user and user.is_authenticated)
        if used_csrf_token or personal:
            add_never_cache_headers(response)
        return response
