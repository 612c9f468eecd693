"""Conditional responses: ETag and Last-Modified, answered with 304 when the client is current."""

import zlib

from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date


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
