"""The one place that decides a request's client address (used by every per-address limit)."""

from django.conf import settings


def client_ip(request):
    """REMOTE_ADDR, or the TRUSTED_PROXY_HOPS-th address from the right of X-Forwarded-For.

    Each trusted proxy appends the address it received the request from, so the right-most
    TRUSTED_PROXY_HOPS values were written by our proxies and everything to their left by the
    client, who can put anything there. With no proxy in front (the default) the header is
    ignored: otherwise rotating it would escape every limit.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    hops = settings.TRUSTED_PROXY_HOPS
    if not hops:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    if not forwarded:
        return remote
    # Fewer values than hops: a proxy was bypassed or misconfigured; the left-most is the
    # furthest any proxy vouches for.
    return forwarded[-min(hops, len(forwarded))]
