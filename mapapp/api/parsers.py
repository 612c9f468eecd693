"""JSON request bodies, read strictly: UTF-8 only, no lone surrogates, no absurd nesting."""

import json
import math

import orjson
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.parsers import BaseParser

# An entry body is at most four levels deep (Feature > geometry > crs > properties); 32 leaves
# room for any honest client while keeping every later step (validation, error messages)
# far from Python's recursion limit.
MAX_DEPTH = 32


class StrictJSONParser(BaseParser):
    """Parse with orjson, which refuses lone surrogates, NaN and numbers beyond a double."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read()
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as error:
            if "recursion" in str(error):
                raise ParseError(too_deep()) from None
            refused = field_refused(raw)
            if refused is None:
                raise ParseError(f"The body is not valid JSON: {error}") from None
            raise ValidationError(refused) from None
        if depth_exceeds(data, MAX_DEPTH):
            raise ParseError(too_deep())
        return data


class StrictGeoJSONParser(StrictJSONParser):
    media_type = "application/geo+json"


def too_deep():
    return f"The body nests arrays or objects more than {MAX_DEPTH} levels deep."


def depth_exceeds(data, limit):
    """Whether data nests lists/dicts more than limit deep, counted without recursion."""
    level = [data] if isinstance(data, dict | list) else []
    for _ in range(limit):
        level = [
            child
            for value in level
            for child in (value.values() if isinstance(value, dict) else value)
            if isinstance(child, dict | list)
        ]
        if not level:
            return False
    return True


def field_refused(raw):
    """{field: [why]} for the top-level field (or Feature property) orjson refused, or None.

    Python's own json reads what orjson refuses (lone surrogates, integers of any length), so
    a second, lenient reading tells the client which field to fix; None when it is the syntax.
    """
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        data = {"body": data}
    elif data.get("type") == "Feature" and isinstance(data.get("properties"), dict):
        data = {**{k: v for k, v in data.items() if k != "properties"}, **data["properties"]}
    for key, value in data.items():
        for part in [key, *leaves(value)]:
            why = problem(part)
            if why:
                return {key if part is not key else "body": [why]}
    return None


def problem(value):
    """Why a parsed value is unusable: text that cannot be UTF-8, a number beyond a double."""
    if isinstance(value, str):
        try:
            value.encode()
        except UnicodeEncodeError:
            return "Text with a lone surrogate (like \\ud800) is not valid Unicode."
    elif isinstance(value, int) and not isinstance(value, bool):
        try:
            float(value)
        except OverflowError:
            return "A number this large cannot be used."
    elif isinstance(value, float) and not math.isfinite(value):
        return "Numbers must be finite (no NaN, Infinity or 1e999)."
    return None


def leaves(value):
    """Every key, string and number inside value (iteratively)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            yield from item.keys()
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        else:
            yield item
