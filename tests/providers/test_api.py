"""The providers API: the same services and rules as the pages; 422 names fields, 404 hides."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.providers.conftest import OTHER_USCC
from zhichan.cases.models import Case
from zhichan.providers.models import Offer, ProviderApplication

pytestmark = pytest.mark.django_db
BASE = "/api/v1/providers"


def post(client, path, body=None):
    return client.post(BASE + path, body or {}, content_type="application/json")


def api_application(application_data):
    data = dict(application_data)
    data["region_code"] = data.pop("region")
    return data


def test_apply_and_follow_by_token(client, world, application_data):
    response = post(client, "/applications", api_application(application_data))
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "pending" and body["token"] and body["status_link"].endswith(body["token"] + "/")
    again = post(client, "/applications", api_application(application_data))
    assert again.status_code == 201 and again.json()["token"] == body["token"]
    assert ProviderApplication.objects.count() == 1
    status = client.get(f"{BASE}/applications/status/{body['token']}")
    assert status.status_code == 200 and status.json()["status"] == "pending"
    assert "email" not in status.json()
    assert client.get(f"{BASE}/applications/status/nope").status_code == 404
    pdf = SimpleUploadedFile("licence.pdf", b"%PDF-1.4\n%%EOF\n")
    response = client.post(f"{BASE}/applications/status/{body['token']}/evidence", {"files": [pdf]})
    assert response.status_code == 201 and response.json()[0]["original_name"] == "licence.pdf"


def test_apply_errors_name_fields(client, world, application_data):
    data = {**api_application(application_data), "uscc": "123", "type": "bank", "email": "x"}
    response = post(client, "/applications", data)
    assert response.status_code == 422
    fields = {d["field"] for d in response.json()["detail"]}
    assert fields == {"uscc", "type", "email"}
    missing = post(client, "/applications", {"name": "x"})
    assert missing.status_code == 422 and "uscc" in {d["field"] for d in missing.json()["detail"]}
    assert not ProviderApplication.objects.exists()


def test_review_by_role(client, world, application_data):
    application = post(client, "/applications", api_application(application_data)).json()
    pk = ProviderApplication.objects.get(token=application["token"]).pk
    for role in ("public", "staff_a", "agency_admin_a", "county_admin_b"):
        client.force_login(getattr(world.users, role))
        assert client.get(f"{BASE}/applications/{pk}").status_code == 404
        assert post(client, f"/applications/{pk}/approve").status_code == 404
        assert post(client, f"/applications/{pk}/reject", {"reason": "x"}).status_code == 404
        assert client.get(f"{BASE}/applications").json()["items"] == []
    client.force_login(world.users.county_admin_a)
    assert [a["id"] for a in client.get(f"{BASE}/applications?status=pending").json()["items"]] == [pk]
    assert post(client, f"/applications/{pk}/reject", {"reason": " "}).status_code == 422
    response = post(client, f"/applications/{pk}/approve", {"functions": ["training"]})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "approved" and body["agency_id"] and body["account_username"]
    assert post(client, f"/applications/{pk}/approve").status_code == 409
    events = client.get(f"{BASE}/applications/{pk}/events").json()
    assert [e["kind"] for e in events] == ["submitted", "approved"]


def test_offers_crud_and_public_lists(client, world, provider, offer_data):
    client.force_login(world.users.city_admin)
    assert post(client, "/offers", offer_data).status_code == 404  # not a provider's administrator
    client.force_login(provider.admin)
    too_dear = post(client, "/offers", {**offer_data, "price": "800"})
    assert too_dear.status_code == 422 and too_dear.json()["detail"][0]["field"] == "price"
    created = post(client, "/offers", {**offer_data, "price": "20.5"})
    assert created.status_code == 201
    offer = created.json()
    assert offer["price"] in ("20.50", 20.5) and offer["free"] is False and offer["listed"] is True
    oid = offer["id"]
    patched = client.patch(f"{BASE}/offers/{oid}", {"price": "0"}, content_type="application/json")
    assert patched.status_code == 200 and patched.json()["free"] is True
    client.logout()
    listed = client.get(f"{BASE}/offers?free=true").json()["items"]
    assert [o["id"] for o in listed] == [oid]
    assert client.get(f"{BASE}/offers?county={world.county_b.code}").json()["items"] == []
    providers = client.get(f"{BASE}/").json()["items"]
    assert [p["id"] for p in providers] == [provider.agency.pk]
    detail = client.get(f"{BASE}/{provider.agency.pk}").json()
    assert [o["id"] for o in detail["offers"]] == [oid]
    assert client.get(f"{BASE}/{world.centre_a.pk}").status_code == 404  # not a provider
    client.force_login(world.users.agency_admin_a)
    assert (
        client.patch(f"{BASE}/offers/{oid}", {"title": "x"}, content_type="application/json").status_code
        == 404
    )
    assert post(client, f"/offers/{oid}/withdraw").status_code == 404
    client.force_login(provider.admin)
    assert post(client, f"/offers/{oid}/withdraw").status_code == 200
    assert post(client, f"/offers/{oid}/withdraw").status_code == 409
    client.logout()
    assert client.get(f"{BASE}/offers/{oid}").status_code == 404
    client.force_login(provider.admin)
    assert post(client, f"/offers/{oid}/reinstate").json()["listed"] is True


def test_apply_for_offer(client, world, provider, offer):
    body = {
        "subject": "申请",
        "description": "说明",
        "requester_name": "王",
        "requester_phone": "13900000009",
    }
    response = post(client, f"/offers/{offer.pk}/apply", {**body, "region_code": world.county_b.code})
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "region"
    response = post(client, f"/offers/{offer.pk}/apply", body)
    assert response.status_code == 201
    case = Case.objects.get(number=response.json()["number"])
    assert case.owner == provider.agency
    assert post(client, "/offers/999999/apply", body).status_code == 404


def test_records_for_administrators_only(client, world, provider, offer):
    assert client.get(f"{BASE}/records").status_code == 404
    client.force_login(provider.admin)
    assert client.get(f"{BASE}/records").status_code == 404
    client.force_login(world.users.county_admin_a)
    rows = client.get(f"{BASE}/records").json()
    assert [r["id"] for r in rows] == [provider.agency.pk] and rows[0]["offers"] == 1


def test_second_application_with_other_code(client, world, application_data):
    data = {**api_application(application_data), "uscc": OTHER_USCC, "name": "另一机构"}
    assert post(client, "/applications", data).status_code == 201
    assert not Offer.objects.exists()
