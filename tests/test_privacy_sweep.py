"""Every public surface, swept: withheld locations, accounts, emails and IPs never appear."""

import io
import re
import zipfile

import pytest
from django.test import Client

from mapapp import services
from mapapp.services import freshness

LON, LAT = -2.123456, 51.654321


def fragments(value):
    """The ways a coordinate could be printed: 4 to 6 decimals (~10 m), truncated or rounded.

    Three decimals (~100 m) are coarser than the approximate offset itself, so the public point
    may share them by chance without revealing anything."""
    out = set()
    for places in range(4, 7):
        out.add(f"{value:.{places}f}")
        scale = 10**places
        out.add(f"{int(value * scale) / scale:.{places}f}")
    return out


def revealed(body, secrets, *, words=()):
    """The secrets body holds. Those in words count only as a word of their own: a short code
    such as an inward postcode turns up now and then inside a random CSRF token or cookie."""
    return sorted(
        secret
        for secret in secrets
        if (
            re.search(rf"(?<![A-Za-z0-9]){re.escape(secret)}(?![A-Za-z0-9])", body)
            if secret in words
            else secret in body
        )
    )


def test_a_short_code_is_revealed_as_a_word_not_inside_a_random_token():
    secrets = {"9QQ", "@private.example"}
    words = ["9QQ"]
    token = '<input name="csrfmiddlewaretoken" value="aB9QQz7">'
    assert revealed(token, secrets, words=words) == []
    assert revealed('"postcode": "BS5 9QQ"', secrets, words=words) == ["9QQ"]
    both = '{"postcode":"9QQ"} a@private.example'
    assert revealed(both, secrets, words=words) == ["9QQ", "@private.example"]


def public_surfaces(entry):
    slug = entry.slug
    return [
        "/",
        "/embed/",
        "/entries/",
        f"/entries/{slug}/",
        f"/entries/{slug}/history/",
        "/entries/?q=secret",
        "/api/v1/entries/",
        f"/api/v1/entries/{slug}/",
        f"/api/v1/entries/{slug}/jsonld/",
        f"/api/v1/entries/{slug}/murmurations/",
        "/api/v1/exports/hsds.zip",
        "/api/v1/entries/?format=csv",
        "/api/v1/entries/?format=geojson",
        "/api/v1/entries/?near=-2.1,51.6&radius=20000",
        "/api/v1/entries/?q=secret",
        *(f"/api/v1/clusters/?zoom={zoom}" for zoom in (3, 10, 20)),
        "/ogc/collections/entries/items",
        f"/ogc/collections/entries/items/{slug}",
        "/ogc/collections/entries",
        "/api/v1/tags/",
        "/api/v1/categories/",
        "/feeds/area/?bbox=-3,51,-1,52",
        f"/feeds/categories/{entry.category.slug}/",
        f"/feeds/entries/{slug}/",
        "/feeds/threats/",
    ]


def read(client, path):
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return unzipped(content) if response["Content-Type"] == "application/zip" else content.decode()


def unzipped(content):
    """Every file of a zip, one after another: compressed, a leak would not show."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "\n".join(archive.read(name).decode() for name in archive.namelist())


@pytest.mark.parametrize("precision", ["approximate", "area"])
def test_a_withheld_location_never_appears_publicly(make_entry, people, precision):
    entry = make_entry(
        name="Secret Shelter",
        lon=LON,
        lat=LAT,
        precision=precision,
        address="9 Hidden Yard",
        postcode="BS5 9QQ",
        author=people["owner"],
        description="secret place",
    )
    services.entry_edit(
        entry=entry, editor=people["owner"], data={"summary": "secret"}, expected_version=1
    )
    leaks = fragments(LON) | fragments(LAT) | {"9 Hidden Yard", "9QQ"}
    client = Client()
    for path in public_surfaces(entry):
        body = read(client, path)
        found = [leak for leak in leaks if leak in body]
        assert not found, (path, found)


def test_the_owner_and_moderators_do_see_the_exact_location(make_entry, people, client_for):
    entry = make_entry(
        name="Secret Shelter", lon=LON, lat=LAT, precision="approximate", author=people["owner"]
    )
    for role in ("owner", "moderator"):
        assert "51.654321" in client_for(role).get(f"/entries/{entry.slug}/").content.decode()
    assert "51.654321" not in client_for("resident").get(f"/entries/{entry.slug}/").content.decode()


def test_accounts_emails_and_addresses_never_appear_publicly(make_entry, people, django_user_model):
    author = django_user_model.objects.create_user("zq-author-7731", "zq7731@private.example")
    entry = make_entry(name="Shared Oven", author=author)
    services.entry_edit(
        entry=entry, editor=author, data={"name": "Shared Oven!"}, expected_version=1
    )
    entry.refresh_from_db()
    services.entry_edit(
        entry=entry, editor=people["moderator"], data={"summary": "Bread"}, expected_version=2
    )
    services.report_create(entry=entry, reporter=people["resident"], kind="wrong", message="hm")
    services.change_request_create(
        entry=entry,
        proposer=None,
        message="x",
        changes={"summary": "y"},
        contact_email="anon@private.example",
    )
    # Freshness is said in roles: the author's verification and a visit name nobody.
    freshness.entry_verify(entry=entry, role="owner")
    freshness.entry_confirm_visit(entry=entry)
    secrets = ["@private.example", "zq-author-7731", "created_by", "127.0.0.1", "REMOTE_ADDR"]
    secrets += ["reminders_sent", "reminded_at", "submitter_email"]
    client = Client(REMOTE_ADDR="203.0.113.9")
    for path in public_surfaces(entry):
        body = read(client, path)
        found = [s for s in secrets + ["203.0.113.9"] if s in body]
        assert not found, (path, found)
