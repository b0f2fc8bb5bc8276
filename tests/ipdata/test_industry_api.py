"""The industry and report API: CRUD, landscape figures, asking for a report, its status."""

import json

import pytest

from tests.ipdata.conftest import ROLES, STAFF, login
from zhichan.ipdata.models import IndustryDefinition, IndustryEvent, NavigationReport
from zhichan.ipdata.statistics import landscape

pytestmark = pytest.mark.django_db

BASE = "/api/v1/ipdata"
VISIBLE = {"private": {"public", "city_admin"}, "shared": set(STAFF) | {"city_admin"}}
CHANGEABLE = {"private": {"public", "city_admin"}, "shared": {"staff_a", "city_admin"}}


@pytest.fixture(autouse=True)
def _english(english):
    """These tests quote the messages' English wording."""


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def patch(client, url, data):
    return client.patch(url, json.dumps(data), content_type="application/json")


def test_create_read_change_delete(client, world):
    client.force_login(world.users.enterprise)
    response = post(
        client, f"{BASE}/industries", {"name": "谷子", "ipc_codes": ["a01b", "A23L"], "keywords": ["谷子"]}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["ipc_codes"] == ["A01B", "A23L"] and body["owner_id"] == world.users.enterprise.pk
    assert body["query"] == '(IPC=A01B OR IPC=A23L) AND TX="谷子"'
    pk = body["id"]
    assert client.get(f"{BASE}/industries/{pk}").json()["name"] == "谷子"
    assert [d["id"] for d in client.get(f"{BASE}/industries").json()["items"]] == [pk]
    changed = patch(client, f"{BASE}/industries/{pk}", {"keywords": ["小米", "谷子"]})
    assert changed.status_code == 200 and changed.json()["keywords"] == ["小米", "谷子"]
    assert changed.json()["ipc_codes"] == ["A01B", "A23L"]
    assert client.delete(f"{BASE}/industries/{pk}").status_code == 204
    assert client.get(f"{BASE}/industries/{pk}").status_code == 404
    assert list(IndustryEvent.objects.values_list("kind", flat=True)) == ["created", "changed", "deleted"]


def test_refusals_name_the_field(client, world):
    client.force_login(world.users.public)
    response = post(client, f"{BASE}/industries", {"name": "坏", "ipc_codes": ["Q1"], "shared": True})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["detail"]}
    assert fields == {"ipc_codes", "shared"}
    assert not IndustryDefinition.objects.exists()


def test_writes_need_a_login(client, world):
    assert post(client, f"{BASE}/industries", {"name": "x", "ipc_codes": ["A"]}).status_code == 401
    assert not IndustryDefinition.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_access_by_role(client, world, definitions, role):
    login(client, world, role)
    listed = {d["id"] for d in client.get(f"{BASE}/industries").json()["items"]}
    for key in ("private", "shared"):
        pk = definitions[key].pk
        can_see, can_change = role in VISIBLE[key], role in CHANGEABLE[key]
        assert (pk in listed) == can_see
        assert client.get(f"{BASE}/industries/{pk}").status_code == (200 if can_see else 404)
        assert client.get(f"{BASE}/industries/{pk}/landscape").status_code == (200 if can_see else 404)
        if not can_change:
            refused = patch(client, f"{BASE}/industries/{pk}", {"name": "改"})
            assert refused.status_code == (401 if role == "anonymous" else 404)
            assert client.delete(f"{BASE}/industries/{pk}").status_code in (401, 404)
        if not can_see:
            assert post(client, f"{BASE}/industries/{pk}/reports", {}).status_code in (401, 404)
    assert not IndustryEvent.objects.exists() and not NavigationReport.objects.exists()
    assert set(IndustryDefinition.objects.values_list("name", flat=True)) == {
        "我的农机",
        "甲区装备",
        "中医药",
    }


def test_landscape_json_is_the_landscape(client, world, generated):
    definition = IndustryDefinition.objects.create(
        name="农机", ipc_codes=["A01B", "A01C"], owner=world.users.public
    )
    ls = landscape(definition.to_query(), top=5)
    client.force_login(world.users.public)
    body = client.get(f"{BASE}/industries/{definition.pk}/landscape?top=5").json()
    assert body["total"] == ls.total > 0 and body["local_total"] == ls.local_total
    assert [(y["year"], y["counts"]) for y in body["by_year"]] == ls.by_year
    assert [(a["key"], a["count"]) for a in body["top_applicants"]] == ls.top_applicants
    assert [(c["code"], c["name"], c["count"]) for c in body["by_county"]] == ls.by_county
    assert client.get(f"{BASE}/industries/{definition.pk}/landscape?top=0").status_code == 422


def test_ask_for_a_report_and_follow_it(client, world, definitions):
    client.force_login(world.users.staff_b)
    pk = definitions["shared"].pk
    first = post(client, f"{BASE}/industries/{pk}/reports", {})
    assert first.status_code == 201
    report = first.json()
    assert report["status"] == "queued" and report["docx_url"] is None
    assert report["page_url"] == f"/ipdata/reports/{report['id']}/"
    again = post(client, f"{BASE}/industries/{pk}/reports", {})
    assert again.status_code == 200 and again.json()["id"] == report["id"]
    assert client.get(f"{BASE}/reports/{report['id']}").json()["progress"] == 0
    assert [r["id"] for r in client.get(f"{BASE}/reports").json()["items"]] == [report["id"]]
    client.force_login(world.users.staff_a)  # the definition's owner does not read another's report
    assert client.get(f"{BASE}/reports/{report['id']}").status_code == 404
    assert client.get(f"{BASE}/reports").json()["items"] == []
