"""A contributor's own data: display name, export, deletion, API tokens."""

from django.db import transaction

from mapapp.models import Entry, editable_values


def profile_update(*, user, display_name):
    """Set the only thing ever shown publicly about a contributor."""
    from mapapp.models import Profile

    profile, _ = Profile.objects.get_or_create(user=user)
    profile.display_name = display_name.strip()
    profile.full_clean()
    profile.save()
    return profile


def account_export(*, user):
    """Everything Commons Map holds about an account, as JSON-ready data."""
    from mapapp.models import Profile

    profile = Profile.objects.filter(user=user).first()

    def entry_row(e):
        # Every field the contributor could have typed, beside what Commons Map added.
        return {
            "slug": e.slug,
            **editable_values(e),
            "tags": [tag.name for tag in e.tags.all()],
            "status": e.status,
            "created": e.created_at,
            "updated": e.updated_at,
        }

    return {
        "account": {
            "email": user.email,
            "username": user.get_username(),
            "display_name": profile.display_name if profile else "",
            "joined": user.date_joined,
            "last_login": user.last_login,
        },
        "entries": [
            entry_row(e)
            for e in Entry.objects.filter(created_by=user)
            .select_related("category")
            .prefetch_related("tags")
        ],
        "reports": list(
            user.reports.values("entry__slug", "kind", "message", "status", "created_at")
        ),
        "change_requests": list(
            user.change_requests.values("entry__slug", "message", "changes", "status", "created_at")
        ),
        "follows": [follow_row(f) for f in user.follows.select_related("entry", "category")],
    }


def follow_row(follow):
    return {
        "entry": follow.entry.slug if follow.entry else None,
        "category": follow.category.slug if follow.category else None,
        "area": list(follow.area.extent) if follow.area else None,
        "area_name": follow.area_name,
        "frequency": follow.frequency,
        "since": follow.created_at,
    }


def account_delete(*, user):
    """Delete an account; its entries stay on the map, no longer linked to anyone."""
    with transaction.atomic():
        Entry.objects.filter(created_by=user).update(created_by=None, submitter_email="")
        # History rows keep what changed, not who changed it.
        Entry.history.filter(history_user=user).update(history_user=None)
        user.delete()


def api_token_renew(*, user):
    """Give the user a fresh API token, revoking any earlier one."""
    from rest_framework.authtoken.models import Token

    with transaction.atomic():
        Token.objects.filter(user=user).delete()
        return Token.objects.create(user=user)


def api_token_revoke(*, user):
    from rest_framework.authtoken.models import Token

    Token.objects.filter(user=user).delete()
