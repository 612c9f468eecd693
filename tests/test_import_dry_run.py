"""The dry run: every row mapped, placed and compared with the source's earlier imports into a
report, with nothing written to entries."""

import pytest

from mapapp.models import Entry, ImportRun
from mapapp.services import imports
from tests.importing import GARDENS_MAPPING, applied, fixture, planned, rows, upload

HEADER = "id,Name,lat,lon,Town,Category,Website,Tags\n"


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.IMPORT_DIR = tmp_path / "imports"


@pytest.fixture
def moderator(people, category):
    return people["moderator"]


def test_a_first_dry_run_plans_every_row_as_a_create_and_writes_no_entry(moderator):
    run = planned(moderator, fixture("pipeline-gardens.csv"))
    assert run.status == ImportRun.Status.PLANNED
    assert run.report["counts"]["create"] == 3
    assert [r["row"] for r in rows(run)] == [2, 3, 4]
    assert rows(run)[0]["name"] == "Hulme Community Garden"
    assert not Entry.objects.exists()


def test_an_applied_list_planned_again_is_all_unchanged(moderator):
    applied(moderator, planned(moderator, fixture("pipeline-gardens.csv")))
    source = ImportRun.objects.get().source
    again = planned(moderator, fixture("pipeline-gardens.csv"), source=source)
    assert again.report["counts"]["unchanged"] == 3
    assert again.report["counts"]["create"] == 0


def test_a_changed_row_is_an_update_listing_each_field_old_and_new(moderator):
    applied(moderator, planned(moderator, fixture("pipeline-gardens.csv")))
    source = ImportRun.objects.get().source
    changed = fixture("pipeline-gardens.csv").replace(
        b"https://hulme.example", b"https://hulme.example/new"
    )
    again = planned(moderator, changed, source=source)
    [update] = rows(again, "update")
    assert update["row"] == 2
    assert update["changes"] == {"website": ["https://hulme.example", "https://hulme.example/new"]}
    assert Entry.objects.get(source_row_id="g1").website == "https://hulme.example"


def test_a_record_whose_row_is_gone_from_the_file_is_archived(moderator):
    applied(moderator, planned(moderator, fixture("pipeline-gardens.csv")))
    source = ImportRun.objects.get().source
    fewer = b"\n".join(fixture("pipeline-gardens.csv").splitlines()[:3])
    again = planned(moderator, fewer, source=source)
    [archive] = rows(again, "archive")
    assert archive["id"] == "g3" and archive["row"] is None
    assert again.report["counts"]["archive"] == 1


def test_a_row_the_entry_refuses_is_rejected_with_each_fields_reason(moderator):
    text = HEADER + "b1,,53.4,-2.2,Leeds,commoning,not a web address,\n"
    run = planned(moderator, text)
    [reject] = rows(run, "reject")
    assert set(reject["problems"]) == {"name", "website"}
    assert "Enter a valid URL." in reject["problems"]["website"]


def test_an_unknown_category_names_the_value_and_the_choices(moderator):
    run = planned(moderator, HEADER + "c1,Garden,53.4,-2.2,Leeds,Gardening,,\n")
    [reject] = rows(run, "reject")
    [message] = reject["problems"]["category"]
    assert "'Gardening'" in message and "commoning" in message


def test_rows_sharing_an_id_are_both_rejected_each_naming_the_other(moderator):
    lines = ["d1,One,53.4,-2.2,,commoning,,", "d2,Two,53.5,-2.3,,commoning,,",
             "d1,Three,53.6,-2.4,,commoning,,"]  # fmt: skip
    text = HEADER + "\n".join(lines) + "\n"
    run = planned(moderator, text)
    first, second, third = rows(run)
    assert (first["action"], second["action"], third["action"]) == ("reject", "create", "reject")
    assert "row 4" in first["problems"]["row"][0]
    assert "row 2" in third["problems"]["row"][0]


def test_a_row_repeating_another_exactly_is_left_out_without_an_id_column(moderator):
    mapping = {"Name": "name", "lat": "latitude", "lon": "longitude", "Category": "category"}
    text = HEADER + "e1,Same,53.4,-2.2,,commoning,,\ne2,Same,53.4,-2.2,,commoning,,\n"
    run = planned(moderator, text, mapping, id_column="")
    assert [r["action"] for r in rows(run)] == ["create", "reject"]
    assert rows(run)[1]["problems"]["row"] == ["Repeats row 2 exactly: left out."]


