from mapapp import permissions


def roles(request):
    """What the navigation needs to know about the visitor's role."""
    return {"perms_moderator": permissions.is_moderator(getattr(request, "user", None))}
