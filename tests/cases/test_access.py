"""Who sees and handles which case; forbidden answers like missing, and a refused change does not happen."""

import pytest

from tests.cases.conftest import file_case
from zhichan.cases import services
from zhichan.cases.models import Case, CaseEvent, Status
from zhichan.core.permissions import CHANGE, VIEW, PermissionDenied

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(world):
    from zhichan.cases.models import RoutingRule

    RoutingRule.objects.create(case_type="complaint", region=world.county_a, agency=world.centre_a)
    RoutingRule.objects.create(case_type="complaint", region=world.park_a, agency=world.outlet_a)
    RoutingRule.objects.create(case_type="complaint", region=world.county_b, agency=world.centre_b)
    return {
        "a": file_case(world.users.public, region="990102"),
        "park": file_case(region="990102-PARK"),
        "b": file_case(world.users.enterprise, region="990103"),
        "city": file_case(type="mediation", region=None),
    }


def visible(user, cases, action=VIEW):
    found = set(Case.objects.restrict(user, action).values_list("pk", flat=True))
    return {name for name, case in cases.items() if case.pk in found}


EXPECTED_VIEW = {
    "anonymous": set(),
    "public": {"a"},
    "enterprise": {"b"},
    "staff_a": {"a"},
    "agency_admin_a": {"a", "park"},
    "staff_b": {"b"},
    "agency_admin_b": {"b"},
    "county_admin_a": {"a", "park"},
    "county_admin_b": {"b"},
    "city_admin": {"a", "park", "b", "city"},
}
EXPECTED_CHANGE = {**EXPECTED_VIEW, "public": set(), "enterprise": set()}


@pytest.mark.parametrize("role", sorted(EXPECTED_VIEW))
def test_visibility_by_role(world, cases, role):
    user = getattr(world.users, role)
    assert cases["park"].owner == world.outlet_a and cases["city"].owner == world.city_centre
    assert visible(user, cases) == EXPECTED_VIEW[role]
    assert visible(user, cases, CHANGE) == EXPECTED_CHANGE[role]


@pytest.mark.parametrize("role", ["staff_b", "agency_admin_b", "county_admin_b", "public", "enterprise"])
def test_others_cannot_handle_and_nothing_changes(world, cases, role):
    user = getattr(world.users, role)
    case = cases["a"]
    before = CaseEvent.objects.filter(case=case).count()
    for call in (
        lambda: services.do_accept(user, case),
        lambda: services.do_decline(user, case, "理由"),
        lambda: services.do_note(user, case, "备注"),
        lambda: services.do_request_supplement(user, case, "补"),
        lambda: services.do_refer(user, case, world.centre_b, "理由"),
        lambda: services.do_assign(user, case, world.users.staff_a),
    ):
        with pytest.raises(PermissionDenied):
            call()
    case.refresh_from_db()
    assert case.status == Status.NEW and case.owner == world.centre_a and case.handler is None
    assert CaseEvent.objects.filter(case=case).count() == before


@pytest.mark.parametrize(
    "role,status",
    [
        ("anonymous", 404),
        ("public", 200),
        ("enterprise", 404),
        ("staff_a", 200),
        ("staff_b", 404),
        ("agency_admin_b", 404),
        ("county_admin_a", 200),
        ("county_admin_b", 404),
        ("city_admin", 200),
    ],
)
def test_api_get_by_role(client, world, cases, role, status):
    user = getattr(world.users, role)
    if user.is_authenticated:
        client.force_login(user)
    case = cases["a"]
    assert client.get(f"/api/v1/cases/{case.pk}").status_code == status
    assert client.get(f"/api/v1/cases/{case.pk}/events").status_code == status
    listed = [c["number"] for c in client.get("/api/v1/cases/").json()["items"]]
    assert (case.number in listed) == (status == 200)


@pytest.mark.parametrize("role", ["staff_b", "county_admin_b", "public", "enterprise"])
def test_api_actions_of_others_are_404(client, world, cases, role):
    client.force_login(getattr(world.users, role))
    case = cases["a"]
    for action, body in (
        ("accept", {}),
        ("decline", {"reason": "x"}),
        ("note", {"note": "x"}),
        ("refer", {"to_agency_id": world.centre_b.pk, "reason": "x"}),
        ("supervise", {"note": "x"}),
    ):
        response = client.post(f"/api/v1/cases/{case.pk}/{action}", body, content_type="application/json")
        assert response.status_code == 404, action
    case.refresh_from_db()
    assert case.status == Status.NEW and case.owner == world.centre_a


def test_requester_sees_only_public_events(client, world, cases):
    case = cases["a"]
    services.do_note(world.users.staff_a, case, "内部：此人多次投诉")
    client.force_login(world.users.public)
    kinds = [e["kind"] for e in client.get(f"/api/v1/cases/{case.pk}/events").json()]
    assert kinds == ["created"]
    client.force_login(world.users.staff_a)
    kinds = [e["kind"] for e in client.get(f"/api/v1/cases/{case.pk}/events").json()]
    assert kinds == ["created", "note"]
