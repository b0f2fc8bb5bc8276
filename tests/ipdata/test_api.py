"""The ipdata and enterprises API."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhichan.enterprises.models import Enterprise
from zhichan.ipdata import services
from zhichan.ipdata.models import ImportJob

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(world, jinzhong, fixture):
    job = services.do_import_file(world.users.county_admin_a, "patent_table", fixture("patents.csv"))
    services.do_import_file(None, "trademark_table", fixture("trademarks.csv"))
    return job


def post_file(client, content, name="p.csv", **data):
    return client.post("/api/v1/ipdata/imports", {"file": SimpleUploadedFile(name, content), **data})


@pytest.mark.parametrize("role", ["public", "staff_a", "agency_admin_a"])
def test_start_import_is_404_for_others(client, world, media, fixture, role):
    client.force_login(getattr(world.users, role))
    response = post_file(client, fixture("patents.csv").read_bytes())
    assert response.status_code == 404
    assert ImportJob.objects.count() == 0


def test_start_import_needs_a_session(client, world, media, fixture):
    assert post_file(client, fixture("patents.csv").read_bytes()).status_code == 401


def test_start_import_and_follow_it(
    client, world, jinzhong, media, fixture, django_capture_on_commit_callbacks
):
    client.force_login(world.users.county_admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_file(client, fixture("trademarks.csv").read_bytes(), name="tm.csv")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["kind"], body["original_name"], body["started_by"]) == (
        "queued",
        "trademark_table",
        "tm.csv",
        "county_admin_a",
    )
    job = client.get(f"/api/v1/ipdata/imports/{body['id']}").json()
    assert job["status"] == "done" and job["created_count"] == 2 and job["error_count"] == 3
    assert job["errors_csv"] == f"/ipdata/imports/{body['id']}/errors.csv"
    errors = client.get(f"/api/v1/ipdata/imports/{body['id']}/errors").json()
    assert errors["count"] == 3 and errors["items"][0] == {
        "row": 4,
        "field": "国际分类",
        "message": "not a Nice class (1 to 45): 46",
        "value": "46",
    }
    assert [j["id"] for j in client.get("/api/v1/ipdata/imports").json()["items"]] == [body["id"]]


def test_refused_uploads(client, world, media):
    client.force_login(world.users.city_admin)
    response = post_file(client, b"<html><script></script></html>")
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "file"
    response = post_file(client, "申请号,名称\n".encode(), kind="songs")
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "kind"
    assert ImportJob.objects.count() == 0


def test_jobs_are_visible_to_their_starter_and_the_city(client, world, imported):
    for role, status in (
        ("county_admin_a", 200),
        ("city_admin", 200),
        ("county_admin_b", 404),
        ("staff_a", 404),
    ):
        client.force_login(getattr(world.users, role))
        assert client.get(f"/api/v1/ipdata/imports/{imported.pk}").status_code == status, role
        assert client.get(f"/api/v1/ipdata/imports/{imported.pk}/errors").status_code == status, role
    client.logout()
    assert client.get(f"/api/v1/ipdata/imports/{imported.pk}").status_code == 404
    assert client.get("/api/v1/ipdata/imports").json()["items"] == []


def test_patent_by_number(client, imported):
    body = client.get("/api/v1/ipdata/patents/ZL2015101633256").json()
    assert body["application_number"] == "201510163325.6"
    assert body["ipc_codes"] == ["C12N 1/20", "A01N 63/00"] and body["region_code"] == "140703"
    assert [e["name"] for e in body["enterprises"]] == ["晋中市禾丰农业科技有限公司"]
    assert client.get("/api/v1/ipdata/patents/201510163325.5").status_code == 404
    assert client.get("/api/v1/ipdata/patents/nonsense").status_code == 404


def test_trademark_by_number(client, imported):
    body = client.get("/api/v1/ipdata/trademarks/12345678").json()
    assert body["nice_class"] == 31 and body["expiry_date"] == "2026-01-13" and body["status"] == "registered"
    assert client.get("/api/v1/ipdata/trademarks/1").status_code == 404


def test_enterprise_and_portfolio(client, imported):
    hefeng = Enterprise.objects.get(normalized_name="晋中市禾丰农业科技")
    body = client.get(f"/api/v1/enterprises/{hefeng.pk}").json()
    assert body["region_code"] == "140703"
    assert body["patents"]["total"] == 1 and body["trademarks"]["total"] == 1
    assert {r["key"]: r["count"] for r in body["patents"]["by_type"]} == {
        "invention": 1,
        "utility": 0,
        "design": 0,
    }
    assert body["patents"]["by_year"] == [{"year": 2015, "count": 1}]
    assert body["trademarks"]["by_class"] == [{"nice_class": 31, "count": 1}]
    patents = client.get(f"/api/v1/enterprises/{hefeng.pk}/patents").json()
    assert [p["application_number"] for p in patents["items"]] == ["201510163325.6"]
    marks = client.get(f"/api/v1/enterprises/{hefeng.pk}/trademarks").json()
    assert [m["registration_number"] for m in marks["items"]] == ["12345678"]
    assert client.get("/api/v1/enterprises/999999").status_code == 404
    assert client.get("/api/v1/enterprises/999999/patents").status_code == 404
