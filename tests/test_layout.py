"""The house's import rules, read from the source: doors are siblings, reads know no HTTP door.

A rule kept by convention alone is the kind that one forgotten copy breaks, so the imports of
every module are checked here, not trusted.
"""

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "mapapp"
DOORS = ("mapapp.pages", "mapapp.api", "mapapp.ogc", "mapapp.feeds")
# What a shared read may not lean on: a door's framework, or a door.
NOT_IN_READS = ("rest_framework", "drf_spectacular", "django.forms", "django.http", *DOORS)


def modules_under(package):
    folder = APP / package.removeprefix("mapapp.").replace(".", "/")
    return sorted(folder.rglob("*.py"))


def package_of(path):
    """The dotted package a module file sits in, e.g. mapapp.pages for mapapp/pages/forms.py."""
    return ".".join(path.relative_to(APP.parent).parent.parts)


def imported_names(path):
    """Every module a file imports, at its top or inside a function; relative imports are
    resolved against the file's package, so `from ..api import x` counts as mapapp.api."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                parts = package_of(path).split(".")
                base = parts[: len(parts) - node.level + 1]
                module = ".".join([*base, module] if module else base)
            names.append(module)
            names += [f"{module}.{alias.name}" for alias in node.names]
    return names


def within(name, package):
    return name == package or name.startswith(package + ".")


@pytest.mark.parametrize("door", DOORS)
def test_no_door_imports_another_door(door):
    others = [d for d in DOORS if d != door]
    found = [
        f"{path.relative_to(APP.parent)} imports {name}"
        for path in modules_under(door)
        for name in imported_names(path)
        if any(within(name, other) for other in others)
    ]
    assert modules_under(door), f"{door} has no modules: the rule would check nothing"
    assert found == []


def test_shared_reads_import_no_door_and_no_http_framework():
    found = [
        f"{path.relative_to(APP.parent)} imports {name}"
        for path in modules_under("mapapp.reads")
        for name in imported_names(path)
        if any(within(name, banned) for banned in NOT_IN_READS)
    ]
    assert modules_under("mapapp.reads")
    assert found == []


def test_services_the_domain_and_cross_cutting_http_import_no_door():
    domain = [*modules_under("mapapp.services"), *modules_under("mapapp.web"), *APP.glob("*.py")]
    found = [
        f"{path.relative_to(APP.parent)} imports {name}"
        for path in domain
        for name in imported_names(path)
        if any(within(name, door) for door in DOORS)
    ]
    assert found == []


def test_the_rule_sees_an_import_of_another_door(tmp_path):
    # The checks above pass on an empty list; make sure the reader would notice a violation.
    module = tmp_path / "views.py"
    module.write_text("from mapapp.api.views import x\n\ndef f():\n    import mapapp.ogc.views\n")
    assert {"mapapp.api.views", "mapapp.ogc.views"} <= set(imported_names(module))


def test_the_rule_resolves_relative_imports():
    # Written as a file of mapapp/pages, `from ..api import views` is mapapp.api.views.
    module = APP / "pages" / "_layout_probe.py"
    try:
        module.write_text("from ..api import views\nfrom . import forms\n")
        names = set(imported_names(module))
    finally:
        module.unlink()
    assert {"mapapp.api.views", "mapapp.pages.forms"} <= names
