"""Navigation reports: who may ask and read, one at a time, the worker's build (idempotent, with
progress), and what the DOCX and PDF contain."""

import io
import shutil
import subprocess
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from docx import Document

from tests.ipdata.conftest import ROLES, STAFF, login
from zhichan.core.permissions import VIEW, PermissionDenied
from zhichan.ipdata import charts
from zhichan.ipdata import industry_services as services
from zhichan.ipdata.models import IndustryDefinition, IndustryEvent, NavigationReport, ReportStatus
from zhichan.ipdata.statistics import landscape

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(english, media):
    """English wording; files under a temporary media root."""


CAN_ASK = {  # definition -> roles that see it, so may ask for its report
    "private": {"public", "city_admin"},
    "shared": set(STAFF) | {"city_admin"},
    "bundle": set(STAFF) | {"city_admin"},
}


@pytest.mark.parametrize("role", ROLES)
def test_who_may_ask_for_a_report(world, definitions, role, django_capture_on_commit_callbacks):
    user = getattr(world.users, role)
    for key, definition in definitions.items():
        if role in CAN_ASK[key]:
            with django_capture_on_commit_callbacks() as callbacks:
                report = services.do_request_report(user, definition)
            assert report.status == ReportStatus.QUEUED and report.requested_by == user
            assert report.title == definition.name and report.query == definition.to_query()
            assert len(callbacks) == 1  # the build is enqueued after the commit
        else:
            with django_capture_on_commit_callbacks() as callbacks, pytest.raises(PermissionDenied):
                services.do_request_report(user, definition)
            assert not callbacks
            assert not NavigationReport.objects.filter(definition=definition, requested_by=user.pk).exists()


def test_asking_again_while_queued_returns_the_same(world, definitions):
    user, definition = world.users.staff_b, definitions["shared"]
    first = services.do_request_report(user, definition)
    assert services.do_request_report(user, definition) == first
    # Another user gets their own.
    assert services.do_request_report(world.users.staff_a, definition) != first
    assert IndustryEvent.objects.filter(kind="report_requested").count() == 2


def test_a_lost_running_report_does_not_block_a_new_one(world, definitions, settings):
    user, definition = world.users.staff_b, definitions["shared"]
    first = services.do_request_report(user, definition)
    stale = timezone.now() - timedelta(minutes=settings.ZHICHAN_REPORT_STALE_MINUTES + 1)
    NavigationReport.objects.filter(pk=first.pk).update(status=ReportStatus.RUNNING, updated_at=stale)
    second = services.do_request_report(user, definition)
    assert second != first
    first.refresh_from_db()
    assert first.status == ReportStatus.FAILED and first.message
    # A running one that still moves is returned as it is.
    NavigationReport.objects.filter(pk=second.pk).update(status=ReportStatus.RUNNING)
    assert services.do_request_report(user, definition) == second


def done_report(definition, user, pdf=True):
    """A finished report with small stand-in files (for access tests)."""
    report = NavigationReport.objects.create(
        definition=definition, title=definition.name, query=definition.to_query(), requested_by=user,
        status=ReportStatus.DONE, progress=100,
    )  # fmt: skip
    report.file.save("r.docx", ContentFile(b"PK docx"), save=False)
    if pdf:
        report.pdf.save("r.pdf", ContentFile(b"%PDF-1.4 stand-in"), save=False)
    report.save()
    return report


@pytest.mark.parametrize("role", ROLES)
def test_only_the_requester_and_the_city_administrator_read_a_report(client, world, definitions, role):
    report = done_report(definitions["shared"], world.users.staff_b)
    allowed = role in ("staff_b", "city_admin")
    user = getattr(world.users, role)
    assert NavigationReport.objects.restrict(user, VIEW).filter(pk=report.pk).exists() == allowed
    login(client, world, role)
    for url in (
        f"/ipdata/reports/{report.pk}/",
        f"/ipdata/reports/{report.pk}/progress/",
        f"/ipdata/reports/{report.pk}/download/docx/",
        f"/ipdata/reports/{report.pk}/download/pdf/",
        f"/api/v1/ipdata/reports/{report.pk}",
    ):
        response = client.get(url)
        assert response.status_code == (200 if allowed else 404), url
    if allowed:
        response = client.get(f"/ipdata/reports/{report.pk}/download/docx/")
        assert response["Content-Disposition"].startswith("attachment")
        assert b"".join(response.streaming_content) == b"PK docx"


