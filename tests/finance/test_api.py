"""The finance API: valuation, products, applications to a pledge, 422 naming fields, 404 for others."""

import json

import pytest

from tests.finance.conftest import apply

API = "/api/v1/finance"


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_valuation_endpoints_for_anyone(client, db):
    response = post(
        client,
        f"{API}/valuation/income",
        {
            "revenues": [1000000, 1200000, 1400000],
            "royalty_rate": 5,
            "tax_rate": 25,
            "discount_rate": 10,
            "economic_life_years": 3,
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (
        body["value"] == "110725.02" and body["indicative"] is True and "not an appraisal" in body["notice"]
    )
    assert {"label": "Royalty rate", "value": "5 %"} in body["assumptions"]
    response = post(
        client,
        f"{API}/valuation/cost",
        {
            "replacement_cost": 500000,
            "physical_obsolescence": 10,
            "functional_obsolescence": 20,
            "economic_obsolescence": 5,
        },
    )
    assert response.json()["value"] == "342000.00"
    response = post(
        client,
        f"{API}/valuation/market",
        {"comparables": [{"price": 300000, "factors": [1.1, 0.9]}, {"price": 400000, "factors": [0.8]}]},
    )
    assert response.json()["value"] == "308500.00"


def test_valuation_refusals_are_422_naming_fields(client, db):
    response = post(
        client,
        f"{API}/valuation/income",
        {
            "revenues": [1000, -5],
            "royalty_rate": 150,
            "tax_rate": 25,
            "discount_rate": 0,
            "economic_life_years": 30,
        },
    )
    assert response.status_code == 422
    fields = {row["field"] for row in response.json()["detail"]}
    assert fields == {"revenues.1", "royalty_rate", "discount_rate", "economic_life_years"}
    response = post(
        client,
        f"{API}/valuation/income",
        {
            "revenues": [1],
            "royalty_rate": 5,
            "tax_rate": 25,
            "discount_rate": 10,
            "economic_life_years": 1,
            "patent": "2021100000017",
        },
    )
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "patent"


def test_income_capped_by_a_chosen_patent(client, world, fin):
    response = post(
        client,
        f"{API}/valuation/income",
        {
            "revenues": [100000] * 20,
            "royalty_rate": 5,
            "tax_rate": 25,
            "discount_rate": 10,
            "economic_life_years": 20,
            "patent": fin.p1.application_number,
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert len(body["rows"]) < 20 and body["notes"]  # filed about three years ago: 20-year term
    assert any(a["label"] == "Legal term ends" for a in body["assumptions"])


def test_products_public_and_managed(client, world, fin):
    body = client.get(f"{API}/products").json()
    assert {row["name"] for row in body["items"]} == {"知识产权质押贷", "乙县专利贷"}
    client.force_login(fin.users.bank_b)
    payload = {
        "institution_id": fin.bank_a.pk,
        "name": "x",
        "amount_min": 1,
        "amount_max": 2,
        "term_min_months": 1,
        "term_max_months": 2,
        "rate_min": 1,
        "rate_max": 2,
        "ip_types": ["patent"],
    }
    assert post(client, f"{API}/products", payload).status_code == 404
    response = client.put(
        f"{API}/products/{fin.product.pk}", json.dumps(payload), content_type="application/json"
    )
    assert response.status_code == 404
    client.force_login(fin.users.bank_a)
    response = post(client, f"{API}/products", {**payload, "amount_min": 5, "rate_max": 200})
    assert response.status_code == 422
    assert {row["field"] for row in response.json()["detail"]} == {"amount_max", "rate_max"}
    response = post(client, f"{API}/products", {**payload, "region_codes": [world.county_a.code]})
    assert response.status_code == 201 and response.json()["region_codes"] == [world.county_a.code]


def test_application_to_pledge_over_the_api(client, world, fin):
    client.force_login(world.users.enterprise)
    matching = client.get(
        f"{API}/products/matching", {"amount": 1000000, "term_months": 24, "ip_types": "patent"}
    )
    assert [row["id"] for row in matching.json()] == [fin.product.pk]
    payload = {
        "product_id": fin.product.pk,
        "patents": [fin.p1.application_number],
        "amount": "1000000",
        "term_months": 24,
        "purpose": "购买设备",
    }
    refused = post(client, f"{API}/applications", {**payload, "amount": "10", "patents": ["2021100000031"]})
    assert refused.status_code == 422
    assert {row["field"] for row in refused.json()["detail"]} == {"patents"}  # unknown numbers first
    refused = post(client, f"{API}/applications", {**payload, "amount": "10"})
    assert {row["field"] for row in refused.json()["detail"]} == {"amount"}
    created = post(client, f"{API}/applications", payload)
    assert created.status_code == 201, created.content
    app_id = created.json()["id"]
    assert created.json()["status"] == "submitted" and created.json()["patents"] == [
        fin.p1.application_number
    ]
    assert post(client, f"{API}/applications/{app_id}/review", {}).status_code == 404  # not the bank

    client.force_login(fin.users.bank_b)
    assert client.get(f"{API}/applications/{app_id}").status_code == 404
    assert client.get(f"{API}/applications").json()["count"] == 0

    client.force_login(fin.users.bank_a)
    assert post(client, f"{API}/applications/{app_id}/approve", {}).status_code == 409
    assert post(client, f"{API}/applications/{app_id}/review", {}).json()["status"] == "under_review"
    assert post(client, f"{API}/applications/{app_id}/approve", {"note": "ok"}).json()["status"] == "approved"
    registered = post(client, f"{API}/applications/{app_id}/register", {"registration_number": "Y2026001"})
    assert registered.status_code == 201 and registered.json()["status"] == "in_force"
    pledge_id = registered.json()["id"]
    assert client.get(f"{API}/pledges").json()["count"] == 1
    assert post(client, f"{API}/pledges/{pledge_id}/release", {}).json()["status"] == "released"
    assert post(client, f"{API}/pledges/{pledge_id}/default", {}).status_code == 409

    client.force_login(world.users.county_admin_b)
    assert client.get(f"{API}/pledges/{pledge_id}").status_code == 404
    client.force_login(world.users.county_admin_a)
    assert client.get(f"{API}/pledges/{pledge_id}").status_code == 200


def test_policies_and_claims_over_the_api(client, world, fin):
    client.force_login(fin.users.insurer)
    payload = {
        "insurer_id": fin.insurer.pk,
        "enterprise_id": fin.firm.pk,
        "policy_number": "P-1",
        "kind": "liability",
        "patents": [fin.p1.application_number],
        "sum_insured": 100000,
        "premium": 3000,
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
    }
    created = post(client, f"{API}/policies", payload)
    assert created.status_code == 201, created.content
    policy_id = created.json()["id"]
    claim = post(
        client, f"{API}/policies/{policy_id}/claims", {"amount_claimed": 5000, "description": "赔偿"}
    )
    assert claim.status_code == 201, claim.content
    claim_id = claim.json()["id"]
    assert post(client, f"{API}/claims/{claim_id}/reject", {"outcome": ""}).status_code == 422
    assert (
        post(client, f"{API}/claims/{claim_id}/reject", {"outcome": "不属保险责任"}).json()["status"]
        == "rejected"
    )
    client.force_login(fin.users.bank_a)
    assert client.get(f"{API}/policies/{policy_id}").status_code == 404
    assert client.get(f"{API}/policies/{policy_id}/claims").status_code == 404


@pytest.mark.parametrize("url", ["/applications", "/pledges", "/policies"])
def test_lists_need_a_login(client, db, url):
    assert client.get(API + url).status_code == 401


def test_applications_list_for_the_enterprise(client, world, fin):
    apply(world, fin)
    client.force_login(world.users.enterprise)
    assert client.get(f"{API}/applications").json()["count"] == 1


def test_withdraw_and_resend_over_the_api(client, world, fin):
    client.force_login(world.users.enterprise)
    payload = {
        "product_id": fin.product.pk, "patents": [fin.p1.application_number], "amount": "1000000",
        "term_months": 24, "purpose": "购买设备", "submission_key": "client-key-1",
    }  # fmt: skip
    first = post(client, f"{API}/applications", payload)
    again = post(client, f"{API}/applications", payload)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    app_id = first.json()["id"]
    client.force_login(fin.users.bank_a)
    assert post(client, f"{API}/applications/{app_id}/withdraw", {}).status_code == 404
    client.force_login(world.users.enterprise)
    done = post(client, f"{API}/applications/{app_id}/withdraw", {"note": "不再需要"})
    assert done.status_code == 200 and done.json()["status"] == "withdrawn"
    assert post(client, f"{API}/applications/{app_id}/withdraw", {}).status_code == 409
