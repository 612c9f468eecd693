"""Following entries, categories and areas, and what followers are told by email: once per
event, at once or in a digest, with a one-click unsubscribe; never more than the public sees.

Jobs run in the caller's process here (django-q2's own sync mode); tests/test_job_queue.py
runs the real worker.
"""

import datetime as dt
from datetime import date

import pytest
from django.contrib.gis.geos import Point
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_q.conf import Conf
from django_q.models import OrmQ, Schedule

from mapapp import services
from mapapp.models import Category, Entry, Follow, Frequency, ModerationDecision, Notification
from mapapp.services import follows

pytestmark = pytest.mark.django_db
BRISTOL = (-2.70, 51.40, -2.50, 51.52)
IN_BRISTOL = (-2.5879, 51.4545)


@pytest.fixture
def jobs_inline(monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", True)


@pytest.fixture
def follower(people):
    return people["owner"]


def publish(entry, people):
    return services.entry_moderate(
        entry=entry, moderator=people["moderator"], action=ModerationDecision.Action.PUBLISH
    )


def pending(make_entry, **fields):
    return make_entry(status=Entry.Status.PENDING, **fields)


def alerts_to(address):
    return [m for m in mail.outbox if m.to == [address]]


# --- following through the pages ------------------------------------------------------------


def test_following_an_entry_from_its_page_twice_makes_one_follow(client_for, make_entry, people):
    entry = make_entry(name="Bristol Tool Library")
    client = client_for("owner")
    page = client.get(entry.get_absolute_url()).content.decode()
    assert f'action="/follows/entry/{entry.slug}/"' in page
    for _ in range(2):
        response = client.post(f"/follows/entry/{entry.slug}/", {"frequency": "daily"})
        assert response.status_code == 302
    assert Follow.objects.get(user=people["owner"]).frequency == "daily"
    page = client.get(entry.get_absolute_url()).content.decode()
    assert "Unfollow" in page and "in a daily digest" in page


def test_anonymous_visitors_are_asked_to_sign_in_to_follow(client, make_entry):
    entry = make_entry()
    assert "Sign in to follow" in client.get(entry.get_absolute_url()).content.decode()
    response = client.post(f"/follows/entry/{entry.slug}/", {"frequency": "immediate"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Follow.objects.exists()


def test_an_entry_that_is_not_published_cannot_be_followed(client_for, make_entry):
    entry = pending(make_entry)
    response = client_for("owner").post(f"/follows/entry/{entry.slug}/", {"frequency": "daily"})
    assert response.status_code == 404
    assert not Follow.objects.exists()


def test_a_forged_frequency_follows_nothing_and_says_why(client_for, make_entry):
    entry = make_entry()
    client = client_for("owner")
    response = client.post(f"/follows/entry/{entry.slug}/", {"frequency": "hourly"}, follow=True)
    assert "Nothing was followed: choose at once, daily or weekly." in response.content.decode()
    assert not Follow.objects.exists()


def test_an_area_is_followed_from_the_map_view(client_for, people):
    client = client_for("owner")
    bbox = ",".join(map(str, BRISTOL))
    form = client.get(f"/follows/area/?bbox={bbox}").content.decode()
    assert f'value="{bbox}"' in form
    response = client.post(
        "/follows/area/", {"bbox": bbox, "area_name": "Bristol", "frequency": "weekly"}
    )
    assert response.status_code == 302
    follow = Follow.objects.get(user=people["owner"])
    assert follow.area.extent == pytest.approx(BRISTOL)
    listing = client.get("/account/follows/").content.decode()
    assert "Bristol" in listing and "-2.7000, 51.4000, -2.5000, 51.5200" in listing
    # The same box again is the same follow, renamed and at the new pace.
    client.post(
        "/follows/area/", {"bbox": bbox, "area_name": "Bristol centre", "frequency": "daily"}
    )
    follow = Follow.objects.get(user=people["owner"])
    assert (follow.area_name, follow.frequency) == ("Bristol centre", "daily")


@pytest.mark.parametrize(
    ("bbox", "message"),
    [
        ("-2.7,51.4,-2.5", "bbox needs 4 comma-separated numbers, got 3."),
        ("-2.7,51.4,-2.5,nope", "bbox must contain only numbers."),
        ("-2.7,51.4,-2.5,1e999", "finite numbers"),
        ("-200,51.4,-2.5,51.5", "longitude -200 is outside -180..180."),
        ("-30,40,10,60", "an area to follow may span at most 12 degrees each way"),
        ("-2.7,51.4,-2.7,51.5", "This area has no size"),
        ("", "This field is required."),
    ],
)
def test_an_area_that_is_malformed_or_larger_than_a_country_is_refused_with_a_message(
    client_for, bbox, message
):
    response = client_for("owner").post("/follows/area/", {"bbox": bbox, "frequency": "daily"})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Follow.objects.exists()


def test_following_a_category_and_changing_how_often_and_unfollowing(client_for, people):
    client = client_for("owner")
    assert (
        client.post("/follows/category/commoning/", {"frequency": "immediate"}).status_code == 302
    )
    follow = Follow.objects.get(user=people["owner"])
    prefix = f"f{follow.pk}"
    client.post(f"/follows/{follow.pk}/frequency/", {f"{prefix}-frequency": "weekly"})
    follow.refresh_from_db()
    assert follow.frequency == "weekly"
    client.post(f"/follows/{follow.pk}/delete/")
    assert not Follow.objects.exists()


def test_one_cannot_change_or_remove_someone_elses_follow(client_for, people):
    follow = follows.follow_category(
        user=people["resident"], category=Category.objects.get(slug="commoning")
    )
    client = client_for("owner")
    assert client.post(f"/follows/{follow.pk}/delete/").status_code == 404
    assert client.post(f"/follows/{follow.pk}/frequency/", {}).status_code == 404
    assert Follow.objects.filter(pk=follow.pk).exists()


def test_the_list_of_follows_says_when_there_are_none_and_pages_many(client_for, make_entry):
    client = client_for("owner")
    assert "You follow nothing yet." in client.get("/account/follows/").content.decode()
    for _ in range(30):
        client.post(f"/follows/entry/{make_entry().slug}/", {"frequency": "daily"})
    first = client.get("/account/follows/").content.decode()
    assert first.count("Unfollow</button>") == 25 and "Page 1 of 2" in first
    assert client.get("/account/follows/?page=2").content.decode().count("Unfollow</button>") == 5


def test_the_account_download_includes_follows(client_for, make_entry, people):
    entry = make_entry()
    follows.follow_entry(user=people["owner"], entry=entry, frequency="weekly")
    follows.follow_area(user=people["owner"], bbox=BRISTOL, name="Bristol")
    data = client_for("owner").get("/account/data/").json()
    assert {(f["entry"], f["area_name"], f["frequency"]) for f in data["follows"]} == {
        (entry.slug, "", "weekly"),
        (None, "Bristol", "immediate"),
    }


# --- what followers are told ----------------------------------------------------------------


def test_a_publication_queues_one_job_and_the_request_does_not_wait_for_the_followers(
    make_entry, people
):
    for n in range(20):
        user = people["resident"].__class__.objects.create_user(f"f{n}", f"f{n}@private.example")
        follows.follow_area(user=user, bbox=BRISTOL)
    entry = pending(make_entry, name="Hartcliffe Food Co-op")
    OrmQ.objects.all().delete()
    publish(entry, people)
    # One job for twenty followers, and nothing made for them yet: the job does that.
    assert [q.func() for q in OrmQ.objects.all()] == ["mapapp.services.follows.tell_followers"]
    assert not Notification.objects.exists()


def test_a_new_entry_in_a_followed_area_is_told_once_with_an_unsubscribe_link(
    jobs_inline, make_entry, people, follower
):
    follows.follow_area(user=follower, bbox=BRISTOL, name="Bristol")
    entry = pending(make_entry, name="Hartcliffe Food Co-op")
    publish(entry, people)
    [alert] = alerts_to(follower.email)
    assert "Hartcliffe Food Co-op" in alert.subject and "was published" in alert.subject
    assert f"http://127.0.0.1:8000/entries/{entry.slug}/" in alert.body
    unsubscribe = alert.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<http://127.0.0.1:8000/unsubscribe/")
    assert alert.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe[1:-1] in alert.body
    # Archived and published again: followers of the area are not told a second time.
    services.entry_moderate(
        entry=entry, moderator=people["moderator"], action=ModerationDecision.Action.ARCHIVE
    )
    publish(entry, people)
    assert len(alerts_to(follower.email)) == 1


def test_an_entry_outside_the_followed_area_or_category_is_not_told(
    jobs_inline, make_entry, people, follower
):
    follows.follow_area(user=follower, bbox=BRISTOL)
    follows.follow_category(user=follower, category=Category.objects.get(slug="reciprocal-working"))
    publish(pending(make_entry, lon=-2.24, lat=53.48, category_slug="commoning"), people)
    assert alerts_to(follower.email) == []


def test_a_withheld_location_is_matched_by_its_public_point_not_its_exact_one(
    jobs_inline, make_entry, people, follower
):
    exact = Point(*IN_BRISTOL, srid=4326)
    entry = pending(make_entry, lon=exact.x, lat=exact.y, precision=Entry.Precision.AREA)
    assert entry.public_point.distance(exact) > 0.001
    lon, lat = IN_BRISTOL
    tiny = (lon - 0.0005, lat - 0.0005, lon + 0.0005, lat + 0.0005)
    follows.follow_area(user=follower, bbox=tiny)
    publish(entry, people)
    assert alerts_to(follower.email) == []
    assert not Notification.objects.exists()


def test_an_edit_of_a_followed_entry_is_told_once_and_its_alert_shows_only_public_fields(
    jobs_inline, make_entry, people, follower
):
    entry = make_entry(
        name="Knowle West Timebank", precision=Entry.Precision.AREA, author=people["resident"]
    )
    follows.follow_entry(user=follower, entry=entry)
    entry = services.entry_update(
        entry=entry, data={"summary": "Now on Tuesdays"}, expected_version=entry.version
    )
    [alert] = alerts_to(follower.email)
    assert "Knowle West Timebank was changed" in alert.subject
    assert (
        f"{entry.location.x:.4f}" not in alert.body and f"{entry.location.y:.4f}" not in alert.body
    )
    assert people["resident"].email not in alert.body and "resident" not in alert.body
    # The withheld location moved a little, its public point did not: nothing the public
    # sees changed, so it is not news (and telling would say the private location moved).
    nudged = Point(entry.location.x + 0.00001, entry.location.y, srid=4326)
    moved = services.entry_update(
        entry=entry, data={"location": nudged}, expected_version=entry.version
    )
    assert moved.public_point == entry.public_point and moved.location != entry.location
    services.entry_update(entry=moved, data={}, expected_version=moved.version)
    assert len(alerts_to(follower.email)) == 1
    # A tag renamed elsewhere refreshes the entry but is not an edit of it: nothing new.
    tags_before = len(mail.outbox)
    services.entry_refresh_tags(entry=entry)
    assert len(mail.outbox) == tags_before


def test_following_an_entry_and_its_category_tells_a_person_once_at_the_most_urgent_pace(
    jobs_inline, make_entry, people, follower
):
    entry = make_entry()
    follows.follow_entry(user=follower, entry=entry, frequency="weekly")
    follows.follow_category(user=follower, category=entry.category, frequency="immediate")
    case = services.case_create(
        entry=entry,
        author=None,
        data={"title": "Sale", "kind": "disposal", "status": "active", "opened_on": date.today()},
    )
    services.event_create(
        case=case, author=None, data={"kind": "disposal_notice", "happened_on": date.today()}
    )
    [notification] = Notification.objects.filter(kind="event")
    assert notification.frequency == "immediate"
    assert len([m for m in alerts_to(follower.email) if "threat event" in m.subject]) == 1


def test_an_archive_is_told_to_the_entrys_followers(jobs_inline, make_entry, people, follower):
    entry = make_entry(name="Easton Community Centre")
    follows.follow_entry(user=follower, entry=entry)
    services.entry_moderate(
        entry=entry, moderator=people["moderator"], action=ModerationDecision.Action.ARCHIVE
    )
    assert [m.subject for m in alerts_to(follower.email)] == [
        "[Commons Map] Easton Community Centre was archived"
    ]


def test_a_digest_waits_for_its_day_and_then_sends_everything_in_one_email_once(
    jobs_inline, make_entry, people, follower
):
    follows.follow_area(user=follower, bbox=BRISTOL, frequency="daily")
    for name in ("Bedminster Mutual Aid", "Southville Seed Swap"):
        publish(pending(make_entry, name=name), people)
    assert alerts_to(follower.email) == []
    assert follows.send_digests("weekly") == 0
    assert follows.send_digests("daily") == 1
    [digest] = alerts_to(follower.email)
    assert digest.subject == "[Commons Map] What changed in what you follow (2)"
    assert "Bedminster Mutual Aid" in digest.body and "Southville Seed Swap" in digest.body
    assert follows.send_digests("daily") == 0
    assert len(alerts_to(follower.email)) == 1


def test_unfollowing_drops_what_waited_for_the_digest_unless_another_follow_reaches_it(
    jobs_inline, make_entry, people, follower
):
    area = follows.follow_area(user=follower, bbox=BRISTOL, frequency="daily")
    category = follows.follow_category(
        user=follower, category=Category.objects.get(slug="reciprocal-working"), frequency="daily"
    )
    publish(pending(make_entry, name="Lawrence Hill Repair Cafe"), people)
    publish(
        pending(make_entry, name="Bristol Timebank", category_slug="reciprocal-working"), people
    )
    assert Notification.objects.filter(sent_at__isnull=True).count() == 2
    follows.unfollow(follow=area)
    # The timebank is still reached through the category; the repair café no longer is.
    assert [n.entry.name for n in Notification.objects.all()] == ["Bristol Timebank"]
    follows.unfollow(follow=category)
    assert follows.send_digests("daily") == 0


@pytest.fixture
def threatened(make_entry, follower):
    entry = make_entry(name="The Crown and Anchor")
    follows.follow_entry(user=follower, entry=entry)
    case = services.case_create(
        entry=entry,
        author=None,
        data={
            "title": "Pub up for sale",
            "kind": "disposal",
            "status": "active",
            "opened_on": date(2026, 1, 5),
        },
    )
    services.event_create(
        case=case,
        author=None,
        data={"kind": "consultation_closes", "happened_on": date(2026, 3, 31)},
    )
    mail.outbox.clear()
    return entry


def test_a_deadline_is_told_once_at_14_days_and_once_at_3_days(
    jobs_inline, time_machine, threatened, follower
):
    """The consultation closes on 31 March; the daily job runs on each of these days."""
    told = []
    for day in (10, 16, 17, 20, 27, 28, 30):
        time_machine.move_to(dt.datetime(2026, 3, day, 9, tzinfo=dt.UTC), tick=False)
        follows.alert_deadlines()
        keys = Notification.objects.filter(kind="deadline").values_list("key", flat=True)
        told.append(sorted(key.rsplit(":", 1)[1] for key in keys))
    assert told == [[], [], ["14"], ["14"], ["14"], ["14", "3"], ["14", "3"]]
    alerts = [m for m in alerts_to(follower.email) if "deadline" in m.subject]
    assert len(alerts) == 2
    assert "Consultation closes on 31 March 2026" in alerts[0].body


def test_a_deadline_first_seen_close_is_told_once_at_its_nearest_threshold(
    jobs_inline, time_machine, threatened, follower
):
    time_machine.move_to(dt.datetime(2026, 3, 29, 9, tzinfo=dt.UTC), tick=False)
    follows.alert_deadlines()
    follows.alert_deadlines()
    keys = list(Notification.objects.filter(kind="deadline").values_list("key", flat=True))
    assert len(keys) == 1 and keys[0].endswith(":3")


def test_a_withdrawn_entry_gives_no_deadline_alert(jobs_inline, time_machine, threatened, people):
    services.entry_moderate(
        entry=threatened, moderator=people["moderator"], action=ModerationDecision.Action.ARCHIVE
    )
    time_machine.move_to(dt.datetime(2026, 3, 28, 9, tzinfo=dt.UTC), tick=False)
    assert follows.alert_deadlines() == 0


def test_a_closed_case_gives_no_deadline_alert(jobs_inline, time_machine, threatened, people):
    case = threatened.cases.get()
    services.case_update(
        case=case,
        editor=people["moderator"],
        data={"status": "saved", "closed_on": date(2026, 4, 1)},
        expected_version=case.version,
    )
    time_machine.move_to(dt.datetime(2026, 3, 28, 9, tzinfo=dt.UTC), tick=False)
    assert follows.alert_deadlines() == 0
    assert not Notification.objects.filter(kind="deadline").exists()


def test_deactivated_accounts_and_accounts_without_an_address_are_not_written_to(
    jobs_inline, make_entry, people
):
    gone, blank = people["resident"], people["owner"]
    for user in (gone, blank):
        follows.follow_area(user=user, bbox=BRISTOL)
    gone.is_active = False
    gone.save()
    blank.email = ""
    blank.save()
    publish(pending(make_entry), people)
    assert not Notification.objects.exists()
    assert [m for m in mail.outbox if "was published" in m.subject] == []


def test_a_repeated_bbox_is_refused(client_for):
    response = client_for("owner").post(
        "/follows/area/", {"bbox": ["2,2,3,3", "-2.7,51.4,-2.5,51.5"], "frequency": "daily"}
    )
    assert response.status_code == 400 and "Give bbox once." in response.content.decode()
    assert not Follow.objects.exists()


def test_the_digests_and_deadline_alerts_are_scheduled_at_the_digest_hour():
    schedules = {s.name: s for s in Schedule.objects.all()}
    assert {"Daily digests", "Weekly digests", "Deadline alerts"} <= set(schedules)
    assert schedules["Weekly digests"].schedule_type == Schedule.WEEKLY
    assert {timezone.localtime(s.next_run).hour for s in schedules.values()} == {7}
    monday = follows.next_run(weekly=True, now=dt.datetime(2026, 12, 3, 12, tzinfo=dt.UTC))
    assert (monday.weekday(), monday.hour, monday.date()) == (0, 7, date(2026, 12, 7))


# --- unsubscribing ------------------------------------------------------------------------


def test_the_unsubscribe_link_asks_first_and_then_stops_every_follow(make_entry, follower):
    follows.follow_entry(user=follower, entry=make_entry(name="Redcliffe Library of Things"))
    token = follows.unsubscribe_token(follower)
    client = Client(enforce_csrf_checks=True)
    page = client.get(f"/unsubscribe/{token}/").content.decode()
    assert "Stop these emails" in page and Follow.objects.exists()
    done = client.post(f"/unsubscribe/{token}/").content.decode()  # one-click: no form token
    assert "1 follow removed." in done
    # The link may have been forwarded: the page does not say what the person followed.
    assert "Redcliffe Library of Things" not in done
    assert not Follow.objects.exists()


@pytest.mark.parametrize("mangle", [lambda t: t[:-3], lambda t: t + "x", lambda t: "nonsense"])
def test_a_forged_unsubscribe_link_gets_a_clear_page_and_changes_nothing(
    make_entry, follower, client, mangle
):
    follows.follow_entry(user=follower, entry=make_entry())
    token = mangle(follows.unsubscribe_token(follower))
    for method in (client.get, client.post):
        response = method(f"/unsubscribe/{token}/")
        assert response.status_code == 400
        assert "This unsubscribe link is not valid" in response.content.decode()
    assert Follow.objects.count() == 1


def test_an_expired_unsubscribe_link_says_so_and_changes_nothing(
    make_entry, follower, client, time_machine
):
    follows.follow_entry(user=follower, entry=make_entry())
    time_machine.move_to(dt.datetime(2025, 1, 1, tzinfo=dt.UTC), tick=False)
    token = follows.unsubscribe_token(follower)
    time_machine.move_to(dt.datetime(2026, 6, 1, tzinfo=dt.UTC), tick=False)
    response = client.post(f"/unsubscribe/{token}/")
    assert response.status_code == 400
    assert "This unsubscribe link has expired" in response.content.decode()
    assert Follow.objects.count() == 1


def test_frequencies_are_the_three_the_pages_offer():
    assert Frequency.values == ["immediate", "daily", "weekly"]


# --- what an import tells --------------------------------------------------------------------


def bristol_list(count):
    """A CSV of count gardens in Bristol, as a group's list would hold them."""
    rows = [f"b{n},Bristol Garden {n},51.45{n:02d},-2.58{n:02d},commoning" for n in range(count)]
    return "id,Name,lat,lon,Category\n" + "\n".join(rows) + "\n"


def test_an_import_publishing_a_whole_list_is_one_line_of_a_digest_not_one_per_entry(
    jobs_inline, settings, tmp_path, make_entry, category, people, follower
):
    from tests.importing import applied, planned

    settings.IMPORT_DIR = tmp_path
    follows.follow_area(user=follower, bbox=BRISTOL, frequency="daily")
    mapping = {"Name": "name", "lat": "latitude", "lon": "longitude", "Category": "category"}
    moderator = people["moderator"]
    applied(moderator, planned(moderator, bristol_list(8), mapping, publish=True))
    publish(pending(make_entry, name="Easton Tenants"), people)
    assert follows.send_digests("daily") == 1
    [digest] = alerts_to(follower.email)
    assert digest.subject == "[Commons Map] What changed in what you follow (9)"
    assert "- 8 entries from the list Gardens list were published, among them" in digest.body
    assert digest.body.count("Bristol Garden") == 3
    assert "Easton Tenants (" in digest.body


def test_a_short_imported_list_is_told_entry_by_entry(
    jobs_inline, settings, tmp_path, category, people, follower
):
    from tests.importing import applied, planned

    settings.IMPORT_DIR = tmp_path
    follows.follow_area(user=follower, bbox=BRISTOL, frequency="daily")
    mapping = {"Name": "name", "lat": "latitude", "lon": "longitude", "Category": "category"}
    moderator = people["moderator"]
    applied(moderator, planned(moderator, bristol_list(follows.FOLD_AT), mapping, publish=True))
    follows.send_digests("daily")
    [digest] = alerts_to(follower.email)
    assert digest.body.count("Bristol Garden") == follows.FOLD_AT
    assert "entries from the list" not in digest.body


def test_an_email_stops_at_its_line_limit_and_says_how_many_more(
    jobs_inline, monkeypatch, make_entry, people, follower
):
    monkeypatch.setattr(follows, "EMAIL_LINES", 3)
    follows.follow_area(user=follower, bbox=BRISTOL, frequency="daily")
    for n in range(5):
        publish(pending(make_entry, name=f"Knowle West Group {n}"), people)
    follows.send_digests("daily")
    [digest] = alerts_to(follower.email)
    assert digest.body.count("Knowle West Group") == 3
    assert "- and 2 more: http://127.0.0.1:8000/" in digest.body
