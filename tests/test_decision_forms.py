"""Each item in the moderation queue has one decision form: a reason box, a button a decision."""

import re

from mapapp import services


def forms(body):
    return re.findall(r'<form method="post" class="decision">(.*?)</form>', body, re.S)


def test_each_queue_item_has_a_reason_box_and_a_button_per_decision(client_for, make_entry):
    pending = make_entry(name="Pending Pantry", status="pending")
    published = make_entry(name="Open Library")
    change = services.change_request_create(
        entry=published, proposer=None, message="New hours", changes={"opening_times": "Mon"}
    )
    report = services.report_create(entry=published, reporter=None, kind="closed")
    body = client_for("moderator").get("/moderation/?changes_page=1").content.decode()
    expected = [
        [
            f"/moderation/entries/{pending.slug}/{verb}/"
            for verb in ("publish", "reject", "archive")
        ],
        [f"/moderation/changes/{change.pk}/{verb}/" for verb in ("apply", "decline")],
        [f"/moderation/reports/{report.pk}/{verb}/" for verb in ("resolve", "dismiss")],
    ]
    found = forms(body)
    assert [re.findall(r'formaction="([^"]*)"', form) for form in found] == expected
    for form in found:
        label = re.search(r'<label for="([^"]+)"', form)[1]
        assert f'<textarea id="{label}" name="reason"' in form
        assert 'maxlength="2000"' in form and 'name="csrfmiddlewaretoken"' in form
        assert 'name="next" value="/moderation/?changes_page=1"' in form
    assert [len(re.findall(r'class="secondary"', form)) for form in found] == [2, 1, 1]
