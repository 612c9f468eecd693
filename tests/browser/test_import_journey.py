"""An import in the browser: upload a CSV, map its columns, watch the dry run's progress bar
until the report replaces it, confirm, and find the entries waiting for review. The jobs run
in a real worker (manage.py qcluster), started once the progress bar is on the page."""

from pathlib import Path

import pytest

from mapapp.models import Entry, ImportRun
from tests.browser.conftest import LIVE, signed_in
from tests.test_job_queue import Worker, free_port

pytestmark = LIVE
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "imports" / "pages-groups.csv"


@pytest.fixture
def import_dir(settings, tmp_path):
    settings.IMPORT_DIR = tmp_path / "imports"
    return settings.IMPORT_DIR


def test_an_import_from_upload_to_entries_waiting_for_review(browser, live, people, import_dir):
    session = signed_in(browser, live, people["trusted"])
    page = session.page
    worker = Worker(free_port(), IMPORT_DIR=str(import_dir))
    try:
        page.goto(f"{live.url}/imports/")
        page.get_by_label("File").set_input_files(str(FIXTURE))
        page.get_by_label("New source's name").fill("Bristol Mutual Aid")
        page.get_by_label("Licence").fill("CC-BY-4.0")
        page.get_by_role("button", name="Upload and preview").click()
        page.wait_for_selector("#preview-title")
        assert "St Werburghs Repair Cafe" in page.locator(".preview-table").inner_text()
        assert page.get_by_label("Website", exact=True).input_value() == "website"
        page.get_by_role("button", name="Check every row (dry run)").click()
        bar = page.locator("progress#import-progress")
        bar.wait_for()
        page.wait_for_selector("body[data-import-polling='on']")
        assert ImportRun.objects.get().status == ImportRun.Status.PLANNING
        worker.start()
        page.wait_for_selector("#report-title", timeout=60000)
        assert "Create: 3" in page.locator(".import-counts").inner_text()
        page.get_by_role("button", name="Confirm and import").click()
        page.wait_for_selector("#result-title", timeout=60000)
        assert "waiting for review" in page.locator("main").inner_text()
    finally:
        worker.stop()
    pending = Entry.objects.filter(status=Entry.Status.PENDING)
    assert sorted(pending.values_list("name", flat=True)) == [
        "Easton Community Garden",
        "St Werburghs Repair Cafe",
        "Totterdown Timebank",
    ]
    assert session.errors == []
    session.context.close()
