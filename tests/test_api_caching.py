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


def test_details_and_categories_also_answer_conditional_requests(client, make_entry):
    entry = make_entry()
    for path in (f"{URL}{entry.slug}/", "/api/v1/categories/", "/api/v1/tags/"):
        etag = client.get(path)["ETag"]
        assert client.get(path, headers={"if-none-match": etag}).status_code == 304