@pytest.mark.parametrize("at_once", [2000, 1], ids=["batch-read-at-once", "row-by-row"])
def test_an_entry_nearby_with_a_similar_name_is_listed_as_a_likely_duplicate(
    moderator, make_entry, monkeypatch, at_once
):
    monkeypatch.setattr("mapapp.imports.plan.NEARBY_AT_ONCE", at_once)
    make_entry(name="Hulme Community Gardens", lon=-2.2430, lat=53.4670)
    make_entry(name="Hulme Library", lon=-2.2428, lat=53.4669)
    make_entry(name="Hulme Community Garden", lon=-1.5, lat=53.8)  # far away
    run = planned(moderator, fixture("pipeline-gardens.csv"))
    hulme = rows(run)[0]
    assert [d["name"] for d in hulme["duplicates"]] == ["Hulme Community Gardens"]
    assert hulme["duplicates"][0]["distance"].endswith("m away")
    assert "duplicates" not in rows(run)[1]


def test_out_of_range_coordinates_are_rejected_naming_the_limit(moderator):
    run = planned(moderator, HEADER + "f1,Far,95.5,-200,,commoning,,\n")
    [reject] = rows(run, "reject")
    assert reject["problems"]["location"] == ["Longitude -200.0 is outside -180..180."]


def test_coordinates_valid_only_swapped_among_the_others_are_swapped_back_and_flagged(moderator):
    sydney = "".join(f"s{n},Place {n},-33.{80 + n},151.{20 + n},,commoning,,\n" for n in range(6))
    run = planned(moderator, HEADER + sydney + "s9,Swapped,151.21,-33.87,,commoning,,\n")
    swapped = rows(run)[-1]
    assert swapped["action"] == "create"
    assert swapped["flags"] == ["Longitude and latitude were swapped: placed at 151.21, -33.87."]


def test_coordinates_valid_only_swapped_far_from_the_others_are_rejected(moderator):
    others = "".join(f"h{n},Place {n},{53 + n / 10},-2.{n},,commoning,,\n" for n in range(6))
    run = planned(moderator, HEADER + others + "h9,Far,151.21,-33.87,,commoning,,\n")
    far = rows(run)[-1]
    assert far["action"] == "reject"
    assert "Looks swapped" in far["problems"]["location"][0]


def test_coordinates_that_only_swapped_lie_among_the_others_look_swapped(moderator):
    others = "".join(f"h{n},Place {n},{53 + n / 10},-2.{n},,commoning,,\n" for n in range(6))
    # Valid as given (lon 53, lat -2 is off Somalia), but the list is all around Manchester.
    run = planned(moderator, HEADER + others + "h9,Odd,-2.3,53.4,,commoning,,\n")
    odd = rows(run)[-1]
    assert odd["action"] == "reject"
    assert odd["problems"]["location"][0].startswith("Looks swapped")


def test_a_row_with_only_a_town_is_placed_at_area_precision_and_flagged(moderator):
    mapping = {"Name": "name", "Town": "locality", "Category": "category"}
    run = planned(moderator, HEADER + "t1,Town only,,,Bristol,commoning,,\n", mapping)
    [row] = rows(run, "create")
    assert "Placed by town name: needs exact placing." in row["flags"]
    assert run.report["flagged"] == 1
    assert not Entry.objects.exists()
    applied(moderator, run)
    entry = Entry.objects.get()
    assert entry.precision == Entry.Precision.AREA
    assert abs(entry.location.x - -2.5966) < 0.01 and abs(entry.location.y - 51.4552) < 0.01


def test_a_town_the_gazetteer_does_not_know_is_rejected(moderator):
    mapping = {"Name": "name", "Town": "locality", "Category": "category"}
    run = planned(moderator, HEADER + "t2,Nowhere,,,Qwxzyton,commoning,,\n", mapping)
    [reject] = rows(run, "reject")
    assert "Qwxzyton" in reject["problems"]["location"][0]


