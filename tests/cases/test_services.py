import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tests.cases.conftest import file_case
from zhichan.cases import services
from zhichan.cases.models import Case, CaseEvent, Rating, Status
from zhichan.core.errors import TransitionError
from zhichan.core.permissions import PermissionDenied

pytestmark = pytest.mark.django_db


def kinds(case):
    return list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))


def test_intake_numbers_tracks_and_routes(world, case_a, settings):
    assert case_a.owner == world.centre_a
    assert case_a.status == Status.NEW
    year = dt.date.today().year
    assert case_a.number == f"{settings.ZHICHAN_CASE_PREFIX}-{year}-000001"
    assert len(case_a.tracking_token) >= 32 and len(case_a.tracking_code) == 8
    assert not set(case_a.tracking_code) & set("01OIL")
    second = file_case(subject="另一件")
    assert second.number.endswith("-000002")
    assert second.tracking_token != case_a.tracking_token
    assert kinds(case_a) == ["created"]


def test_full_lifecycle_with_events_and_notices(world, case_a, sent):
    staff = world.users.staff_a
    services.do_accept(staff, case_a)
    case_a.refresh_from_db()
    assert case_a.status == Status.ACCEPTED and case_a.handler == staff and case_a.accepted_at
    services.do_note(staff, case_a, "内部备注")
    services.do_request_supplement(staff, case_a, "请补充商标注册证")
    case_a.refresh_from_db()
    assert case_a.status == Status.WAITING_SUPPLEMENT and case_a.paused_at
    services.do_add_supplement(None, case_a, "已补充", token=case_a.tracking_token)
    case_a.refresh_from_db()
    assert case_a.status == Status.ACCEPTED and case_a.paused_at is None
    services.do_reply(staff, case_a, "已责令撤展")
    services.do_close(staff, case_a)
    case_a.refresh_from_db()
    assert case_a.status == Status.CLOSED and case_a.closed_at
    rating = services.do_rate(None, case_a, "satisfied", "很好", token=case_a.tracking_token)
    assert rating.agency == world.centre_a
    assert kinds(case_a) == [
        "created",
        "accepted",
        "note",
        "supplement_requested",
        "supplement",
        "reply",
        "closed",
        "rated",
    ]
    assert not CaseEvent.objects.get(case=case_a, kind="note").public
    told = [(c["kind"], c["to"]) for c in sent]
    requester = [{"email": "", "phone": "13800000000", "name": "张三"}]
    assert ("case_accepted", requester) in told
    assert ("case_replied", requester) in told
    assert ("case_closed", requester) in told
    assert ("case_supplemented", [staff]) in told


def test_second_accept_is_refused_with_a_clear_message(world, case_a):
    services.do_accept(world.users.staff_a, case_a)
    with pytest.raises(TransitionError, match="is Accepted and cannot become Accepted"):
        services.do_accept(world.users.agency_admin_a, case_a)
    assert kinds(case_a).count("accepted") == 1


@pytest.mark.parametrize(
    "status,action",
    [
        (Status.NEW, "reply"),
        (Status.NEW, "close"),
        (Status.ACCEPTED, "decline"),
        (Status.REPLIED, "decline"),
        (Status.REPLIED, "request_supplement"),
        (Status.CLOSED, "reply"),
        (Status.CLOSED, "close"),
        (Status.CLOSED, "request_supplement"),
        (Status.DECLINED, "accept"),
        (Status.DECLINED, "reply"),
        (Status.WAITING_SUPPLEMENT, "reply"),
        (Status.WAITING_SUPPLEMENT, "close"),
        (Status.WAITING_SUPPLEMENT, "accept"),
    ],
)
def test_illegal_transitions_change_nothing(world, case_a, status, action, sent):
    Case.objects.filter(pk=case_a.pk).update(status=status)
    calls = {
        "reply": lambda c: services.do_reply(world.users.staff_a, c, "答复"),
        "close": lambda c: services.do_close(world.users.staff_a, c),
        "decline": lambda c: services.do_decline(world.users.staff_a, c, "理由"),
        "accept": lambda c: services.do_accept(world.users.staff_a, c),
        "request_supplement": lambda c: services.do_request_supplement(world.users.staff_a, c, "补"),
    }
    before = kinds(case_a)
    sent.clear()
    with pytest.raises(TransitionError):
        calls[action](case_a)
    case_a.refresh_from_db()
    assert case_a.status == status
    assert kinds(case_a) == before
    assert sent == []


