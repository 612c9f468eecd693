"""Text search (`q`) gives the same results on PostgreSQL and SpatiaLite."""

import pytest

URL = "/api/v1/entries/"


def found(api, q):
    status, body, _ = api(URL, {"q": q})
    assert status == 200, body
    return sorted(f["id"] for f in body["features"])


@pytest.fixture
def entries(make_entry):
    make_entry(
        name="Hebden Bridge Repair Café", summary="Fix kettles and bikes", locality="Hebden Bridge"
    )
    make_entry(
        name="Stroud Timebank", description="Swap an hour of gardening for lifts", tags=["skills"]
    )
    make_entry(name="Totnes Seed Library", summary="Borrow seeds, return seeds")


def test_it_finds_a_word_in_the_name(api, entries):
    assert found(api, "timebank") == ["stroud-timebank"]


def test_it_finds_a_word_in_the_description(api, entries):
    assert found(api, "gardening") == ["stroud-timebank"]


def test_it_finds_words_in_summary_tags_and_locality(api, entries):
    assert found(api, "kettles") == ["hebden-bridge-repair-cafe"]
    assert found(api, "skills") == ["stroud-timebank"]
    assert found(api, "Hebden") == ["hebden-bridge-repair-cafe"]


def test_every_word_must_match(api, entries):
    assert found(api, "seeds borrow") == ["totnes-seed-library"]
    assert found(api, "seeds kettles") == []


def test_words_match_as_prefixes_and_ignore_case(api, entries):
    assert found(api, "GARD") == ["stroud-timebank"]


def test_accented_words_match_exactly(api, entries):
    assert found(api, "café") == ["hebden-bridge-repair-cafe"]


def test_punctuation_and_search_syntax_are_taken_as_plain_text(api, entries):
    assert found(api, 'timebank" OR "x') == []
    assert found(api, "time*bank & | !") == []
    assert found(api, "stroud's") == ["stroud-timebank"]


def test_search_follows_renames(api, make_entry):
    from mapapp import services

    entry = make_entry(name="Old Name")
    services.entry_update(entry=entry, data={"name": "Lewisham Pantry"}, expected_version=1)
    assert found(api, "pantry") == ["old-name"]
    assert found(api, "old") == []
