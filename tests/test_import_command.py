"""manage.py import_entries: the import services from the command line, the dry run inline."""

import io

import pytest
from django.core.management import CommandError, call_command

from mapapp.models import Entry, ImportRun, ImportSource
from tests.importing import FIXTURES

GARDENS = str(FIXTURES / "pipeline-gardens.csv")
MAPS = ["Name=name", "lat=latitude", "lon=longitude", "Category=category", "Town=locality"]


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.IMPORT_DIR = tmp_path / "imports"


@pytest.fixture
def moderator(people, category):
    return people["moderator"]


def run_command(*args):
    """What the command printed on stdout; what it printed on stderr is in run_command.err."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_entries", *args, stdout=out, stderr=err)
    finally:
        run_command.err = err.getvalue()
    return out.getvalue()


@pytest.fixture
def answer(monkeypatch):
    def give(text):
        monkeypatch.setattr("sys.stdin", io.StringIO(text))

    return give


def test_with_yes_it_plans_and_applies_and_prints_the_summary(moderator):
    out = run_command(GARDENS, "--source", "Gardens", "--licence", "CC-BY-4.0",
                      "--user", "moderator", "--yes", *sum((["--map", m] for m in MAPS), []),
                      "--id-column", "id")  # fmt: skip
    assert "Dry run of 3 rows: 3 create." in out
    assert "Applied: 3 create." in out
    assert Entry.objects.count() == 3
    assert "Checking: 3/3 rows" in run_command.err


def test_without_a_mapping_it_uses_the_guessed_one(moderator):
    run_command(GARDENS, "--source", "Gardens", "--licence", "CC-BY-4.0", "--user", "moderator",
                "--yes")  # fmt: skip
    assert sorted(Entry.objects.values_list("source_row_id", flat=True)) == ["g1", "g2", "g3"]


def test_without_yes_it_asks_and_a_no_applies_nothing(moderator, answer):
    answer("n\n")
    out = run_command(GARDENS, "--source", "Gardens", "--licence", "CC-BY-4.0",
                      "--user", "moderator")  # fmt: skip
    assert "Not applied" in out
    assert not Entry.objects.exists()
    assert ImportRun.objects.get().status == ImportRun.Status.ABANDONED


def test_without_yes_a_yes_applies(moderator, answer):
    answer("y\n")
    run_command(GARDENS, "--source", "Gardens", "--licence", "CC-BY-4.0", "--user", "moderator")
    assert Entry.objects.count() == 3


def test_rejected_rows_are_listed_with_their_reasons(moderator, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("Name,lat,lon,Category\nGood,53.4,-2.2,commoning\n,53.4,-2.2,gardens\n")
    out = run_command(str(path), "--source", "Bad", "--licence", "CC0-1.0", "--user",
                      "moderator", "--yes")  # fmt: skip
    assert "1 create, 1 reject" in out
    assert "Row 3 (reject): " in out and "Give the entry a name." in out
    assert "Unknown category 'gardens'" in out


def test_past_twenty_refused_rows_the_rest_are_counted_not_listed(moderator, tmp_path):
    path = tmp_path / "bad.csv"
    bad = "".join(f"Unnamed {n},53.4,-2.2,gardens\n" for n in range(25))
    path.write_text("Name,lat,lon,Category\nGood,53.4,-2.2,commoning\n" + bad)
    out = run_command(str(path), "--source", "Bad", "--licence", "CC0-1.0", "--user",
                      "moderator", "--yes")  # fmt: skip
    assert "1 create, 25 reject" in out
    listed = [line for line in out.splitlines() if "(reject): " in line]
    assert len(listed) == 20
    assert listed[0].startswith("  Row 3 (reject)") and listed[-1].startswith("  Row 22 (reject)")
    assert "  … and 5 more." in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--user", "nobody"], "No account 'nobody'."),
        ([], "Give the importing account with --user USERNAME."),
        (["--user", "resident"], "Only trusted contributors and moderators can import lists."),
        (["--user", "moderator", "--map", "Name"], "--map 'Name': give it as COLUMN=FIELD."),
        (["--user", "moderator", "--map", "Name=colour"], "'colour' is not a field"),
        (["--user", "moderator", "--category", "nope"], "No category 'nope'"),
    ],
)
def test_bad_arguments_stop_it_with_a_message_and_nothing_written(moderator, args, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run_command(GARDENS, "--source", "Gardens", "--licence", "CC-BY-4.0", *args)
    assert not Entry.objects.exists()


def test_a_new_source_without_a_licence_is_refused(moderator):
    with pytest.raises(CommandError, match="licence: Give the licence"):
        run_command(GARDENS, "--source", "Gardens", "--user", "moderator", "--yes")
    assert not ImportSource.objects.exists()


def test_a_missing_file_is_refused(moderator):
    with pytest.raises(CommandError, match="Cannot read"):
        run_command(
            "/nonexistent/list.csv", "--source", "G", "--licence", "L", "--user", "moderator"
        )


def test_export_writes_the_sources_entries_in_its_layout(moderator, tmp_path):
    run_command(GARDENS, "--source", "Gardens", "--licence", "CC-BY-4.0", "--user", "moderator",
                "--yes")  # fmt: skip
    target = tmp_path / "out.csv"
    run_command(str(target), "--source", "Gardens", "--export")
    header = target.read_text().splitlines()[0]
    assert header == "id,Name,lat,lon,Town,Category,Website,Tags,commons_map_id"
