URL = "/api/v1/entries/"


def test_lists_carry_etag_last_modified_and_cache_control(client, make_entry):
    make_entry()
    response = client.get(URL)
    assert response["ETag"] and response["Last-Modified"]
    assert "max-age" in response["Cache-Control"]


def test_the_same_etag_gives_a_304(client, make_entry):
    make_entry()
    etag = client.get(URL)["ETag"]
    assert client.get(URL)["ETag"] == etag
    response = client.get(URL, headers={"if-none-match": etag})
    assert response.status_code == 304 and response.content == b""


def test_a_change_to_any_entry_changes_the_etag(client, make_entry, people):
    from mapapp import services

    entry = make_entry()
    etag = client.get(URL)["ETag"]
    services.entry_moderate(entry=entry, moderator=people["moderator"], action="archive")
    response = client.get(URL, headers={"if-none-match": etag})
    assert response.status_code == 200 and response["ETag"] != etag


def test_if_modified_since_gives_a_304_until_something_changes(client, make_entry):
    entry = make_entry()
    last = client.get(f"{URL}{entry.slug}/")["Last-Modified"]
    response = client.get(f"{URL}{entry.slug}/", headers={"if-modified-since": last})
    assert response.status_code == 304
    response = client.get(
        f"{URL}{entry.slug}/", headers={"if-modified-since": "Mon, 01 Jan 2001 00:00:00 GMT"}
    )
    assert response.status_code == 200


def test_a_verification_or_a_visit_ends_the_304_of_if_modified_since(client, make_entry):
    """Neither makes a new version, but both change what the entry's feature says."""
    from datetime import timedelta

    import time_machine

    from mapapp.services import freshness

    entry = make_entry()
    path = f"{URL}{entry.slug}/"
    for later, change in (
        (1, lambda: freshness.entry_confirm_visit(entry=entry)),
        (2, lambda: freshness.entry_verify(entry=entry, role="owner")),
    ):
        last = client.get(path)["Last-Modified"]
        with time_machine.travel(entry.updated_at + timedelta(hours=later), tick=False):
            change()
        response = client.get(path, headers={"if-modified-since": last})
        assert response.status_code == 200, change
        assert response["Last-Modified"] != last
    ogc = ("/ogc/collections/entries/items", f"/ogc/collections/entries/items/{entry.slug}")
    for later, page in enumerate(ogc, start=3):
        last = client.get(page)["Last-Modified"]
        with time_machine.travel(entry.updated_at + timedelta(hours=later), tick=False):
            freshness.entry_confirm_visit(entry=entry)
        assert client.get(page, headers={"if-modified-since": last}).status_code == 200, page


def test_details_and_categories_also_answer_conditional_requests(client, make_entry):
    entry = make_entry()
    for path in (f"{URL}{entry.slug}/", "/api/v1/categories/", "/api/v1/tags/"):
        etag = client.get(path)["ETag"]
        assert client.get(path, headers={"if-none-match": etag}).status_code == 304


WIDE_READS = [
    "/api/v1/entries/?bbox=-8,49.8,2,59",
    "/api/v1/clusters/?bbox=-8,49.8,2,59&zoom=6",
    "/api/v1/categories/",
    "/api/v1/tags/",
    "/api/v1/tiles/6/31/20.mvt",
]


def test_a_current_client_is_answered_from_the_data_sets_version_before_any_query(
    client, make_entry
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_entry(tags=["food"])
    for path in WIDE_READS:
        etag = client.get(path)["ETag"]
        with CaptureQueriesContext(connection) as queries:
            again = client.get(path, headers={"if-none-match": etag})
        assert again.status_code == 304 and again["ETag"] == etag, path
        read = [q["sql"] for q in queries if q["sql"].startswith("SELECT")]
        read = [sql for sql in read if "commons_cache" not in sql]
        assert len(read) == 1 and "mapapp_datasetversion" in read[0], (path, read)


def test_a_wide_read_is_kept_in_the_cache_until_the_next_write(client, make_entry):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_entry(name="First", tags=["food"])
    for path in WIDE_READS[1:4]:
        first = client.get(path)
        with CaptureQueriesContext(connection) as queries:
            second = client.get(path)
        assert second.content == first.content
        assert not any(
            "mapapp_clustercell" in q["sql"] or "mapapp_tag" in q["sql"] for q in queries
        )
    make_entry(name="Second", tags=["food"])
    tags = client.get("/api/v1/tags/").json()
    assert tags == [{"slug": "food", "name": "food", "entry_count": 2}]
    clusters = client.get(WIDE_READS[1]).json()
    assert clusters["numberMatched"] == 2
