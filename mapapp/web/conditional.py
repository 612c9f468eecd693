"""Conditional responses: ETag and Last-Modified, answered with 304 when the client is current.

The wide public reads (lists, clusters, tiles, the vocabularies) take their ETag from the data
set's version (mapapp.models.DatasetVersion, raised by every public write) and the request
itself, so a client that is up to date gets its 304 before any query for the answer runs, and a
body once built can be kept in the configured cache under that version: a write makes every
older copy unreachable at once, on every app server sharing the cache.
"""

import hashlib
import zlib

from django.core.cache import cache
from django.db import router
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from mapapp.models import DatasetVersion


def cached_json(request, body, *, content_type, last_modified, max_age=60, etag_prefix=""):
    """A response with ETag/Last-Modified that becomes a 304 when the client is up to date."""
    response = HttpResponse(body, content_type=content_type)
    # CRC-32 plus length: collisions between two versions of one URL are vanishingly unlikely,
    # and it costs a fraction of a cryptographic hash on a 400 kB page.
    etag = f'"{etag_prefix}{len(body):x}-{zlib.crc32(body):08x}"'
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={max_age}"
    timestamp = int(last_modified.timestamp()) if last_modified else None
    if timestamp is not None:
        response["Last-Modified"] = http_date(timestamp)
    return get_conditional_response(request, etag=etag, last_modified=timestamp, response=response)


def versioned(request, build, *, content_type, cache_seconds=0, max_age=60):
    """The read build() makes (bytes), answered from the data set's version: a 304 without
    calling build() when the client holds the current ETag, the cached body when one was kept
    (cache_seconds > 0), else build()'s."""
    number, changed_at = dataset_state(router.db_for_read(DatasetVersion))
    key = version_key(request, number)
    etag = f'"d{key[:24]}"'
    timestamp = int(changed_at.timestamp()) if changed_at else None
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={max_age}"}
    if timestamp is not None:
        headers["Last-Modified"] = http_date(timestamp)
    answered = get_conditional_response(request, etag=etag, last_modified=timestamp)
    if answered is not None:
        for name, value in headers.items():
            answered[name] = value
        return answered
    body = cache.get(f"read:{key}") if cache_seconds else None
    if body is None:
        body = build()
        if cache_seconds:
            cache.set(f"read:{key}", body, timeout=cache_seconds)
    return HttpResponse(body, content_type=content_type, headers=headers)


def dataset_state(using):
    """(version number, when it last changed) of the data set; (0, None) before any write."""
    row = DatasetVersion.objects.using(using).filter(pk=1).values_list("number", "changed_at")
    return row.first() or (0, None)


def version_key(request, number):
    """The data set's version, today's date (deadline filters count days from it) and the
    request's path and sorted query: the identity of a public read."""
    query = sorted((name, value) for name in request.GET for value in request.GET.getlist(name))
    text = f"{number}|{timezone.localdate().isoformat()}|{request.path}|{query}"
    return hashlib.sha256(text.encode()).hexdigest()
