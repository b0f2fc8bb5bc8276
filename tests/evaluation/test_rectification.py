"""Rectification notices: each transition, each refusal (and that nothing is written then), the
agency's lifecycle moving with the notice, overdue flags, and the pages per role."""

import datetime as dt
import threading
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from zhichan.agencies.models import AgencyEvent
from zhichan.core.errors import TransitionError
from zhichan.core.permissions import PermissionDenied
from zhichan.evaluation import rectification as services
from zhichan.evaluation.models import NoticeStatus, RectificationEvent, RectificationNotice
from zhichan.notices.models import Notice


@pytest.fixture(autouse=True)
def _english(english):
    """These tests quote the messages' English wording."""


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def in_days(n):
    return timezone.localdate() + dt.timedelta(days=n)


def issue(world, actor=None, agency=None, **kw):
    fields = {
        "findings": "窗口未按时开放",
        "required_actions": "公示开放时间并按时开放",
        "deadline": in_days(10),
    }
    fields.update(kw)
    return services.do_issue_notice(actor or world.users.county_admin_a, agency or world.centre_a, **fields)


def kinds(notice):
    return list(notice.events.values_list("kind", flat=True))


# --- issuing --------------------------------------------------------------------------------------


def test_issuing_puts_the_agency_under_rectification_and_tells_its_admin(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notice = issue(world, scorecard_run_id=7)
    world.centre_a.refresh_from_db()
    assert world.centre_a.status == "rectifying"
    assert notice.status == NoticeStatus.OPEN and notice.scorecard_run_id == 7
    assert notice.issued_by == world.users.county_admin_a
    assert kinds(notice) == ["issued"]
    status_event = AgencyEvent.objects.filter(agency=world.centre_a, kind="status").get()
    assert (status_event.from_state, status_event.to_state, status_event.note) == (
        "operating",
        "rectifying",
        "窗口未按时开放",
    )
    told = Notice.objects.filter(kind="rectification_issued")
    assert [n.recipient for n in told] == [world.users.agency_admin_a]
    assert told[0].link == reverse("evaluation:rectification_detail", args=[notice.pk])


def test_the_default_deadline_comes_from_the_setting(world, settings):
    settings.ZHICHAN_RECTIFICATION_DAYS = 45
    notice = issue(world, deadline=None)
    assert notice.deadline == in_days(45)


@pytest.mark.parametrize(
    "role", ["anonymous", "public", "enterprise", "staff_a", "agency_admin_a", "county_admin_b"]
)
def test_who_may_not_issue(world, role):
    with pytest.raises(PermissionDenied):
        issue(world, actor=getattr(world.users, role))
    assert not RectificationNotice.objects.exists()
    world.centre_a.refresh_from_db()
    assert world.centre_a.status == "operating"


def test_a_city_admin_issues_anywhere(world):
    notice = issue(world, actor=world.users.city_admin, agency=world.centre_b)
    assert notice.agency == world.centre_b


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"findings": "  "}, "findings"),
        ({"required_actions": ""}, "required_actions"),
        ({"deadline": "2020-01-01"}, "deadline"),
        ({"deadline": "tomorrow"}, "deadline"),
        ({"deadline": timezone.localdate()}, "deadline"),
        ({"scorecard_run_id": "x"}, "scorecard_run_id"),
        ({"findings": "a\x00b"}, "findings"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(world, fields, field):
    with pytest.raises(ValidationError) as caught:
        issue(world, **fields)
    assert field in caught.value.message_dict
    assert not RectificationNotice.objects.exists()
    assert not AgencyEvent.objects.filter(kind="status").exists()


def test_only_an_operating_agency_receives_a_notice(world):
    with pytest.raises(TransitionError):
        issue(world, agency=world.planned_a)
    assert not RectificationNotice.objects.exists()


def test_one_live_notice_per_agency(world):
    issue(world)
    with pytest.raises(ValidationError) as caught:
        issue(world, actor=world.users.city_admin)
    assert "agency" in caught.value.message_dict
    assert RectificationNotice.objects.count() == 1


# --- responding and reviewing ---------------------------------------------------------------------


def test_the_agency_admin_responds_with_files(world, django_capture_on_commit_callbacks):
    notice = issue(world)
    pdf = SimpleUploadedFile("整改报告.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        response = services.do_respond(
            world.users.agency_admin_a, notice, text="已公示并按时开放", files=[pdf]
        )
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.RESPONDED and kinds(notice) == ["issued", "responded"]
    assert response.files.get().original_name == "整改报告.pdf"
    assert Notice.objects.filter(
        kind="rectification_responded", recipient=world.users.county_admin_a
    ).exists()


def test_a_response_that_fails_after_storing_leaves_no_file(world, settings, monkeypatch):
    notice = issue(world)

    def broken(*args, **kwargs):
        raise RuntimeError("the inbox is broken")

    monkeypatch.setattr(services, "_notify", broken)
    pdf = SimpleUploadedFile("整改报告.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    with pytest.raises(RuntimeError):
        services.do_respond(world.users.agency_admin_a, notice, text="已公示", files=[pdf])
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.OPEN
    assert [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()] == []


@pytest.mark.parametrize("role", ["staff_a", "agency_admin_b", "county_admin_a", "city_admin", "public"])
def test_only_the_agency_admin_responds(world, role):
    notice = issue(world)
    with pytest.raises(PermissionDenied):
        services.do_respond(getattr(world.users, role), notice, text="x")
    assert not notice.responses.exists()


def test_a_response_needs_text_and_acceptable_files(world):
    notice = issue(world)
    with pytest.raises(ValidationError) as caught:
        services.do_respond(world.users.agency_admin_a, notice, text=" ")
    assert "text" in caught.value.message_dict
    exe = SimpleUploadedFile("a.pdf", b"MZ\x90\x00" + b"\x00" * 200)
    with pytest.raises(ValidationError) as caught:
        services.do_respond(world.users.agency_admin_a, notice, text="ok", files=[exe])
    assert "files" in caught.value.message_dict
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.OPEN and not notice.responses.exists()


def test_no_second_response_while_one_is_under_review(world):
    notice = issue(world)
    services.do_respond(world.users.agency_admin_a, notice, text="第一次")
    with pytest.raises(TransitionError):
        services.do_respond(world.users.agency_admin_a, notice, text="第二次")
    assert notice.responses.count() == 1


def test_accepting_puts_the_agency_back_in_operation(world):
    notice = issue(world)
    services.do_respond(world.users.agency_admin_a, notice, text="已整改")
    services.do_accept(world.users.county_admin_a, notice, note="整改到位")
    notice.refresh_from_db()
    world.centre_a.refresh_from_db()
    assert notice.status == NoticeStatus.ACCEPTED and notice.closed_at is not None
    assert world.centre_a.status == "operating"
    assert notice.responses.get().decision == "accepted"
    assert kinds(notice) == ["issued", "responded", "accepted"]
    assert list(
        AgencyEvent.objects.filter(agency=world.centre_a, kind="status").values_list("to_state", flat=True)
    ) == [
        "rectifying",
        "operating",
    ]
    # Closed: a new notice may now be issued.
    assert issue(world).status == NoticeStatus.OPEN


def test_nothing_to_accept_before_a_response(world):
    notice = issue(world)
    with pytest.raises(TransitionError):
        services.do_accept(world.users.county_admin_a, notice)
    world.centre_a.refresh_from_db()
    assert world.centre_a.status == "rectifying"


def test_rejecting_sends_the_notice_back_to_the_agency(world):
    notice = issue(world)
    services.do_respond(world.users.agency_admin_a, notice, text="第一次")
    with pytest.raises(ValidationError) as caught:
        services.do_reject(world.users.county_admin_a, notice, note="")
    assert "note" in caught.value.message_dict
    services.do_reject(world.users.county_admin_a, notice, note="证明材料不足")
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.OPEN
    assert notice.responses.get().decision == "rejected"
    services.do_respond(world.users.agency_admin_a, notice, text="补充材料")
    services.do_accept(world.users.city_admin, notice)
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.ACCEPTED
    assert kinds(notice) == ["issued", "responded", "rejected", "responded", "accepted"]


def test_escalating_closes_the_agency(world):
    notice = issue(world)
    services.do_escalate(world.users.county_admin_a, notice, note="逾期未整改")
    notice.refresh_from_db()
    world.centre_a.refresh_from_db()
    assert notice.status == NoticeStatus.ESCALATED and world.centre_a.status == "closed"
    with pytest.raises(TransitionError):
        services.do_escalate(world.users.county_admin_a, notice, note="again")


@pytest.mark.parametrize("role", ["agency_admin_a", "staff_a", "county_admin_b", "public"])
def test_who_may_not_review(world, role):
    notice = issue(world)
    services.do_respond(world.users.agency_admin_a, notice, text="已整改")
    user = getattr(world.users, role)
    for action in (services.do_accept, services.do_reject, services.do_escalate):
        with pytest.raises(PermissionDenied):
            action(user, notice, note="x")
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.RESPONDED


# --- overdue --------------------------------------------------------------------------------------


def test_overdue_notices_tell_the_issuer_once(world):
    notice = issue(world)
    RectificationNotice.objects.filter(pk=notice.pk).update(deadline=in_days(-1))
    closed = issue(world, agency=world.centre_b, actor=world.users.city_admin)
    services.do_escalate(world.users.city_admin, closed, note="关闭")
    RectificationNotice.objects.filter(pk=closed.pk).update(deadline=in_days(-1))
    assert services.flag_overdue() == 1
    assert services.flag_overdue() == 0
    told = Notice.objects.filter(kind="rectification_overdue")
    assert [n.recipient for n in told] == [world.users.county_admin_a]
    notice.refresh_from_db()
    assert notice.is_overdue and notice.overdue_notified_at is not None
    assert "overdue" in kinds(notice)
    assert list(RectificationNotice.objects.overdue()) == [notice]


# --- pages ----------------------------------------------------------------------------------------

ROLES = [
    "public",
    "enterprise",
    "staff_a",
    "agency_admin_a",
    "staff_b",
    "county_admin_a",
    "county_admin_b",
    "city_admin",
]


@pytest.mark.parametrize("role", ["anonymous", *ROLES])
def test_list_and_detail_access(client, world, role):
    notice = issue(world)
    if role != "anonymous":
        client.force_login(getattr(world.users, role))
    listing = client.get(reverse("evaluation:rectification_list"))
    detail = client.get(reverse("evaluation:rectification_detail", args=[notice.pk]))
    if role == "anonymous":
        assert listing.status_code == 302 and detail.status_code == 302
        return
    sees = role in ("staff_a", "agency_admin_a", "county_admin_a", "city_admin")
    assert detail.status_code == (200 if sees else 404)
    if role in ("public", "enterprise"):
        assert listing.status_code == 404
    else:
        assert listing.status_code == 200
        assert (notice.pk in [n.pk for n in listing.context["notices"]]) is sees


def test_issue_page_and_a_double_submission_makes_one_notice(client, world):
    client.force_login(world.users.county_admin_a)
    form = client.get(reverse("evaluation:rectification_create") + f"?agency={world.centre_a.pk}")
    assert form.status_code == 200
    agencies = set(form.context["form"].fields["agency"].queryset)
    assert world.centre_a in agencies and world.centre_b not in agencies and world.planned_a not in agencies
    data = {
        "agency": world.centre_a.pk,
        "findings": "服务记录不全",
        "required_actions": "补全服务台账",
        "deadline": in_days(20).isoformat(),
    }
    first = client.post(reverse("evaluation:rectification_create"), data)
    notice = RectificationNotice.objects.get()
    assert first.status_code == 302 and first["Location"] == reverse(
        "evaluation:rectification_detail", args=[notice.pk]
    )
    second = client.post(reverse("evaluation:rectification_create"), data)
    assert second.status_code == 422
    assert RectificationNotice.objects.count() == 1


def test_issue_page_refusals_land_on_the_fields(client, world):
    client.force_login(world.users.county_admin_a)
    url = reverse("evaluation:rectification_create")
    response = client.post(url, {"agency": world.centre_b.pk, "findings": "", "deadline": "2020-01-01"})
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert {"agency", "findings", "required_actions"} <= set(errors)
    response = client.post(
        url, {"agency": world.centre_a.pk, "findings": "f", "required_actions": "a", "deadline": "2020-01-01"}
    )
    assert response.status_code == 422 and "deadline" in response.context["form"].errors
    assert not RectificationNotice.objects.exists()


@pytest.mark.parametrize("role", ["public", "staff_a", "agency_admin_a"])
def test_issue_page_is_for_administrators(client, world, role):
    client.force_login(getattr(world.users, role))
    assert client.get(reverse("evaluation:rectification_create")).status_code == 404


def test_respond_and_review_through_the_pages(client, world):
    notice = issue(world)
    client.force_login(world.users.staff_a)
    assert (
        client.post(reverse("evaluation:rectification_respond", args=[notice.pk]), {"text": "x"}).status_code
        == 404
    )
    client.force_login(world.users.agency_admin_a)
    page = client.get(reverse("evaluation:rectification_detail", args=[notice.pk]))
    assert page.context["can_respond"] and not page.context["can_review"]
    empty = client.post(reverse("evaluation:rectification_respond", args=[notice.pk]), {"text": ""})
    assert empty.status_code == 422 and "text" in empty.context["respond_form"].errors
    pdf = SimpleUploadedFile("r.pdf", b"%PDF-1.4\n%x\n", content_type="application/pdf")
    done = client.post(
        reverse("evaluation:rectification_respond", args=[notice.pk]), {"text": "已整改", "files": [pdf]}
    )
    assert done.status_code == 302
    stored = notice.responses.get().files.get()
    download = client.get(reverse("evaluation:rectification_file", args=[notice.pk, stored.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    client.force_login(world.users.county_admin_b)
    assert (
        client.get(reverse("evaluation:rectification_file", args=[notice.pk, stored.pk])).status_code == 404
    )
    assert (
        client.post(
            reverse("evaluation:rectification_review", args=[notice.pk]), {"decision": "accept"}
        ).status_code
        == 404
    )
    client.force_login(world.users.county_admin_a)
    refused = client.post(
        reverse("evaluation:rectification_review", args=[notice.pk]), {"decision": "reject", "note": ""}
    )
    assert refused.status_code == 422 and "note" in refused.context["review_form"].errors
    accepted = client.post(
        reverse("evaluation:rectification_review", args=[notice.pk]), {"decision": "accept", "note": "好"}
    )
    assert accepted.status_code == 302
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.ACCEPTED
    again = client.post(reverse("evaluation:rectification_review", args=[notice.pk]), {"decision": "accept"})
    assert again.status_code == 422
    assert RectificationEvent.objects.filter(notice=notice, kind="accepted").count() == 1


def test_the_list_flags_overdue_notices(client, world):
    notice = issue(world)
    RectificationNotice.objects.filter(pk=notice.pk).update(deadline=in_days(-2))
    client.force_login(world.users.city_admin)
    html = client.get(reverse("evaluation:rectification_list") + "?status=overdue").content.decode()
    assert 'data-overdue="1"' in html
    html = client.get(reverse("evaluation:rectification_list") + "?status=accepted").content.decode()
    assert 'data-testid="rectification-row"' not in html


# --- at the same moment ---------------------------------------------------------------------------


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite: writers are serialized, so two submissions cannot interleave",
)
@pytest.mark.django_db(transaction=True)
def test_a_double_submission_at_once_makes_one_notice(world):
    barrier = threading.Barrier(2, timeout=30)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(issue(world))
        except ValidationError as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 1 and len(errors) == 1
    assert RectificationNotice.objects.count() == 1
    assert AgencyEvent.objects.filter(agency=world.centre_a, kind="status").count() == 1
