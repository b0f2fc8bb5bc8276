"""/api/v1/evaluation/: indicators, scorecards, runs and hand-entered values."""

from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhichan.evaluation.models import Indicator, ManualValue, Scorecard, ScorecardRun
from zhichan.evaluation.scorecards import services

API = "/api/v1/evaluation"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def fields(response):
    return {e["field"] for e in response.json()["detail"]}


@pytest.fixture
def defined(world, hand_metrics):
    admin = world.users.city_admin
    volume = services.do_create_indicator(
        admin,
        code="volume",
        name="受理量",
        dimension="utilisation",
        unit="count",
        direction="higher",
        source="computed",
        metric_code="t_volume",
    )
    services.do_create_indicator(
        admin,
        code="survey",
        name="走访评价",
        dimension="satisfaction",
        unit="score",
        direction="higher",
        source="manual",
    )
    hand_metrics["t_volume"].set(
        "2026Q2", **{f"county_{world.county_a.pk}": 12, f"county_{world.county_b.pk}": 4}
    )
    return volume


def test_indicators_create_update_and_refusals(client, world, defined):
    assert client.get(f"{API}/indicators").status_code == 401
    client.force_login(world.users.public)
    assert client.get(f"{API}/indicators").status_code == 404
    client.force_login(world.users.county_admin_a)
    listed = client.get(f"{API}/indicators").json()
    assert {i["code"] for i in listed["items"]} == {"volume", "survey"}
    assert next(i for i in listed["items"] if i["code"] == "volume")["metric_available"] is True
    body = {
        "code": "rate",
        "name": "满意率",
        "dimension": "satisfaction",
        "unit": "percent",
        "direction": "higher",
        "source": "computed",
        "metric_code": "t_rate",
    }
    assert client.post(f"{API}/indicators", body, content_type="application/json").status_code == 404
    client.force_login(world.users.city_admin)
    response = client.post(f"{API}/indicators", body, content_type="application/json")
    assert response.status_code == 201 and response.json()["code"] == "rate"
    response = client.post(
        f"{API}/indicators",
        {**body, "code": "X Y", "unit": "furlongs", "metric_code": "nope"},
        content_type="application/json",
    )
    assert response.status_code == 422 and fields(response) == {"code", "unit", "metric_code"}
    response = client.post(f"{API}/indicators", {"code": "only"}, content_type="application/json")
    assert response.status_code == 422 and {"name", "dimension"} <= fields(response)
    rate = Indicator.objects.get(code="rate")
    response = client.patch(
        f"{API}/indicators/{rate.pk}", {"name": "群众满意率"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["name"] == "群众满意率"
    response = client.patch(
        f"{API}/indicators/{rate.pk}", {"source": "bogus"}, content_type="application/json"
    )
    assert response.status_code == 422 and fields(response) == {"source"}
    assert (
        client.patch(f"{API}/indicators/999999", {"name": "x"}, content_type="application/json").status_code
        == 404
    )


def test_scorecard_run_and_results(client, world, defined):
    client.force_login(world.users.city_admin)
    card = {
        "name": "区县评价",
        "level": "county",
        "period_kind": "quarter",
        "items": [{"indicator_id": defined.pk, "weight": "60"}],
    }
    response = client.post(f"{API}/scorecards", card, content_type="application/json")
    assert response.status_code == 422 and fields(response) == {"items"}
    card["items"][0]["weight"] = "-1"
    response = client.post(f"{API}/scorecards", card, content_type="application/json")
    assert response.status_code == 422 and fields(response) == {"items.0.weight"}
    card["items"] = [
        {"indicator_id": defined.pk, "weight": "80"},
        {
            "indicator_id": Indicator.objects.get(code="survey").pk,
            "weight": "20",
            "rule": "target",
            "target": "90",
        },
    ]
    response = client.post(f"{API}/scorecards", card, content_type="application/json")
    assert response.status_code == 201
    card_id = response.json()["id"]
    assert [i["weight"] for i in response.json()["items"]] == ["80.00", "20.00"]
    assert client.get(f"{API}/scorecards").json()["count"] == 1

    response = client.post(
        f"{API}/scorecards/{card_id}/runs", {"period": "2026"}, content_type="application/json"
    )
    assert response.status_code == 422 and fields(response) == {"period"}
    response = client.post(
        f"{API}/scorecards/{card_id}/runs", {"period": "2026Q2"}, content_type="application/json"
    )
    assert response.status_code == 201
    run = response.json()
    assert run["status"] == "draft" and [r["name"] for r in run["results"]] == ["甲区", "乙县"]
    first = run["results"][0]
    assert (first["rank"], D(first["total"]), first["missing"]) == (1, D("80.00"), 1)
    assert first["values"]["volume"] == {"raw": "12", "score": "100.00", "weighted": "80.00"}
    assert first["values"]["survey"]["raw"] is None
    response = client.put(
        f"{API}/runs/{run['id']}/findings", {"findings": "甲区领先"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["findings"] == "甲区领先"
    assert client.post(f"{API}/runs/{run['id']}/publish").json()["status"] == "published"
    response = client.post(f"{API}/runs/{run['id']}/publish")
    assert response.status_code == 409
    assert client.get(f"{API}/runs").json()["count"] == 1

    # The county administrator reads its own county's row of the published run only.
    client.force_login(world.users.county_admin_b)
    got = client.get(f"{API}/runs/{run['id']}").json()
    assert [r["name"] for r in got["results"]] == ["乙县"] and got["results"][0]["rank"] == 2
    assert (
        client.post(
            f"{API}/scorecards/{card_id}/runs", {"period": "2026Q2"}, content_type="application/json"
        ).status_code
        == 404
    )
    client.force_login(world.users.enterprise)
    assert client.get(f"{API}/runs/{run['id']}").status_code == 404
    assert client.get(f"{API}/runs").status_code == 404
    assert ScorecardRun.objects.count() == 1 and Scorecard.objects.count() == 1


def test_manual_values_enter_and_review(client, world, defined):
    survey = Indicator.objects.get(code="survey")
    client.force_login(world.users.agency_admin_a)
    data = {
        "indicator_id": survey.pk,
        "scope": f"agency:{world.centre_a.pk}",
        "period": "2026Q2",
        "value": "93.5",
        "note": "问卷",
    }
    response = client.post(f"{API}/manual-values", data)
    assert response.status_code == 422 and "evidence" in fields(response)
    response = client.post(
        f"{API}/manual-values",
        {**data, "scope": "agency:x", "value": "NaN", "evidence": SimpleUploadedFile("a.pdf", PDF)},
    )
    assert response.status_code == 422 and fields(response) == {"scope", "value"}
    response = client.post(f"{API}/manual-values", {**data, "evidence": SimpleUploadedFile("证明.pdf", PDF)})
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["value"], body["evidence"]) == ("pending", "93.5000", ["证明.pdf"])
    again = client.post(f"{API}/manual-values", {**data, "evidence": SimpleUploadedFile("证明.pdf", PDF)})
    assert again.status_code == 200 and again.json()["id"] == body["id"] and ManualValue.objects.count() == 1
    review = f"{API}/manual-values/{body['id']}/review"
    assert client.post(review, {"decision": "approved"}, content_type="application/json").status_code == 404
    client.force_login(world.users.county_admin_b)
    assert client.post(review, {"decision": "approved"}, content_type="application/json").status_code == 404
    client.force_login(world.users.county_admin_a)
    assert [v["id"] for v in client.get(f"{API}/manual-values?to_review=true").json()["items"]] == [
        body["id"]
    ]
    response = client.post(review, {"decision": "maybe"}, content_type="application/json")
    assert response.status_code == 422 and fields(response) == {"decision"}
    response = client.post(review, {"decision": "approved"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "approved"
    assert response.json()["reviewed_by"] == str(world.users.county_admin_a)
    assert (
        client.post(
            review, {"decision": "rejected", "note": "x"}, content_type="application/json"
        ).status_code
        == 409
    )
    client.force_login(world.users.staff_b)
    assert client.get(f"{API}/manual-values").json()["count"] == 0
