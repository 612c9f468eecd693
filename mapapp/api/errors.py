"""One shape for every API 400: {"field": ["message", ...]}, however deep the problem was."""

from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.views import exception_handler


def flat_messages(detail, prefix=""):
    """Nested serializer errors as plain strings, each saying where it applies."""
    if isinstance(detail, dict):
        return [m for key, value in detail.items()
                for m in flat_messages(value, f"{prefix}item {key}: ")]  # fmt: skip
    if isinstance(detail, list):
        return [m for value in detail for m in flat_messages(value, prefix)]
    return [f"{prefix}{detail}"]


def api_exception_handler(exc, context):
    response = exception_handler(exc, context)
    if response is not None and isinstance(exc, ParseError):
        # A body that is not JSON we accept is a problem with the field called "body".
        response.data = {"body": [str(exc.detail)]}
    if response is not None and isinstance(exc, ValidationError):
        data = response.data
        if isinstance(data, dict):
            response.data = {field: flat_messages(value) for field, value in data.items()}
        else:
            response.data = {"body": flat_messages(data)}
    return response
