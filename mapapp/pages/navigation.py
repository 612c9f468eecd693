"""Where a form sends its sender back to."""

from django.utils.http import url_has_allowed_host_and_scheme


def next_on_this_site(request):
    """The form's `next` if it leads to a page of this site, else "": never an open redirect."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return ""
