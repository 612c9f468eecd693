"""A small fixed-window rate limit on the cache, for anonymous suggestions and reports."""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache

from mapapp.web.clientip import client_ip


def client_key(request):
    """A hash of the client's address: enough to count requests, never stored in the clear."""
    address = client_ip(request)
    return hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()[:32]


def hit(scope, key, *, limit, period=3600):
    """Count one action; return seconds to wait if the limit was already reached, else 0."""
    window = int(time.time() // period)
    name = f"ratelimit:{scope}:{key}:{window}"
    cache.add(name, 0, timeout=period)
    try:
        count = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.set(name, 1, timeout=period)
        count = 1
    if count > limit:
        return period - int(time.time() % period)
    return 0