def test_decline_needs_a_reason(world, case_a):
    with pytest.raises(ValidationError) as err:
        services.do_decline(world.users.staff_a, case_a, "  ")
    assert "reason" in err.value.message_dict
    services.do_decline(world.users.staff_a, case_a, "不属于受理范围")
    case_a.refresh_from_db()
    assert case_a.status == Status.DECLINED and case_a.closed_at


def test_supplement_before_acceptance_returns_to_new(world, case_a):
    services.do_request_supplement(world.users.staff_a, case_a, "材料不全")
    services.do_add_supplement(None, case_a, "补上了", token=case_a.tracking_token)
    case_a.refresh_from_db()
    assert case_a.status == Status.NEW


def test_supplement_only_by_requester(world, case_a):
    services.do_request_supplement(world.users.staff_a, case_a, "材料不全")
    with pytest.raises(PermissionDenied):
        services.do_add_supplement(world.users.staff_a, case_a, "x")
    with pytest.raises(PermissionDenied):
        services.do_add_supplement(None, case_a, "x", token="wrong-token")
    case_a.refresh_from_db()
    assert case_a.status == Status.WAITING_SUPPLEMENT


def test_assign_only_staff_of_the_owner(world, case_a, sent):
    with pytest.raises(ValidationError) as err:
        services.do_assign(world.users.agency_admin_a, case_a, world.users.staff_b)
    assert "handler" in err.value.message_dict
    case_a.refresh_from_db()
    assert case_a.handler is None
    services.do_assign(world.users.agency_admin_a, case_a, world.users.staff_a)
    services.do_assign(world.users.agency_admin_a, case_a, world.users.staff_a)  # no second event
    assert kinds(case_a).count("assigned") == 1
    assert [c["kind"] for c in sent].count("case_assigned") == 1


def test_reopen_once_within_the_days(world, case_a, settings):
    staff = world.users.staff_a
    services.do_accept(staff, case_a)
    services.do_reply(staff, case_a, "答复")
    services.do_close(staff, case_a)
    services.do_reopen(None, case_a, "不满意", token=case_a.tracking_token)
    case_a.refresh_from_db()
    assert case_a.status == Status.ACCEPTED and case_a.reopen_count == 1 and case_a.closed_at is None
    services.do_reply(staff, case_a, "再次答复")
    services.do_close(staff, case_a)
    with pytest.raises(TransitionError, match="already been reopened"):
        services.do_reopen(None, case_a, "还是不满意", token=case_a.tracking_token)
    case_a.refresh_from_db()
    assert case_a.status == Status.CLOSED and case_a.reopen_count == 1


def test_reopen_too_late(world, case_a, settings):
    staff = world.users.staff_a
    services.do_accept(staff, case_a)
    services.do_reply(staff, case_a, "答复")
    services.do_close(staff, case_a)
    from django.utils import timezone

    Case.objects.filter(pk=case_a.pk).update(
        closed_at=timezone.now() - dt.timedelta(days=settings.ZHICHAN_REOPEN_DAYS + 1)
    )
    with pytest.raises(TransitionError, match="within 15 days"):
        services.do_reopen(None, case_a, "不满意", token=case_a.tracking_token)
    case_a.refresh_from_db()
    assert case_a.status == Status.CLOSED


