from mapapp import permissions


def roles(request):
    """What the navigation needs to know about the visitor's role."""
    user = getattr(request, "user", None)
    return {
        "perms_moderator": permissions.is_moderator(user),
        "perms_importer": permissions.can_import(user),
    }
