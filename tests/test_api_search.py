"""Text search (`q`) gives the same results on PostgreSQL and SpatiaLite, and counts its
matches only up to SEARCH_COUNT_LIMIT."""

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


@pytest.fixture
def five_gardens(make_entry, settings):
    settings.SEARCH_COUNT_LIMIT = 3
    for n in range(5):
        make_entry(name=f"Garden {n}", lon=-2.59 + n * 0.01, lat=51.45)
    make_entry(name="Orchard", lon=-2.5, lat=51.45)


def test_a_search_matching_more_than_it_counts_says_nothing_of_how_many(api, five_gardens):
    status, body, _ = api(URL, {"q": "garden", "limit": "2"})
    assert status == 200, body
    assert "numberMatched" not in body and body["numberReturned"] == 2
    following = [link["href"] for link in body["links"] if link["rel"] == "next"]
    assert len(following) == 1 and "offset=2" in following[0]
    status, last, _ = api(URL, {"q": "garden", "limit": "2", "offset": "4"})
    assert [f["id"] for f in last["features"]] == ["garden-4"]
    assert not [link for link in last["links"] if link["rel"] == "next"]


def test_a_search_within_the_count_limit_is_counted_exactly(api, five_gardens):
    status, body, _ = api(URL, {"q": "garden", "limit": "2", "bbox": "-2.6,51.4,-2.565,51.5"})
    assert status == 200, body
    assert body["numberMatched"] == 3 and body["numberReturned"] == 2


def test_the_ogc_items_count_a_search_the_same_way(api, five_gardens):
    status, body, _ = api("/ogc/collections/entries/items", {"q": "garden", "limit": "2"})
    assert status == 200, body
    assert "numberMatched" not in body and body["numberReturned"] == 2
    status, body, _ = api("/ogc/collections/entries/items", {"q": "orchard", "limit": "2"})
    assert body["numberMatched"] == 1


@pytest.mark.parametrize("ordering", ["name", "-name", "updated", "-updated"])
def test_a_search_pages_alike_whether_it_matches_few_or_more_than_it_counts(
    api, five_gardens, settings, ordering
):
    """Few matches are read by id and sorted, many by walking the ordering: the same pages."""

    def pages():
        ids = []
        for offset in range(0, 6, 2):
            query = {"q": "garden", "limit": "2", "offset": str(offset), "ordering": ordering}
            status, body, _ = api(URL, query)
            assert status == 200, body
            ids.append([f["id"] for f in body["features"]])
        return ids

    settings.SEARCH_COUNT_LIMIT = 3
    many = pages()
    settings.SEARCH_COUNT_LIMIT = 100
    few = pages()
    assert few == many and sum(map(len, few)) == 5
    assert sorted(sum(few, [])) == [f"garden-{n}" for n in range(5)]
