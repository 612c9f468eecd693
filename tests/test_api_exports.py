import csv
import io
import json

URL = "/api/v1/entries/"


def download(client, params):
    response = client.get(URL, params)
    assert response.status_code == 200
    assert response.streaming
    return response, b"".join(response.streaming_content).decode("utf-8")


def test_csv_has_one_row_per_entry_with_longitude_and_latitude(client, make_entry):
    make_entry(name="Cardiff Timebank", lon=-3.1791, lat=51.4816, tags=["skills", "time"])
    make_entry(name="Hidden", status="pending")
    response, text = download(client, {"format": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 1
    assert rows[0]["name"] == "Cardiff Timebank" and rows[0]["tags"] == "skills;time"
    assert (float(rows[0]["longitude"]), float(rows[0]["latitude"])) == (-3.1791, 51.4816)


def test_csv_neutralises_spreadsheet_formulas(client, make_entry):
    make_entry(
        name='=HYPERLINK("http://evil")',
        summary="+1 mutual aid",
        phone="-0123",
        description="@SUM(A1)",
    )
    rows = list(csv.DictReader(io.StringIO(download(client, {"format": "csv"})[1])))
    assert rows[0]["name"].startswith("'=")
    assert rows[0]["summary"] == "'+1 mutual aid"
    assert rows[0]["phone"] == "'-0123" and rows[0]["description"] == "'@SUM(A1)"


def test_csv_keeps_unicode_and_newlines(client, make_entry):
    make_entry(name="Caffi Cymunedol Ŵy", description="Line one\nLine two, with a comma")
    rows = list(csv.DictReader(io.StringIO(download(client, {"format": "csv"})[1])))
    assert rows[0]["name"] == "Caffi Cymunedol Ŵy"
    assert rows[0]["description"] == "Line one\nLine two, with a comma"


def test_the_geojson_download_holds_every_matching_entry(client, make_entry, settings):
    settings.API_DEFAULT_LIMIT = 2  # the download ignores pagination
    for n in range(5):
        make_entry(name=f"E{n}", category_slug="commoning" if n % 2 else "public-goods")
    response, text = download(client, {"format": "geojson", "category": "commoning"})
    body = json.loads(text)
    assert response["Content-Type"] == "application/geo+json"
    assert [f["id"] for f in body["features"]] == ["e1", "e3"]


def test_an_empty_download_is_still_valid(client, db):
    assert json.loads(download(client, {"format": "geojson"})[1]) == {
        "type": "FeatureCollection",
        "features": [],
    }
    assert download(client, {"format": "csv"})[1].startswith("slug,name,category")


def test_downloads_never_carry_the_exact_point_or_street_address(client, make_entry):
    entry = make_entry(precision="area", address="12 Hidden Lane", postcode="LS6 2AB")
    text = download(client, {"format": "csv"})[1] + download(client, {"format": "geojson"})[1]
    assert "12 Hidden Lane" not in text and "2AB" not in text and "LS6" in text
    assert f"{entry.location.x}" not in text and f"{entry.location.y}" not in text


def test_downloads_are_produced_a_chunk_at_a_time(client, make_entry, monkeypatch):
    """The first rows go out before the later ones are read: nothing holds the whole set."""
    from mapapp.api import exports

    for n in range(7):
        make_entry(name=f"Row {n}")
    monkeypatch.setattr(exports, "CHUNK", 3)
    read = []
    record = exports._record
    monkeypatch.setattr(exports, "_record", lambda row, make: read.append(row) or record(row, make))
    for fmt in ("csv", "geojson"):
        read.clear()
        pieces = iter(client.get(URL, {"format": fmt}).streaming_content)
        first = next(pieces)
        while len(read) == 0:
            first += next(pieces)
        assert len(read) == 3, "only the first chunk has been read"
        rest = b"".join(pieces)
        assert len(read) == 7
        assert b"Row 6" in rest and b"Row 6" not in first


def test_the_csv_keeps_the_first_downloads_columns_in_their_order(client, make_entry):
    # Sheets and scripts read columns by position: new public fields only ever come after.
    make_entry(name="Leeds Timebank", lon=-1.5491, lat=53.8008)
    header, row = list(csv.reader(io.StringIO(download(client, {"format": "csv"})[1])))[:2]
    first = [
        "slug",
        "name",
        "category",
        "tags",
        "summary",
        "description",
        "locality",
        "address",
        "postcode",
        "website",
        "email",
        "phone",
        "opening_times",
        "threat",
        "threat_note",
        "precision",
        "longitude",
        "latitude",
        "updated",
        "published",
        "url",
    ]
    assert header[: len(first)] == first
    assert len(header) > len(first) and "version" in header[len(first) :]
    values = dict(zip(header, row, strict=True))
    assert (values["longitude"], values["latitude"]) == ("-1.5491", "53.8008")
    assert values["url"] == "/entries/leeds-timebank/"


def test_downloads_have_a_budget_of_their_own_with_retry_after(client, make_entry, settings):
    settings.API_THROTTLE_DOWNLOADS = "2/hour"
    make_entry(name="Cardiff Timebank")
    for params in ({"format": "csv"}, {"format": "geojson"}):
        download(client, params)
    refused = client.get(URL, {"format": "csv"})
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "throttled" in refused.json()["detail"].lower()
    assert client.get("/api/v1/exports/hsds.zip").status_code == 429
    assert client.get("/api/v1/threats/", {"format": "csv"}).status_code == 429
    # The map's pages and other reads keep their own budget.
    assert client.get(URL).status_code == 200
    # A malformed download is refused by name, not counted.
    assert client.get(URL, {"format": "csv", "bbox": "1,2"}).status_code == 400


def test_downloads_are_unlimited_when_the_budget_is_off(client, make_entry, settings):
    settings.API_THROTTLE_DOWNLOADS = None
    make_entry(name="Cardiff Timebank")
    for _ in range(5):
        download(client, {"format": "csv"})


def test_a_client_with_a_token_is_not_held_to_the_anonymous_download_budget(
    client, make_entry, settings, people
):
    from rest_framework.authtoken.models import Token

    settings.API_THROTTLE_DOWNLOADS = "1/hour"
    make_entry(name="Cardiff Timebank")
    key = Token.objects.create(user=people["resident"]).key
    for _ in range(3):
        response = client.get(URL, {"format": "csv"}, HTTP_AUTHORIZATION=f"Token {key}")
        assert response.status_code == 200