def test_formula_text_is_kept_as_the_text_it_is(moderator):
    run = planned(
        moderator, HEADER + 'k1,"=HYPERLINK(""http://x.example"")",53.4,-2.2,,commoning,,\n'
    )
    [row] = rows(run, "create")
    assert row["name"] == '=HYPERLINK("http://x.example")'


def test_progress_reaches_the_total_once_planned(moderator):
    run = planned(moderator, fixture("pipeline-gardens.csv"))
    assert imports.import_progress(run) | {"message": ""} == {
        "status": "planned",
        "done": 3,
        "total": 3,
        "percent": 100,
        "message": "",
    }


def test_mapping_a_run_queues_the_dry_run_as_a_job(moderator):
    from django_q.models import OrmQ

    run = upload(moderator, fixture("pipeline-gardens.csv"))
    imports.import_map(run=run, user=moderator, mapping=GARDENS_MAPPING, id_column="id")
    assert [q.func() for q in OrmQ.objects.all()] == ["mapapp.imports.plan.plan_run"]
    assert imports.import_progress(run)["status"] == "planning"


def test_an_id_too_long_to_keep_is_a_problem_of_its_row(moderator):
    run = planned(moderator, HEADER + "x" * 300 + ",Long id,53.4,-2.2,,commoning,,\n")
    [reject] = rows(run, "reject")
    assert reject["problems"]["row"] == ["The id is 300 characters long: at most 255."]


def test_a_geojson_lists_rows_are_placed_by_their_own_geometry(moderator):
    mapping = {"name": "name", "founded": "founded_on", "website": "website"}
    run = planned(moderator, fixture("geojson-groups.geojson"), mapping, id_column="",
                  category="commoning", filename="groups.geojson")  # fmt: skip
    assert [(r["action"], r["name"]) for r in rows(run)] == [
        ("create", "Café Commun"), ("create", "Library Defence “Save Our Shelves”")
    ]  # fmt: skip
    applied(moderator, run)
    cafe = Entry.objects.get(name="Café Commun")
    assert (cafe.location.x, cafe.location.y, str(cafe.founded_on)) == (
        -0.1276,
        51.5072,
        "2019-04-01",
    )


def test_the_sources_own_entries_are_not_listed_as_likely_duplicates(moderator, make_entry):
    first = applied(moderator, planned(moderator, fixture("pipeline-gardens.csv")))
    make_entry(name="Hulme Community Gardens", lon=-2.2431, lat=53.4670)
    more = (
        fixture("pipeline-gardens.csv").decode()
        + "g4,Hulme Garden Hub,53.4669,-2.2427,,commoning,,\n"
    )
    again = planned(moderator, more, source=first.source)
    [new] = rows(again, "create")
    assert [d["name"] for d in new["duplicates"]] == ["Hulme Community Gardens"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_mapping_sent_twice_at_the_same_moment_plans_once(people, category):
    from django.core.exceptions import ValidationError
    from django_q.models import OrmQ

    from tests.concurrency import at_the_same_moment

    moderator = people["moderator"]
    run = upload(moderator, fixture("pipeline-gardens.csv"))

    def send(_):
        try:
            imports.import_map(run=run, user=moderator, mapping=GARDENS_MAPPING, id_column="id")
            return "planning"
        except ValidationError as refused:
            return refused.messages[0]

    outcomes = at_the_same_moment(ImportRun, send, [1, 2])
    assert sorted(outcomes) == [
        "This import is checking every row (dry run): it cannot be mapped now.",
        "planning",
    ]
    plans = [q for q in OrmQ.objects.all() if q.func() == imports.PLAN_JOB]
    assert len(plans) == 1


def test_a_dry_run_that_ends_after_its_run_was_abandoned_leaves_it_abandoned(moderator):
    from mapapp.imports.plan import plan_run

    run = upload(moderator, fixture("pipeline-gardens.csv"))
    imports.import_map(run=run, user=moderator, mapping=GARDENS_MAPPING, id_column="id")

    def abandoned_meanwhile(done, total):
        ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.ABANDONED)

    assert plan_run(run.pk, on_progress=abandoned_meanwhile) is not None
    assert ImportRun.objects.get(pk=run.pk).status == ImportRun.Status.ABANDONED