def test_rate_once_and_only_when_finished(world, case_a):
    with pytest.raises(TransitionError, match="once it is replied or closed"):
        services.do_rate(None, case_a, "satisfied", token=case_a.tracking_token)
    services.do_accept(world.users.staff_a, case_a)
    services.do_reply(world.users.staff_a, case_a, "答复")
    with pytest.raises(ValidationError):
        services.do_rate(None, case_a, "great", token=case_a.tracking_token)
    services.do_rate(None, case_a, "dissatisfied", "慢", token=case_a.tracking_token)
    with pytest.raises(TransitionError, match="already been rated"):
        services.do_rate(None, case_a, "satisfied", token=case_a.tracking_token)
    assert Rating.objects.get(case=case_a).level == "dissatisfied"


def test_own_account_requester_acts_without_token(world):
    public = world.users.public
    case = file_case(public, requester_name="", requester_phone="")
    assert case.requester_user == public and case.requester_name == str(public)
    services.do_accept(world.users.city_admin, case)
    services.do_reply(world.users.city_admin, case, "答复")
    services.do_rate(public, case, "basic")
    with pytest.raises(PermissionDenied):
        services.do_rate(world.users.enterprise, case, "basic")


def test_refer_county_to_city_and_back(world, case_a, sent):
    staff = world.users.staff_a
    services.do_accept(staff, case_a)
    services.do_refer(staff, case_a, world.city_centre, "涉及跨区侵权")
    case_a.refresh_from_db()
    assert case_a.owner == world.city_centre and case_a.status == Status.NEW and case_a.handler is None
    event = CaseEvent.objects.get(case=case_a, kind="referred")
    assert event.data == {"from_agency": world.centre_a.pk, "to_agency": world.city_centre.pk, "late": False}
    # The old owner's staff no longer reach it.
    with pytest.raises(PermissionDenied):
        services.do_accept(staff, case_a)
    services.do_refer(world.users.city_admin, case_a, world.centre_b, "属乙县管辖")
    case_a.refresh_from_db()
    assert case_a.owner == world.centre_b
    referred = [c["to"] for c in sent if c["kind"] == "case_referred"]
    assert referred[-1] == [world.users.staff_b, world.users.agency_admin_b]
    assert [e.kind for e in case_a.events.all()].count("referred") == 2


def test_refer_needs_reason_and_operating_agency(world, case_a):
    staff = world.users.staff_a
    with pytest.raises(ValidationError) as err:
        services.do_refer(staff, case_a, world.city_centre, "")
    assert "reason" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        services.do_refer(staff, case_a, world.closed_b, "理由")
    assert "to_agency" in err.value.message_dict
    with pytest.raises(ValidationError):
        services.do_refer(staff, case_a, world.centre_a, "理由")
    case_a.refresh_from_db()
    assert case_a.owner == world.centre_a


def test_supervise_only_overdue_by_admins(world, case_a, sent):
    with pytest.raises(TransitionError, match="not overdue"):
        services.do_supervise(world.users.county_admin_a, case_a, "请加快")
    from django.utils import timezone

    Case.objects.filter(pk=case_a.pk).update(deadline=timezone.now() - dt.timedelta(hours=1))
    with pytest.raises(PermissionDenied):
        services.do_supervise(world.users.staff_a, case_a, "请加快")
    with pytest.raises(PermissionDenied):
        services.do_supervise(world.users.county_admin_b, case_a, "请加快")
    services.do_supervise(world.users.county_admin_a, case_a, "请加快")
    services.do_supervise(world.users.city_admin, case_a, "市级督办")
    levels = [e.data["level"] for e in case_a.events.filter(kind="supervised")]
    assert levels == ["county", "city"]
    case_a.refresh_from_db()
    assert case_a.supervised_at
    assert [c["kind"] for c in sent].count("case_supervised") == 2


