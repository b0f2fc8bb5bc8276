import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from zhichan.cases import services
from zhichan.cases.models import Case, CaseAttachment, Status

pytestmark = pytest.mark.django_db

JSON = "application/json"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def intake(client, headers=None, **fields):
    body = {
        "type": "complaint",
        "subject": "展会侵权",
        "description": "展位A12冒用商标",
        "requester_name": "李四",
        "requester_phone": "13900000000",
        "region_code": "990102",
    }
    body.update(fields)
    return client.post("/api/v1/cases/", body, content_type=JSON, headers=headers or {})


@pytest.fixture
def rules(world):
    from zhichan.cases.models import RoutingRule

    RoutingRule.objects.create(case_type="complaint", region=world.county_a, agency=world.centre_a)


def test_anonymous_intake_returns_tracking(client, world, rules):
    response = intake(client)
    assert response.status_code == 201
    data = response.json()
    case = Case.objects.get(pk=data["id"])
    assert data["number"] == case.number and data["tracking_code"] == case.tracking_code
    assert data["tracking_link"].endswith(f"/track/{case.tracking_token}/")
    assert case.owner == world.centre_a and case.channel == "web"


def test_intake_422_by_field_and_nothing_stored(client, world):
    response = intake(client, type="service_application", region_code="nowhere")
    assert response.status_code == 422
    fields = {d["field"] for d in response.json()["detail"]}
    assert fields == {"region", "service_item"}
    assert intake(client, type="wish").status_code == 422
    assert not Case.objects.exists()


def test_public_cannot_use_staff_channels(client, world):
    response = intake(client, channel="hotline")
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "channel"


def test_double_submit_creates_one(client, world, rules):
    first = intake(client, idempotency_key="k-1234567890").json()
    second = intake(client, idempotency_key="k-1234567890").json()
    assert first["number"] == second["number"] and Case.objects.count() == 1


def test_logged_in_intake_needs_csrf(world, rules):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.users.public)
    assert intake(browser).status_code == 403
    assert not Case.objects.exists()
    browser.get("/api/v1/cases/")  # no token cookie from the API; make one like a page would
    from django.middleware.csrf import _get_new_csrf_string

    token = _get_new_csrf_string()
    browser.cookies["csrftoken"] = token
    response = intake(browser, headers={"X-CSRFToken": token})
    assert response.status_code == 201
    assert Case.objects.get().requester_user == world.users.public


def test_handling_over_the_api(client, world, rules):
    case = Case.objects.get(pk=intake(client).json()["id"])
    client.force_login(world.users.staff_a)
    url = f"/api/v1/cases/{case.pk}"
    assert client.post(f"{url}/reply", {"message": "x"}, content_type=JSON).status_code == 409
    response = client.post(f"{url}/accept", {}, content_type=JSON)
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    again = client.post(f"{url}/accept", {}, content_type=JSON)
    assert again.status_code == 409
    assert "cannot become Accepted" in again.json()["detail"][0]["errors"][0]
    assert client.post(f"{url}/decline", {"reason": ""}, content_type=JSON).status_code in (409, 422)
    assert client.post(f"{url}/note", {"note": "内部"}, content_type=JSON).status_code == 200
    response = client.post(f"{url}/request-supplement", {"message": "补充证据"}, content_type=JSON)
    assert response.json()["status"] == "waiting_supplement" and response.json()["paused_at"]
    tracked = Client().post(f"/api/v1/cases/track/{case.tracking_token}/supplement", {"text": "证据如附件"})
    assert tracked.status_code == 200 and tracked.json()["status"] == "accepted"
    assert client.post(f"{url}/reply", {"message": "已处理"}, content_type=JSON).json()["status"] == "replied"
    assert client.post(f"{url}/close", {}, content_type=JSON).json()["status"] == "closed"
    kinds = [e["kind"] for e in client.get(f"{url}/events").json()]
    assert kinds == ["created", "accepted", "note", "supplement_requested", "supplement", "reply", "closed"]


def test_decline_without_reason_is_422(client, world, rules):
    case = Case.objects.get(pk=intake(client).json()["id"])
    client.force_login(world.users.staff_a)
    response = client.post(f"/api/v1/cases/{case.pk}/decline", {"reason": " "}, content_type=JSON)
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "reason"
    case.refresh_from_db()
    assert case.status == Status.NEW


