"""Import pages (administrators), record pages and portfolios (everyone)."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhichan.enterprises.models import Enterprise
from zhichan.ipdata import services
from zhichan.ipdata.models import ImportJob, Patent

pytestmark = pytest.mark.django_db
NOT_IMPORTERS = ["public", "enterprise", "staff_a", "agency_admin_a"]


def login(client, world, role):
    if role != "anonymous":
        client.force_login(getattr(world.users, role))
    return client


@pytest.fixture
def imported(world, jinzhong, fixture):
    job = services.do_import_file(world.users.county_admin_a, "patent_table", fixture("patents.csv"))
    services.do_import_file(None, "trademark_table", fixture("trademarks.csv"))
    return job


def test_imports_link_for_administrators_only(client, world):
    login(client, world, "county_admin_a")
    assert 'data-testid="nav-imports"' in client.get("/ipdata/counties/").content.decode()
    client.force_login(world.users.staff_a)
    assert 'data-testid="nav-imports"' not in client.get("/ipdata/counties/").content.decode()


@pytest.mark.parametrize("role", NOT_IMPORTERS)
def test_import_pages_are_404_for_others(client, world, imported, fixture, media, role):
    login(client, world, role)
    assert client.get("/ipdata/imports/").status_code == 404
    response = client.post("/ipdata/imports/", {"kind": "", "file": SimpleUploadedFile("p.csv", b"x")})
    assert response.status_code == 404
    for suffix in ("", "progress/", "errors.csv"):
        assert client.get(f"/ipdata/imports/{imported.pk}/{suffix}").status_code == 404
    assert ImportJob.objects.count() == 2


def test_anonymous_is_sent_to_log_in(client, imported):
    response = client.get(f"/ipdata/imports/{imported.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_county_admin_sees_own_jobs_only(client, world, imported, media, fixture):
    data = SimpleUploadedFile("b.csv", fixture("patents.csv").read_bytes())
    other = services.do_start_import(world.users.county_admin_b, "patent_table", data, "b.csv")
    login(client, world, "county_admin_a")
    body = client.get("/ipdata/imports/").content.decode()
    assert f'data-job="{imported.pk}"' in body and f'data-job="{other.pk}"' not in body
    assert client.get(f"/ipdata/imports/{other.pk}/").status_code == 404
    assert client.get(f"/ipdata/imports/{other.pk}/errors.csv").status_code == 404
    client.force_login(world.users.city_admin)
    body = client.get("/ipdata/imports/").content.decode()
    assert f'data-job="{imported.pk}"' in body and f'data-job="{other.pk}"' in body


def test_upload_starts_a_job_and_shows_its_progress(
    client, world, jinzhong, media, fixture, django_capture_on_commit_callbacks
):
    login(client, world, "county_admin_a")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            "/ipdata/imports/",
            {"kind": "", "file": SimpleUploadedFile("专利.csv", fixture("patents.csv").read_bytes())},
        )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/ipdata/imports/{job.pk}/"
    page = client.get(f"/ipdata/imports/{job.pk}/").content.decode()
    assert 'data-status="queued"' in page and 'hx-trigger="every 2s"' in page  # polls while queued
    poll = client.get(f"/ipdata/imports/{job.pk}/progress/", HTTP_HX_REQUEST="true")
    assert "HX-Refresh" not in poll
    callbacks[0]()  # the worker runs it
    poll = client.get(f"/ipdata/imports/{job.pk}/progress/", HTTP_HX_REQUEST="true")
    assert poll["HX-Refresh"] == "true"  # finished: the page reloads with the refused rows
    body = poll.content.decode()
    assert 'data-status="done"' in body and "hx-trigger" not in body
    assert 'data-count="created">5<' in body and 'data-count="refused">3<' in body
    page = client.get(f"/ipdata/imports/{job.pk}/").content.decode()
    assert page.count('data-testid="row-error"') == 4 and 'data-testid="errors-csv"' in page
    assert "wrong check digit" in page


def test_upload_refusal_is_shown_at_the_field(client, world, media):
    login(client, world, "city_admin")
    response = client.post(
        "/ipdata/imports/",
        {"kind": "", "file": SimpleUploadedFile("p.csv", b"<html><script></script></html>")},
    )
    assert response.status_code == 200
    assert 'data-field="file"' in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_error_report_csv(client, world, imported):
    login(client, world, "county_admin_a")
    response = client.get(f"/ipdata/imports/{imported.pk}/errors.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["row", "column", "reason", "value"]
    assert [r[:2] for r in rows[1:]] == [
        ["5", "专利申请号"],
        ["6", "申请日期"],
        ["6", "专利类型"],
        ["7", "IPC分类号"],
    ]


def test_error_report_neutralises_formulas(client, world, jinzhong, tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("申请号,名称\n=HYPERLINK(1),x\n", encoding="utf-8")
    job = services.do_import_file(world.users.city_admin, "patent_table", path)
    client.force_login(world.users.city_admin)
    text = b"".join(client.get(f"/ipdata/imports/{job.pk}/errors.csv").streaming_content).decode()
    assert "'=HYPERLINK(1)" in text


def test_error_pages_are_paginated(client, world, jinzhong, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("申请号,名称\n" + "".join(f"bad{i},x\n" for i in range(120)), encoding="utf-8")
    job = services.do_import_file(world.users.city_admin, "patent_table", path)
    client.force_login(world.users.city_admin)
    first = client.get(f"/ipdata/imports/{job.pk}/").content.decode()
    last = client.get(f"/ipdata/imports/{job.pk}/?page=3").content.decode()
    assert first.count('data-testid="row-error"') == 50 and last.count('data-testid="row-error"') == 20
    assert 'data-row="2"' in first and 'data-row="121"' in last


@pytest.mark.parametrize("role", ["anonymous", "public", "county_admin_b"])
def test_patent_page_is_public(client, world, imported, role):
    login(client, world, role)
    response = client.get("/ipdata/patents/201510163325.6/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "一种微生物菌剂及其制备方法" in body and "C12N 1/20" in body and "实质审查" in body
    assert "/ipdata/counties/140703/" in body  # 太谷区
    hefeng = Enterprise.objects.get(normalized_name="晋中市禾丰农业科技")
    assert f"/enterprises/{hefeng.pk}/" in body


def test_patent_numbers_in_other_forms_redirect(client, imported):
    response = client.get("/ipdata/patents/CN2015101633256/")
    assert response.status_code == 302 and response["Location"] == "/ipdata/patents/201510163325.6/"
    assert client.get("/ipdata/patents/201510163325.5/").status_code == 404
    assert client.get("/ipdata/patents/202230003456.9/").status_code == 404


def test_trademark_page(client, imported):
    response = client.get("/ipdata/trademarks/12345678/")
    body = response.content.decode()
    assert response.status_code == 200 and "禾丰" in body and "2026-01-13" in body and "3101, 3102" in body
    assert client.get("/ipdata/trademarks/99999999/").status_code == 404


def test_enterprise_portfolio(client, imported):
    hefeng = Enterprise.objects.get(normalized_name="晋中市禾丰农业科技")
    response = client.get(f"/enterprises/{hefeng.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-number="201510163325.6"' in body and 'data-number="12345678"' in body
    assert 'data-type="invention">1<' in body and 'data-status="registered">1<' in body
    assert client.get("/enterprises/999999/").status_code == 404


def test_county_portfolio(client, jinzhong, imported):
    body = client.get("/ipdata/counties/").content.decode()
    assert 'data-code="140703"' in body
    response = client.get("/ipdata/counties/140703/")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-number="201510163325.6"' in body and 'data-number="12345678"' in body
    assert 'data-number="201420345678.9"' not in body  # 左权县
    assert 'data-year="2015">1<' in body
    assert client.get("/ipdata/counties/140700/").status_code == 404  # the city is not a county
    assert client.get("/ipdata/counties/nope/").status_code == 404


def test_county_pages_paginate_patents_and_trademarks_apart(client, jinzhong, imported):
    county = jinzhong["太谷区"]
    for i in range(25):
        Patent.objects.create(
            application_number=f"20151{i:07d}.{i}", patent_type="invention", title=f"t{i}", region=county
        )
    body = client.get("/ipdata/counties/140703/?p=2&t=1").content.decode()
    assert body.count('data-testid="patent-row"') == 6  # 26 patents, 20 a page
    assert "p=1" in body and "t=1" in body  # the other list's page is kept in the links
