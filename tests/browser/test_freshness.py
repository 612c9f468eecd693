"""Freshness in the browser: the owner's "Still running — confirm" and a visitor's "I was
there recently" on the entry page, and the popup saying when an entry was verified."""

import pytest

from mapapp.models import Entry
from tests.browser.conftest import LIVE, signed_in

pytestmark = LIVE


@pytest.fixture
def owned(make_entry, people):
    entry = make_entry(name="Bristol Repair Café")
    Entry.objects.filter(pk=entry.pk).update(created_by=people["owner"], verified_by="moderator")
    return entry


def test_the_owner_confirms_it_is_still_running(browser, live, owned, people):
    session = signed_in(browser, live, people["owner"])
    page = session.page
    page.goto(f"{live.url}/entries/{owned.slug}/")
    page.get_by_role("button", name="Still running — confirm").click()
    page.wait_for_url(f"**/entries/{owned.slug}/")
    body = page.locator("body").inner_text()
    assert "marked as verified today" in body and "by its owner" in body
    owned.refresh_from_db()
    assert owned.verified_by == "owner"
    assert session.errors == []
    session.context.close()


def test_a_visitor_says_it_is_still_here(session, live, owned):
    page = session.page
    page.goto(f"{live.url}/entries/{owned.slug}/")
    assert page.get_by_role("button", name="Still running — confirm").count() == 0
    page.get_by_role("button", name="I was there recently — it's still here").click()
    page.wait_for_url(f"**/entries/{owned.slug}/")
    body = page.locator("body").inner_text()
    assert "Thank you for saying it is still there." in body
    assert "Visitors who say it is still there" in body
    owned.refresh_from_db()
    assert owned.confirmations == 1 and owned.verified_by == "moderator"
    assert session.errors == []