def test_downloads_of_what_is_not_there_are_404(client, world, definitions):
    report = done_report(definitions["shared"], world.users.staff_b, pdf=False)
    client.force_login(world.users.staff_b)
    assert client.get(f"/ipdata/reports/{report.pk}/download/pdf/").status_code == 404
    assert client.get(f"/ipdata/reports/{report.pk}/download/exe/").status_code == 404
    assert client.get("/ipdata/reports/999999/").status_code == 404


def test_the_page_asks_and_polls_while_queued(client, world, definitions):
    client.force_login(world.users.staff_b)
    response = client.post(f"/ipdata/industries/{definitions['shared'].pk}/report/")
    report = NavigationReport.objects.get(requested_by=world.users.staff_b)
    assert response.status_code == 302 and response["Location"] == f"/ipdata/reports/{report.pk}/"
    body = client.get(response["Location"]).content.decode()
    assert 'data-status="queued"' in body and "hx-trigger" in body
    # Asking from the page again lands on the same report.
    again = client.post(f"/ipdata/industries/{definitions['shared'].pk}/report/")
    assert again["Location"] == response["Location"]
    assert NavigationReport.objects.count() == 1


def test_someone_who_cannot_see_the_definition_cannot_ask(client, world, definitions):
    client.force_login(world.users.public)
    assert client.post(f"/ipdata/industries/{definitions['shared'].pk}/report/").status_code == 404
    assert client.get(f"/ipdata/industries/{definitions['shared'].pk}/report/").status_code == 405
    assert not NavigationReport.objects.exists()


# --- building ---------------------------------------------------------------------------------------


@pytest.fixture
def industry(generated, world):
    """A definition over the generated patents (Jinzhong is the city served: its code sorts first)."""
    return IndustryDefinition.objects.create(
        name="现代农业", ipc_codes=["A01", "A23L", "A61K 36"], owner=world.users.staff_a, shared=True
    )


def run(report):
    assert services.build_report(report.pk) == "done"
    report.refresh_from_db()
    return report


def tables(doc):
    return [[[cell.text for cell in row.cells] for row in table.rows] for table in doc.tables]


def test_the_docx_has_the_sections_and_the_figures(world, industry, settings):
    settings.ZHICHAN_BRAND = "晋中市知识产权公共服务平台"
    report = run(services.do_request_report(world.users.staff_a, industry))
    assert report.status == ReportStatus.DONE and report.progress == 100 and report.finished_at
    ls = landscape(industry.to_query())
    assert ls.total > 20
    doc = Document(io.BytesIO(report.file.open("rb").read()))
    text = [p.text for p in doc.paragraphs]
    assert "晋中市知识产权公共服务平台" in text and "现代农业" in text and "晋中市" in text
    assert f"Query: {industry.to_query()}" in text
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [
        "1. Overview", "2. Application trend", "3. Patent types and legal status", "4. IPC distribution",
        "5. Regional distribution", "6. Key players", "7. Inventors", "8. Findings",
    ]  # fmt: skip
    found = tables(doc)
    overview = dict(row for row in found[0][1:])
    assert overview["Patents"] == str(ls.total)
    trend = next(t for t in found if t[0][0] == "Year")
    assert [[int(v) for v in row] for row in trend[1:]] == [
        [
            year,
            counts.get("invention", 0),
            counts.get("utility", 0),
            counts.get("design", 0),
            sum(counts.values()),
        ]
        for year, counts in ls.by_year
    ]
    players = next(t for t in found if t[0][1] == "Applicant")
    assert [(row[1], int(row[2])) for row in players[1:]] == ls.top_applicants
    assert any(row[4] == "✓" for row in players[1:])  # some local applicants are marked
    counties = next(t for t in found if t[0][1] == "County")
    assert [(row[2], int(row[3])) for row in counties[1:]] == [(c, n) for c, _name, n in ls.by_county]
    assert len(doc.inline_shapes) == len(charts.CHARTS)  # the charts, as pictures
    findings = text[text.index("8. Findings") + 1 :]
    assert any("largest applicant" in line and ls.top_applicants[0][0] in line for line in findings)
    kinds = list(IndustryEvent.objects.filter(report=report).values_list("kind", flat=True))
    assert kinds == ["report_requested", "report_started", "report_done"]


