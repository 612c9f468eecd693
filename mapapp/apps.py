import sys

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


def create_cache_table(using, **kwargs):
    """Every set-up that migrates gets the database cache's table (CACHE_URL=db://)."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


class MapAppConfig(AppConfig):
    name = "mapapp"
    verbose_name = "Commons Map"

    def ready(self):
        # Rate limits and throttles live in the cache; a missing table would be a 500.
        post_migrate.connect(create_cache_table, sender=self)
        from mapapp.services.follows import ensure_schedules

        # The digests' and deadline alerts' schedules, at DIGEST_HOUR as configured now.
        post_migrate.connect(ensure_schedules, sender=self, dispatch_uid="commons-schedules")
        from mapapp.web.timeouts import hold_connection_to_limits

        # Every connection, whichever alias and however often it reopens, keeps to the limit.
        connection_created.connect(hold_connection_to_limits)
        from django_q.signals import post_execute, pre_execute

        from mapapp.services.imports import fail_given_up
        from mapapp.services.jobs import forget_private_success, renew_lease

        post_execute.connect(forget_private_success, dispatch_uid="commons-forget-private")
        post_execute.connect(fail_given_up, dispatch_uid="commons-fail-given-up-imports")
        pre_execute.connect(renew_lease, dispatch_uid="commons-renew-lease")
        if sys.argv[1:2] == ["qcluster"]:
            from mapapp.web import replicas

            # A job reads what it was queued after: a replica a moment behind would show a
            # just-published entry as pending, and its followers would never be told.
            replicas.pin_process_to_primary()
