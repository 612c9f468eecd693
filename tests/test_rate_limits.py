"""Rate limits answer a real 429 page with Retry-After, and count the address we trust."""

import json

import pytest
from django.test import Client, RequestFactory

from mapapp.web.clientip import client_ip

TOO_MANY = "Too many requests"


def assert_limited_page(response):
    assert response.status_code == 429
    body = response.content.decode()
    assert TOO_MANY in body and 'class="site-header"' in body  # the site's layout
    assert int(response["Retry-After"]) > 0


def sign_in_attempt(client, **headers):
    return client.post(
        "/accounts/login/", {"login": "nobody@private.example", "password": "x"}, headers=headers
    )


def test_sign_in_attempts_beyond_the_limit_get_the_429_page(db, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "3/m/ip"}
    client = Client()
    codes = [sign_in_attempt(client).status_code for _ in range(3)]
    limited = sign_in_attempt(client)
    assert codes == [200, 200, 200]
    assert_limited_page(limited)
    assert int(limited["Retry-After"]) == 60


def test_password_resets_beyond_the_limit_get_the_429_page(people):
    client = Client()
    responses = [
        client.post("/accounts/password/reset/", {"email": "resident@private.example"})
        for _ in range(4)
    ]
    assert [r.status_code for r in responses[:3]] == [302, 302, 302]
    assert_limited_page(responses[3])
    assert int(responses[3]["Retry-After"]) == 3600


def test_sign_ups_beyond_the_limit_get_the_429_page(db):
    client = Client()

    def sign_up(n):
        password = "a-long-pass-phrase-9"
        data = {"email": f"new{n}@private.example", "password1": password, "password2": password}
        return client.post("/accounts/signup/", data)

    codes = [sign_up(n).status_code for n in range(20)]
    limited = sign_up(20)
    assert codes == [302] * 20
    assert_limited_page(limited)


def test_our_own_limits_send_retry_after(entry_form, db, settings):
    settings.ANONYMOUS_SUBMISSIONS_PER_HOUR = 1
    client = Client()
    client.post("/entries/new/", entry_form)
    response = client.post("/entries/new/", {**entry_form, "name": "Other", "longitude": "-1.5"})
    assert response.status_code == 429 and int(response["Retry-After"]) > 0


def request_from(remote, forwarded=None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


def test_with_no_proxy_the_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXY_HOPS = 0
    assert client_ip(request_from("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


@pytest.mark.parametrize(
    "hops,forwarded,expected",
    [
        (1, "198.51.100.1, 192.0.2.7", "192.0.2.7"),
        (2, "198.51.100.1, 192.0.2.7, 10.0.0.2", "192.0.2.7"),
        (2, "192.0.2.7", "192.0.2.7"),
        (1, "", "203.0.113.9"),
    ],
)
def test_behind_proxies_the_nth_forwarded_address_from_the_right_counts(
    settings, hops, forwarded, expected
):
    settings.TRUSTED_PROXY_HOPS = hops
    assert client_ip(request_from("203.0.113.9", forwarded)) == expected


def report(client, slug, **headers):
    body = json.dumps({"kind": "closed"})
    url = f"/api/v1/entries/{slug}/reports/"
    return client.post(url, body, content_type="application/json", headers=headers)


def test_rotating_x_forwarded_for_does_not_escape_our_limit(make_entry, settings):
    settings.ANONYMOUS_SUBMISSIONS_PER_HOUR = 2
    slug = make_entry().slug
    client = Client()
    codes = [report(client, slug, x_forwarded_for=f"198.51.100.{n}").status_code for n in range(3)]
    assert codes == [201, 201, 429]


def test_rotating_x_forwarded_for_does_not_escape_the_api_throttle(db, settings):
    settings.API_THROTTLE_ANON = "2/minute"
    client = Client()
    codes = [
        client.get("/api/v1/categories/", headers={"x-forwarded-for": f"198.51.100.{n}"})
        for n in range(3)
    ]
    assert [r.status_code for r in codes] == [200, 200, 429]
    assert int(codes[2]["Retry-After"]) > 0


def test_rotating_x_forwarded_for_does_not_escape_allauths_limit(db, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "2/m/ip"}
    client = Client()
    codes = [
        sign_in_attempt(client, x_forwarded_for=f"198.51.100.{n}").status_code for n in range(3)
    ]
    assert codes == [200, 200, 429]


def test_behind_one_proxy_each_client_has_its_own_count(make_entry, settings):
    """Everyone arrives from the proxy's address; the right-most forwarded one is the client."""
    settings.TRUSTED_PROXY_HOPS = 1
    settings.ANONYMOUS_SUBMISSIONS_PER_HOUR = 1
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "1/m/ip"}
    slug = make_entry().slug
    client = Client()
    alice, bob = "1.1.1.1, 192.0.2.10", "1.1.1.1, 192.0.2.20"
    assert report(client, slug, x_forwarded_for=alice).status_code == 201
    assert report(client, slug, x_forwarded_for=bob).status_code == 201
    assert report(client, slug, x_forwarded_for="9.9.9.9, 192.0.2.10").status_code == 429
    assert sign_in_attempt(client, x_forwarded_for=alice).status_code == 200
    assert sign_in_attempt(client, x_forwarded_for=bob).status_code == 200
    assert sign_in_attempt(client, x_forwarded_for="8.8.8.8, 192.0.2.20").status_code == 429


@pytest.mark.parametrize(
    "seconds,words", [(1, "1 minute"), (60, "1 minute"), (61, "2 minutes"), (3600, "60 minutes")]
)
def test_the_wait_is_told_in_whole_minutes_rounded_up(seconds, words):
    """One wording for allauth's 429 page and our own limits' ("1 minutes" was possible)."""
    from mapapp.web.errors import wait_in_words

    assert wait_in_words(seconds) == words
