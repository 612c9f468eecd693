"""A resident signs up, adds an entry with the map picker, a moderator publishes it, and the
public map shows it — all in Chromium against the live server."""

import re

from django.core import mail

from mapapp.models import Entry
from tests.browser.conftest import LIVE, open_session

pytestmark = LIVE


def sign_in(page, live, email, password):
    page.goto(f"{live.url}/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", password)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()


def test_sign_up_add_with_picker_publish_and_see_it_on_the_map(browser, live, people):
    resident = open_session(browser)
    page = resident.page
    page.goto(f"{live.url}/accounts/signup/")
    page.fill("#id_email", "newcomer@private.example")
    page.fill("#id_password1", "a-long-pass-phrase-9")
    page.fill("#id_password2", "a-long-pass-phrase-9")
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url("**/confirm-email/**")

    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state()

    page.goto(f"{live.url}/entries/new/")
    page.wait_for_selector("body[data-map-state='ready']")
    page.get_by_label("Name").fill("Ancoats Seed Swap")
    page.get_by_label("Category").select_option("commoning")
    page.get_by_label("Summary").fill("Swap seeds every spring")
    page.get_by_label("Approximate (within a few hundred metres)").check()
    box = page.locator("#picker-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.4)
    assert page.get_by_label("Latitude").input_value() != ""
    assert page.get_by_label("Longitude").input_value() != ""
    page.get_by_role("button", name="Submit entry").click()
    page.wait_for_url("**/my/entries/")
    assert "Ancoats Seed Swap" in page.content() and "Pending review" in page.content()
    entry = Entry.objects.get(name="Ancoats Seed Swap")
    assert entry.status == "pending" and entry.precision == "approximate"
    resident.context.close()

    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(
        user=people["moderator"], email=people["moderator"].email, verified=True, primary=True
    )
    moderator = open_session(browser)
    sign_in(moderator.page, live, "moderator@private.example", "correct-horse-battery")
    moderator.page.goto(f"{live.url}/moderation/")
    item = moderator.page.locator(".queue-item", has_text="Ancoats Seed Swap")
    item.get_by_label(re.compile("Reason")).fill("Known to us")
    item.get_by_role("button", name="Publish").click()
    moderator.page.wait_for_load_state()
    assert "No entries are waiting." in moderator.page.content()
    moderator.context.close()

    public = open_session(browser)
    point = Entry.objects.get(pk=entry.pk).public_point
    public.page.goto(f"{live.url}/#14/{point.y:.5f}/{point.x:.5f}")
    public.wait_ready()
    assert public.page.locator(".entry-name").all_text_contents() == ["Ancoats Seed Swap"]
    assert resident.errors == [] and public.errors == []
    public.context.close()