def test_rolled_back_action_sends_nothing(world, case_a, sent, monkeypatch):
    sent.clear()

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_event", boom)
    with pytest.raises(RuntimeError):
        services.do_accept(world.users.staff_a, case_a)
    case_a.refresh_from_db()
    assert case_a.status == Status.NEW and case_a.accepted_at is None
    assert sent == []


def test_first_contact_answer_closes_at_once(world):
    case = file_case(
        world.users.staff_a,
        type="consultation",
        subtype="policy",
        channel="hotline",
        first_contact_answer="可以在窗口办理。",
    )
    assert case.status == Status.CLOSED and case.first_contact
    assert kinds(case) == ["created", "reply", "closed"]
    with pytest.raises(PermissionDenied):
        file_case(None, type="consultation", first_contact_answer="x")


def test_satisfaction_figures(world, case_a):
    services.do_accept(world.users.staff_a, case_a)
    services.do_reply(world.users.staff_a, case_a, "答复")
    services.do_rate(None, case_a, "satisfied", token=case_a.tracking_token)
    rows = services.satisfaction(world.users.city_admin, "agency")
    assert rows == [
        {"id": world.centre_a.pk, "total": 1, "satisfied": 1, "basic": 0, "dissatisfied": 0, "rate": 100.0}
    ]
    assert services.satisfaction(world.users.county_admin_b, "agency") == []


def test_fair_measures_are_recorded(world, clock):
    from zhichan.fairs.models import Fair

    fair = Fair.objects.create(
        name="博览会",
        starts_at=clock.now - dt.timedelta(days=1),
        ends_at=clock.now + dt.timedelta(days=2),
        region=world.county_a,
        workstation=world.centre_a,
    )
    case = file_case(type="fair_complaint", fair=fair.pk, region=None)
    assert case.region == world.county_a
    assert case.owner == world.centre_a  # the fair's on-site workstation
    with pytest.raises(TransitionError, match="once the complaint is accepted"):
        services.do_record_measures(world.users.city_admin, case, ["withdrawn"])
    services.do_accept(world.users.city_admin, case)
    with pytest.raises(ValidationError) as err:
        services.do_record_measures(world.users.city_admin, case, ["burnt"])
    assert "measures" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        services.do_record_measures(world.users.city_admin, case, ["other"])
    assert "note" in err.value.message_dict
    event = services.do_record_measures(
        world.users.city_admin, case, ["withdrawn", "links_removed"], "A12展位撤展"
    )
    assert event.public and event.data == {"measures": ["links_removed", "withdrawn"]}
    other = file_case(subject="普通投诉")
    services.do_accept(world.users.city_admin, other)
    with pytest.raises(TransitionError, match="trade-fair complaints only"):
        services.do_record_measures(world.users.city_admin, other, ["withdrawn"])


def test_satisfaction_by_county_counts_parks_for_their_county(world):
    from zhichan.cases.models import RoutingRule

    RoutingRule.objects.create(case_type="report", region=world.park_a, agency=world.outlet_a)
    RoutingRule.objects.create(case_type="report", region=world.county_a, agency=world.centre_a)
    for region, level in (("990102-PARK", "satisfied"), ("990102", "dissatisfied"), ("990102", "basic")):
        case = file_case(type="report", region=region, subject=f"{region}{level}")
        services.do_accept(world.users.city_admin, case)
        services.do_reply(world.users.city_admin, case, "答复")
        services.do_rate(None, case, level, token=case.tracking_token)
    by_county = services.satisfaction(world.users.city_admin, "county")
    assert by_county == [
        {"id": world.county_a.pk, "total": 3, "satisfied": 1, "basic": 1, "dissatisfied": 1, "rate": 66.7}
    ]
    by_agency = {
        row["id"]: row["total"] for row in services.satisfaction(world.users.county_admin_a, "agency")
    }
    assert by_agency == {world.centre_a.pk: 2, world.outlet_a.pk: 1}