def test_tracking_by_token_and_code(client, world, rules):
    data = intake(client).json()
    case = Case.objects.get(pk=data["id"])
    services.do_note(world.users.staff_a, case, "内部备注不外显")
    tracked = client.get(f"/api/v1/cases/track/{case.tracking_token}").json()
    assert tracked["number"] == case.number and [e["kind"] for e in tracked["events"]] == ["created"]
    assert "内部备注不外显" not in str(tracked)
    found = client.post(
        "/api/v1/cases/track/lookup",
        {"number": case.number.lower(), "code": case.tracking_code},
        content_type=JSON,
    )
    assert found.status_code == 200 and found.json()["tracking_token"] == case.tracking_token
    wrong = client.post(
        "/api/v1/cases/track/lookup", {"number": case.number, "code": "AAAAAAAA"}, content_type=JSON
    )
    assert wrong.status_code == 404
    assert client.get("/api/v1/cases/track/not-a-token").status_code == 404


def test_tracking_code_never_reveals_another_case(client, world, rules):
    one = Case.objects.get(pk=intake(client).json()["id"])
    two = Case.objects.get(pk=intake(client, subject="第二件").json()["id"])
    response = client.post(
        "/api/v1/cases/track/lookup", {"number": one.number, "code": two.tracking_code}, content_type=JSON
    )
    assert response.status_code == 404


def test_guessing_is_rate_limited(client, world, rules, settings):
    settings.ZHICHAN_TRACKING_GUESS_LIMIT = 3
    case = Case.objects.get(pk=intake(client).json()["id"])
    for i in range(3):
        assert client.get(f"/api/v1/cases/track/guess-{i}").status_code == 404
    assert client.get("/api/v1/cases/track/guess-x").status_code == 429
    # Even the right token waits: the guesser cannot tell.
    assert client.get(f"/api/v1/cases/track/{case.tracking_token}").status_code == 429
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.get(f"/api/v1/cases/track/{case.tracking_token}").status_code == 200


def test_guess_limit_holds_across_processes_without_redis(client, world, rules, settings):
    """Each worker process has its own local cache; the count lives in the database instead."""
    from django.core.cache import cache

    from zhichan.core.models import WindowCount

    settings.REDIS_URL = ""
    settings.ZHICHAN_TRACKING_GUESS_LIMIT = 3
    case = Case.objects.get(pk=intake(client).json()["id"])
    for i in range(3):
        cache.clear()  # the next request lands on another process
        assert client.get(f"/api/v1/cases/track/guess-{i}").status_code == 404
    cache.clear()
    assert client.get(f"/api/v1/cases/track/{case.tracking_token}").status_code == 429
    assert (
        client.post(
            "/api/v1/cases/track/lookup",
            {"number": case.number, "code": case.tracking_code},
            content_type=JSON,
        ).status_code
        == 429
    )
    assert WindowCount.objects.get().count == 3
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert other.get(f"/api/v1/cases/track/{case.tracking_token}").status_code == 200


def test_rate_and_reopen_by_token(client, world, rules):
    case = Case.objects.get(pk=intake(client).json()["id"])
    token = case.tracking_token
    assert (
        client.post(
            f"/api/v1/cases/track/{token}/rate", {"level": "satisfied"}, content_type=JSON
        ).status_code
        == 409
    )
    services.do_accept(world.users.staff_a, case)
    services.do_reply(world.users.staff_a, case, "答复")
    response = client.post(
        f"/api/v1/cases/track/{token}/rate", {"level": "dissatisfied", "comment": "慢"}, content_type=JSON
    )
    assert response.status_code == 201 and response.json()["level"] == "dissatisfied"
    response = client.post(f"/api/v1/cases/track/{token}/reopen", {"reason": "未解决"}, content_type=JSON)
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    assert (
        client.post(f"/api/v1/cases/track/{token}/reopen", {"reason": "x"}, content_type=JSON).status_code
        == 409
    )
    assert (
        client.post("/api/v1/cases/track/nope/reopen", {"reason": "x"}, content_type=JSON).status_code == 404
    )


def test_inbox_filters(client, world, rules):
    a1 = Case.objects.get(pk=intake(client).json()["id"])
    a2 = Case.objects.get(pk=intake(client, subject="商标抢注", idempotency_key=None).json()["id"])
    Case.objects.filter(pk=a2.pk).update(deadline=a2.deadline - dt.timedelta(days=30))
    services.do_assign(world.users.agency_admin_a, a1, world.users.staff_a)
    client.force_login(world.users.staff_a)

    def numbers(**params):
        response = client.get("/api/v1/cases/", params)
        assert response.status_code == 200
        return {c["number"] for c in response.json()["items"]}

    assert numbers() == {a1.number, a2.number}
    assert numbers(overdue="true") == {a2.number}
    assert numbers(overdue="false") == {a1.number}
    assert numbers(handler="me") == {a1.number}
    assert numbers(handler="none") == {a2.number}
    assert numbers(q="抢注") == {a2.number}
    assert numbers(q=a1.number) == {a1.number}
    assert numbers(status="accepted") == set()
    assert numbers(type="complaint", region="990102") == {a1.number, a2.number}
    assert numbers(region="990103") == set()
    assert numbers(due_soon="true") == set()
    assert client.get("/api/v1/cases/", {"status": "bogus"}).status_code == 422


