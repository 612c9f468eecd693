"""Request guards that apply to every page and API call."""

from django.http import HttpResponseBadRequest, JsonResponse


class RejectNulMiddleware:
    """Refuse NUL characters in the path or query string with a 400.

    PostgreSQL cannot store or compare text containing NUL, so without this a crafted slug or
    filter value would reach the database and fail there as a server error.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        in_path = "\x00" in request.path
        if in_path or "%00" in query or "\x00" in query:
            where = "path" if in_path else "query"
            message = f"The {where} contains a NUL character, which is never valid here."
            if request.path.startswith("/ogc/"):
                # OGC API clients read its exception document.
                return JsonResponse(
                    {"code": "InvalidParameterValue", "description": message}, status=400
                )
            if request.path.startswith("/api/"):
                # Same shape as the API's other 400s: the key names what is wrong.
                return JsonResponse({where: [message]}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