def test_building_again_does_nothing(world, industry):
    report = run(services.do_request_report(world.users.staff_a, industry))
    name, finished = report.file.name, report.finished_at
    assert services.build_report(report.pk) == "skipped"
    report.refresh_from_db()
    assert report.file.name == name and report.finished_at == finished
    assert IndustryEvent.objects.filter(report=report, kind="report_done").count() == 1


def test_progress_is_stored_as_the_build_goes(world, industry, monkeypatch):
    seen = []
    original = services._set_progress

    def spy(report_id, percent, message=""):
        original(report_id, percent, message)
        stored = NavigationReport.objects.get(pk=report_id)
        seen.append((stored.status, stored.progress, stored.message))

    monkeypatch.setattr(services, "_set_progress", spy)
    report = run(services.do_request_report(world.users.staff_a, industry))
    assert len(seen) >= 5
    assert all(status == ReportStatus.RUNNING for status, _p, _m in seen)
    progress = [p for _s, p, _m in seen]
    assert progress == sorted(progress) and progress[0] < 30 and 90 <= progress[-1] < 100
    assert all(message for _s, _p, message in seen)
    assert report.progress == 100


def test_a_failed_build_says_why_and_keeps_no_file(world, industry, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("zhichan.ipdata.navigation.write_docx", broken)
    report = services.do_request_report(world.users.staff_a, industry)
    assert services.build_report(report.pk) == "failed"
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED and "disk on fire" in report.message and not report.file
    assert IndustryEvent.objects.filter(report=report, kind="report_failed").exists()
    # A failed report does not block a new request.
    assert services.do_request_report(world.users.staff_a, industry) != report


def test_without_a_cjk_font_there_is_no_pdf_and_the_page_says_why(client, world, industry, settings):
    settings.ZHICHAN_REPORT_FONT = "none"
    report = run(services.do_request_report(world.users.staff_a, industry))
    assert report.file and not report.pdf
    assert "No CJK font" in report.message
    doc = Document(io.BytesIO(report.file.open("rb").read()))
    assert any("No CJK font" in p.text for p in doc.paragraphs)
    client.force_login(world.users.staff_a)
    body = client.get(f"/ipdata/reports/{report.pk}/").content.decode()
    assert 'data-testid="download-docx"' in body and 'data-testid="download-pdf"' not in body
    assert "No CJK font" in body


def test_with_a_cjk_font_there_is_a_pdf(client, world, industry, tmp_path):
    if charts.cjk_font() is None:
        pytest.skip("no CJK font on this machine (Debian: fonts-noto-cjk)")
    report = run(services.do_request_report(world.users.staff_a, industry))
    data = report.pdf.open("rb").read()
    assert data.startswith(b"%PDF") and data.count(b"/Type /Page\n") + data.count(b"/Type /Page ") >= 5
    client.force_login(world.users.staff_a)
    response = client.get(f"/ipdata/reports/{report.pk}/download/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    if shutil.which("pdftotext"):
        (tmp_path / "r.pdf").write_bytes(data)
        text = subprocess.run(
            ["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "1. Overview" in text


def test_reports_left_queued_are_enqueued_again(world, definitions, monkeypatch):
    enqueued = []
    monkeypatch.setattr(services, "enqueue_report", enqueued.append)
    waiting = services.do_request_report(world.users.staff_b, definitions["shared"])
    fresh = services.do_request_report(world.users.staff_a, definitions["shared"])
    NavigationReport.objects.filter(pk=waiting.pk).update(updated_at=timezone.now() - timedelta(minutes=6))
    assert services.requeue_waiting(older_than_minutes=5) == 1
    assert enqueued == [waiting.pk] and fresh.pk not in enqueued
