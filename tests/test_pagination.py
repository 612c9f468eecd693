"""Links between the pages of a long list keep the rest of the query: filters, other sections."""

import re
from html import unescape

from mapapp import services


def link(body, rel):
    found = re.search(rf'rel="{rel}" href="([^"]*)"', body)
    return found and unescape(found[1])


def test_the_list_s_page_links_keep_its_filters(client, make_entry):
    for n in range(30):
        make_entry(name=f"Garden {n:02d}")
    first = client.get("/entries/", {"q": "garden", "sort": "name"}).content.decode()
    assert link(first, "next") == "?q=garden&sort=name&page=2" and not link(first, "prev")
    second = client.get("/entries/", {"q": "garden", "page": 2, "sort": "name"}).content.decode()
    assert link(second, "prev") == "?q=garden&page=1&sort=name" and not link(second, "next")
    assert 'aria-label="Entries: pages"' in second


def test_a_list_that_fits_one_page_has_no_page_links(client, make_entry):
    make_entry(name="Garden 00")
    assert 'class="pagination"' not in client.get("/entries/").content.decode()


def test_a_queue_section_s_page_links_keep_the_other_sections_pages(client_for, make_entry):
    entries = [make_entry(status="pending") for _ in range(30)]
    for entry in entries[:1]:
        services.report_create(entry=entry, reporter=None, kind="closed")
    body = client_for("moderator").get("/moderation/", {"reports_page": 1}).content.decode()
    assert link(body, "next") == "?reports_page=1&pending_page=2#pending-title"
