"""Rectification notices over the API: reads and each action per role, refusals naming the field
(and writing nothing), and a double submission of "issue" making one notice."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from zhichan.agencies.models import AgencyEvent
from zhichan.evaluation import rectification as services
from zhichan.evaluation.models import NoticeStatus, RectificationEvent, RectificationNotice

pytestmark = pytest.mark.django_db

BASE = "/api/v1/evaluation/rectification-notices"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def in_days(n):
    return timezone.localdate() + dt.timedelta(days=n)


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def login(client, world, role):
    if role != "anonymous":
        client.force_login(getattr(world.users, role))


def issue(world, actor=None, agency=None):
    return services.do_issue_notice(
        actor or world.users.county_admin_a,
        agency or world.centre_a,
        findings="窗口未按时开放",
        required_actions="公示开放时间并按时开放",
        deadline=in_days(10),
    )


def payload(world, **overrides):
    data = {
        "agency_id": world.centre_a.pk,
        "findings": "服务记录不全",
        "required_actions": "补全服务台账",
        "deadline": in_days(20).isoformat(),
    }
    data.update(overrides)
    return data


def fields(response):
    return {row["field"] for row in response.json()["detail"]}


# --- reading ---------------------------------------------------------------------------------------

# role: (may list and read the notice to centre A)
READERS = {
    "city_admin": True,
    "county_admin_a": True,
    "county_admin_b": False,
    "agency_admin_a": True,
    "staff_a": True,
    "staff_b": False,
    "public": False,
}


@pytest.mark.parametrize("role", ["anonymous", *READERS])
def test_list_and_detail_per_role(client, world, role):
    notice = issue(world)
    login(client, world, role)
    listing = client.get(BASE)
    detail = client.get(f"{BASE}/{notice.pk}")
    if role == "anonymous":
        assert listing.status_code == 401 and detail.status_code == 401
        return
    sees = READERS[role]
    assert detail.status_code == (200 if sees else 404)
    if role == "public":
        assert listing.status_code == 404
        return
    assert listing.status_code == 200
    assert [n["id"] for n in listing.json()["items"]] == ([notice.pk] if sees else [])
    if sees:
        body = detail.json()
        assert body["agency_id"] == world.centre_a.pk and body["status"] == "open"
        assert [e["kind"] for e in body["events"]] == ["issued"] and body["responses"] == []


def test_list_filters_and_refuses_an_unknown_status(client, world):
    notice = issue(world)
    RectificationNotice.objects.filter(pk=notice.pk).update(deadline=in_days(-1))
    client.force_login(world.users.city_admin)
    assert [n["id"] for n in client.get(f"{BASE}?overdue=true").json()["items"]] == [notice.pk]
    assert client.get(f"{BASE}?status=accepted").json()["items"] == []
    assert client.get(f"{BASE}?agency_id={world.centre_b.pk}").json()["items"] == []
    refused = client.get(f"{BASE}?status=nope")
    assert refused.status_code == 422 and fields(refused) == {"status"}


# --- issuing ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, status",
    [
        ("city_admin", 201),
        ("county_admin_a", 201),
        ("county_admin_b", 404),
        ("agency_admin_a", 404),
        ("staff_b", 404),
        ("public", 404),
        ("anonymous", 401),
    ],
)
def test_who_may_issue(client, world, role, status):
    login(client, world, role)
    response = post(client, BASE, payload(world))
    assert response.status_code == status
    if status == 201:
        body = response.json()
        assert body["status"] == "open" and body["events"][0]["kind"] == "issued"
        world.centre_a.refresh_from_db()
        assert world.centre_a.status == "rectifying"
    else:
        assert not RectificationNotice.objects.exists()
        assert not AgencyEvent.objects.filter(agency=world.centre_a, kind="status").exists()


def test_a_double_submission_of_issue_makes_one_notice(client, world):
    client.force_login(world.users.county_admin_a)
    first = post(client, BASE, payload(world, submission_key="issue-once-1"))
    again = post(client, BASE, payload(world, submission_key="issue-once-1"))
    assert first.status_code == 201 and again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert RectificationNotice.objects.count() == 1
    assert RectificationEvent.objects.filter(kind="issued").count() == 1
    # Without the key a second notice to the same agency is refused, naming the agency.
    other = post(client, BASE, payload(world))
    assert other.status_code == 422 and fields(other) == {"agency"}
    assert RectificationNotice.objects.count() == 1


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"findings": ""}, "findings"),
        ({"required_actions": "   "}, "required_actions"),
        ({"deadline": "2020-01-01"}, "deadline"),
        ({"deadline": "soon"}, "deadline"),
        ({"agency_id": 999999}, "agency_id"),
        ({"agency_id": "x"}, "agency_id"),
        ({"scorecard_run_id": 0}, "scorecard_run_id"),
        ({"findings": "x" * (services.TEXT_MAX + 1)}, "findings"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(client, world, overrides, field):
    client.force_login(world.users.city_admin)
    response = post(client, BASE, payload(world, **overrides))
    assert response.status_code == 422
    assert field in fields(response)
    assert not RectificationNotice.objects.exists()


def test_a_planned_agency_cannot_be_put_under_rectification(client, world):
    client.force_login(world.users.city_admin)
    response = post(client, BASE, payload(world, agency_id=world.planned_a.pk))
    assert response.status_code == 409 and fields(response) == {"status"}
    assert not RectificationNotice.objects.exists()


# --- responding and reviewing ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, status",
    [
        ("agency_admin_a", 200),
        ("staff_a", 404),
        ("county_admin_a", 404),
        ("city_admin", 404),
        ("agency_admin_b", 404),
        ("public", 404),
        ("anonymous", 401),
    ],
)
def test_who_may_respond(client, world, role, status):
    notice = issue(world)
    login(client, world, role)
    response = client.post(f"{BASE}/{notice.pk}/respond", {"text": "已整改"})
    assert response.status_code == status
    notice.refresh_from_db()
    assert notice.status == (NoticeStatus.RESPONDED if status == 200 else NoticeStatus.OPEN)
    assert notice.responses.count() == (1 if status == 200 else 0)


def test_the_agency_admin_responds_with_a_file(client, world):
    notice = issue(world)
    client.force_login(world.users.agency_admin_a)
    empty = client.post(f"{BASE}/{notice.pk}/respond", {"text": ""})
    assert empty.status_code == 422 and fields(empty) == {"text"}
    pdf = SimpleUploadedFile("r.pdf", b"%PDF-1.4\n%x\n", content_type="application/pdf")
    done = client.post(f"{BASE}/{notice.pk}/respond", {"text": "已整改", "files": [pdf]})
    assert done.status_code == 200
    body = done.json()
    assert body["status"] == "responded"
    [response] = body["responses"]
    assert response["text"] == "已整改" and response["decision"] == "pending"
    assert [f["name"] for f in response["files"]] == ["r.pdf"]
    assert client.get(response["files"][0]["url"]).status_code == 200
    again = client.post(f"{BASE}/{notice.pk}/respond", {"text": "再次"})
    assert again.status_code == 409 and notice.responses.count() == 1


@pytest.mark.parametrize("action", ["accept", "reject", "escalate"])
@pytest.mark.parametrize("role", ["county_admin_b", "agency_admin_a", "staff_b", "public", "anonymous"])
def test_who_may_not_review(client, world, action, role):
    notice = issue(world)
    services.do_respond(world.users.agency_admin_a, notice, text="已整改")
    login(client, world, role)
    response = post(client, f"{BASE}/{notice.pk}/{action}", {"note": "理由"})
    assert response.status_code == (401 if role == "anonymous" else 404)
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.RESPONDED
    assert not notice.events.exclude(kind__in=["issued", "responded"]).exists()


def test_reject_then_accept(client, world):
    notice = issue(world)
    client.force_login(world.users.county_admin_a)
    early = post(client, f"{BASE}/{notice.pk}/accept")
    assert early.status_code == 409 and fields(early) == {"status"}
    services.do_respond(world.users.agency_admin_a, notice, text="已整改")
    no_reason = post(client, f"{BASE}/{notice.pk}/reject", {"note": ""})
    assert no_reason.status_code == 422 and fields(no_reason) == {"note"}
    rejected = post(client, f"{BASE}/{notice.pk}/reject", {"note": "台账仍不全"})
    assert rejected.status_code == 200 and rejected.json()["status"] == "open"
    assert rejected.json()["responses"][0]["decision"] == "rejected"
    services.do_respond(world.users.agency_admin_a, notice, text="已补全")
    client.force_login(world.users.city_admin)  # any administrator of the agency's region reviews
    accepted = post(client, f"{BASE}/{notice.pk}/accept", {"note": "好"})
    assert accepted.status_code == 200
    body = accepted.json()
    assert body["status"] == "accepted" and body["closed_at"]
    assert [e["kind"] for e in body["events"]] == ["issued", "responded", "rejected", "responded", "accepted"]
    world.centre_a.refresh_from_db()
    assert world.centre_a.status == "operating"


def test_escalate_closes_the_agency(client, world):
    notice = issue(world)
    client.force_login(world.users.county_admin_a)
    no_reason = post(client, f"{BASE}/{notice.pk}/escalate", {})
    assert no_reason.status_code == 422 and fields(no_reason) == {"note"}
    done = post(client, f"{BASE}/{notice.pk}/escalate", {"note": "逾期未整改"})
    assert done.status_code == 200 and done.json()["status"] == "escalated"
    world.centre_a.refresh_from_db()
    assert world.centre_a.status == "closed"
    twice = post(client, f"{BASE}/{notice.pk}/escalate", {"note": "再次"})
    assert twice.status_code == 409
    assert RectificationEvent.objects.filter(notice=notice, kind="escalated").count() == 1


def test_the_issue_page_honours_the_submission_key(client, world):
    from django.urls import reverse

    client.force_login(world.users.county_admin_a)
    url = reverse("evaluation:rectification_create")
    key = client.get(url).context["form"].initial["submission_key"]
    data = {**payload(world), "agency": world.centre_a.pk, "submission_key": key}
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert RectificationNotice.objects.count() == 1