def test_bulk_assign_all_or_nothing(client, world, rules):
    ids = [intake(client, subject=f"件{i}").json()["id"] for i in range(3)]
    client.force_login(world.users.agency_admin_a)
    response = client.post(
        "/api/v1/cases/bulk-assign",
        {"case_ids": ids, "handler_id": world.users.staff_a.pk},
        content_type=JSON,
    )
    assert response.status_code == 200 and response.json() == {"assigned": 3}
    assert set(Case.objects.values_list("handler_id", flat=True)) == {world.users.staff_a.pk}
    bad = client.post(
        "/api/v1/cases/bulk-assign",
        {"case_ids": ids, "handler_id": world.users.staff_b.pk},
        content_type=JSON,
    )
    assert bad.status_code == 422
    assert set(Case.objects.values_list("handler_id", flat=True)) == {world.users.staff_a.pk}


def test_attachments_checked_stored_and_guarded(client, world, rules, settings):
    case = Case.objects.get(pk=intake(client).json()["id"])
    client.force_login(world.users.staff_a)
    url = f"/api/v1/cases/{case.pk}/attachments"
    refused = client.post(url, {"files": [SimpleUploadedFile("x.exe", b"MZ\x90\x00evil")]})
    assert refused.status_code == 422 and refused.json()["detail"][0]["field"] == "files"
    assert not CaseAttachment.objects.exists()
    ok = client.post(url, {"files": [SimpleUploadedFile("证据.pdf", PDF)]})
    assert ok.status_code == 201
    internal = client.post(url, {"files": [SimpleUploadedFile("内部.pdf", PDF)], "internal": "true"})
    assert internal.status_code == 201
    public_id, internal_id = ok.json()[0]["id"], internal.json()[0]["id"]
    stored = CaseAttachment.objects.get(pk=public_id)
    assert str(settings.ZHICHAN_CASE_FILES_ROOT) in stored.file.path
    assert str(settings.STATIC_ROOT) not in stored.file.path
    download = client.get(f"{url}/{public_id}")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    # Staff of another county and strangers: not found.
    other = Client()
    other.force_login(world.users.staff_b)
    assert other.get(f"{url}/{public_id}").status_code == 404
    assert Client().get(f"{url}/{public_id}").status_code == 404
    # The requester, by token: the public file only.
    track = f"/api/v1/cases/track/{case.tracking_token}"
    assert [a["id"] for a in Client().get(track).json()["attachments"]] == [public_id]
    assert Client().get(f"{track}/attachments/{public_id}").status_code == 200
    assert Client().get(f"{track}/attachments/{internal_id}").status_code == 404


def test_supervise_over_the_api(client, world, rules):
    case = Case.objects.get(pk=intake(client).json()["id"])
    client.force_login(world.users.county_admin_a)
    url = f"/api/v1/cases/{case.pk}/supervise"
    assert client.post(url, {"note": "督办"}, content_type=JSON).status_code == 409
    Case.objects.filter(pk=case.pk).update(deadline=case.deadline - dt.timedelta(days=30))
    assert client.get("/api/v1/cases/", {"overdue": "true"}).json()["count"] == 1
    response = client.post(url, {"note": "请于今日办结"}, content_type=JSON)
    assert response.status_code == 200 and response.json()["supervised_at"]


def test_satisfaction_endpoint(client, world, rules):
    case = Case.objects.get(pk=intake(client).json()["id"])
    services.do_accept(world.users.staff_a, case)
    services.do_reply(world.users.staff_a, case, "答复")
    services.do_rate(None, case, "basic", token=case.tracking_token)
    client.force_login(world.users.city_admin)
    rows = client.get("/api/v1/cases/satisfaction", {"by": "county"}).json()
    assert rows == [
        {"id": world.county_a.pk, "total": 1, "satisfied": 0, "basic": 1, "dissatisfied": 0, "rate": 100.0}
    ]


def test_fairs_list(client, world):
    from zhichan.fairs.models import Fair

    now = dt.datetime.now(dt.UTC)
    Fair.objects.create(
        name="秋季博览会",
        starts_at=now - dt.timedelta(days=1),
        ends_at=now + dt.timedelta(days=1),
        region=world.county_a,
    )
    Fair.objects.create(
        name="往届博览会",
        starts_at=now - dt.timedelta(days=400),
        ends_at=now - dt.timedelta(days=398),
        region=world.county_a,
    )
    names = [f["name"] for f in client.get("/api/v1/fairs/", {"running": "true"}).json()["items"]]
    assert names == ["秋季博览会"]
