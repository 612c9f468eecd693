"""Walking the project's URL resolver: every pattern, the URLs sample arguments give it, and a
check that each pattern was reached. The privacy and HTML validity walks share it, so a new
kind of URL argument is taught once and a walk that silently fetches nothing cannot pass.

Samples map an argument name (or, failing that, "slug" / "int" for its converter) to a list
of values; an argument the samples cannot fill fails the test that walks it.
"""

import itertools
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.converters import IntConverter, PathConverter, SlugConverter, StringConverter
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils.regex_helper import normalize

# Today the walk finds about 130 patterns (admin and allauth included); far fewer means the
# walk broke, and a broken walk must not pass by fetching nothing.
MIN_PATTERNS = 100
PATH_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<parameter>[^>]+)>")


def url_patterns():
    """(pattern parts from the root, URLPattern) for every pattern the project routes."""
    patterns = list(_walk(get_resolver(), ()))
    assert len(patterns) >= MIN_PATTERNS, f"the walk found only {len(patterns)} URL patterns"
    return patterns


def _walk(resolver, parts):
    for entry in resolver.url_patterns:
        here = (*parts, entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry, here)
        else:
            assert isinstance(entry, URLPattern), entry
            yield here, entry


def route(parts):
    """The pattern as written, root first ("entries/<str:slug>/"), to filter or report on."""
    return "".join(str(part) for part in parts)


def has_arguments(parts):
    return any(_part_template(part)[1] for part in parts)


def _part_template(pattern):
    """A %-format string for one pattern part, and its (parameter, converter or None) list."""
    if isinstance(pattern, RoutePattern):
        names = []

        def placeholder(match):
            names.append(match["parameter"])
            return f"%({match['parameter']})s"

        template = PATH_PARAMETER.sub(placeholder, str(pattern).replace("%", "%%"))
        return template, [(name, pattern.converters[name]) for name in names]
    if isinstance(pattern, RegexPattern):
        template, names = normalize(pattern.regex.pattern)[0]
        return template, [(name, None) for name in names]
    pytest.fail(f"The walk does not know {type(pattern).__name__} patterns ({pattern}).")


def _sample_values(name, converter, template, samples):
    if name in samples:
        values = samples[name]
    elif converter is None:
        pytest.fail(f"No sample for the group {name!r} of {template!r}: teach the walk one.")
    elif type(converter) in (StringConverter, SlugConverter):
        values = samples["slug"]
    elif type(converter) is IntConverter:
        values = samples["int"]
    elif type(converter) is PathConverter:
        values = samples["int"] + samples["slug"]
    else:
        pytest.fail(f"No samples for {type(converter).__name__} in {template!r}: teach the walk.")
    values = [str(v) for v in values]
    if converter is not None:
        # A sample the converter refuses would build a URL that 404s without testing anything.
        wrong = [v for v in values if not re.fullmatch(converter.regex, v)]
        assert not wrong, f"Samples {wrong} do not fit <{name}> of {template!r}."
    return values


def urls_for(parts, samples):
    """Every URL a pattern gives with the samples for its parameters, first samples first."""
    templates, parameters = zip(*(_part_template(p) for p in parts), strict=True)
    template = "/" + "".join(templates)
    parameters = [p for group in parameters for p in group]
    choices = [_sample_values(name, conv, template, samples) for name, conv in parameters]
    names = [name for name, _ in parameters]
    combinations = itertools.product(*choices)
    return [template % dict(zip(names, values, strict=True)) for values in combinations]


def unreached(walked, patterns):
    """The routes of patterns that no URL of walked, (url, pattern) pairs, resolves to."""
    reached = {id(pattern) for url, pattern in walked if _reaches(url, pattern)}
    return [route(parts) for parts, pattern in patterns if id(pattern) not in reached]


def _reaches(url, pattern):
    return resolve(url.split("?")[0]).func is pattern.callback
