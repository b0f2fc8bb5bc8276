"""Applications for offers: ordinary cases through the intake, owned by the provider."""

import pytest
from django.core.exceptions import ValidationError

from zhichan.agencies.services import do_change_status
from zhichan.cases import services as cases
from zhichan.cases.models import Case, CaseType, RoutingRule
from zhichan.notices.models import Notice
from zhichan.providers import services

pytestmark = pytest.mark.django_db

APPLICATION = {
    "subject": "申请专利检索服务",
    "description": "我公司拟开发新产品，需要检索相关专利。",
    "requester_name": "王经理",
    "requester_phone": "13900000009",
}


def test_application_becomes_a_case_of_the_provider(
    world, provider, offer, django_capture_on_commit_callbacks
):
    # A rule for service applications elsewhere does not take the provider's case.
    RoutingRule.objects.create(case_type=CaseType.SERVICE_APPLICATION, agency=world.city_centre, priority=9)
    with django_capture_on_commit_callbacks(execute=True):
        case = services.do_apply_for_offer(
            world.users.anonymous, offer, region=world.county_a.code, **APPLICATION
        )
    assert case.owner == provider.agency and case.type == CaseType.SERVICE_APPLICATION
    assert case.service_item == offer.item and case.guide_version == offer.item.current
    assert case.events.get().kind == "created"
    assert Notice.objects.filter(recipient=provider.staff, kind="case_new", case_id=case.pk).exists()


def test_generic_intake_of_an_offer_goes_to_the_provider(world, provider, offer):
    case = cases.do_intake(
        None, type=CaseType.SERVICE_APPLICATION, service_item=offer.item.code, **APPLICATION
    )
    assert case.owner == provider.agency


def test_generic_intake_keeps_the_counties_served(world, provider, offer):
    with pytest.raises(ValidationError) as exc:
        cases.do_intake(
            None, type=CaseType.SERVICE_APPLICATION, service_item=offer.item.code, region=world.county_b.code,
            **APPLICATION,
        )  # fmt: skip
    assert world.county_a.name in exc.value.message_dict["region"][0]  # "serves only 甲区"
    assert not Case.objects.exists()


def test_existing_routing_is_unchanged(world, provider, offer):
    RoutingRule.objects.create(case_type=CaseType.SERVICE_APPLICATION, agency=world.centre_b)
    case = cases.do_intake(
        None, type=CaseType.SERVICE_APPLICATION, service_item=world.item.code, **APPLICATION
    )
    assert case.owner == world.centre_b


def test_intake_checks_apply(world, provider, offer):
    with pytest.raises(ValidationError) as exc:
        services.do_apply_for_offer(None, offer, subject="", description="", requester_name="x")
    errors = exc.value.message_dict
    assert {"subject", "description", "requester_phone"} <= set(errors)
    assert not Case.objects.exists()


def test_county_outside_the_offer_is_refused(world, provider, offer):
    with pytest.raises(ValidationError) as exc:
        services.do_apply_for_offer(None, offer, region=world.county_b.code, **APPLICATION)
    assert "This offer serves only" in exc.value.message_dict["region"][0]
    # A park inside a served county is served.
    case = services.do_apply_for_offer(None, offer, region=world.park_a.code, **APPLICATION)
    assert case.region == world.park_a
    with pytest.raises(ValidationError) as exc:
        services.do_apply_for_offer(None, offer, region="nowhere", **APPLICATION)
    assert "region" in exc.value.message_dict


def test_withdrawn_offer_or_stopped_provider_takes_no_application(world, provider, offer):
    services.do_withdraw_offer(provider.admin, offer)
    with pytest.raises(ValidationError) as exc:
        services.do_apply_for_offer(None, offer, **APPLICATION)
    assert "withdrawn" in exc.value.message_dict["service_item"][0]
    services.do_reinstate_offer(provider.admin, offer)
    do_change_status(world.users.county_admin_a, provider.agency, "rectifying", "整改")
    with pytest.raises(ValidationError) as exc:
        cases.do_intake(None, type=CaseType.SERVICE_APPLICATION, service_item=offer.item.code, **APPLICATION)
    assert "not taking applications" in exc.value.message_dict["service_item"][0]
    assert not Case.objects.exists()


def test_double_submission_is_one_case(world, provider, offer):
    first = services.do_apply_for_offer(None, offer, idempotency_key="offer-key-1", **APPLICATION)
    second = services.do_apply_for_offer(None, offer, idempotency_key="offer-key-1", **APPLICATION)
    assert first.pk == second.pk and Case.objects.count() == 1


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("anonymous", False),
        ("public", True),  # the requester
        ("enterprise", False),
        ("staff_a", False),
        ("agency_admin_a", False),
        ("staff_b", False),
        ("county_admin_a", True),
        ("county_admin_b", False),
        ("city_admin", True),
    ],
)
def test_case_access_by_role(client, world, provider, offer, role, sees):
    case = services.do_apply_for_offer(world.users.public, offer, **APPLICATION)
    user = getattr(world.users, role)
    if user.is_authenticated:
        client.force_login(user)
    assert Case.objects.restrict(user).filter(pk=case.pk).exists() == sees
    assert (client.get(f"/api/v1/cases/{case.pk}").status_code == 200) == sees


def test_provider_staff_handle_it_in_the_workspace(client, world, provider, offer):
    case = services.do_apply_for_offer(None, offer, **APPLICATION)
    for user in (provider.staff, provider.admin):
        client.force_login(user)
        assert client.get(f"/cases/{case.pk}/").status_code == 200
        assert case.number in client.get("/cases/").content.decode()
    client.force_login(provider.staff)
    response = client.post(f"/api/v1/cases/{case.pk}/accept", {}, content_type="application/json")
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.status == "accepted" and case.handler == provider.staff


def test_offer_apply_page(client, world, provider, offer):
    page = client.get(f"/providers/offers/{offer.pk}/apply/")
    assert page.status_code == 200
    response = client.post(f"/providers/offers/{offer.pk}/apply/", {"subject": "", "description": "x"})
    assert 'data-testid="error-subject"' in response.content.decode()
    response = client.post(
        f"/providers/offers/{offer.pk}/apply/", {**APPLICATION, "region": "", "idempotency_key": "page-key-1"}
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == case.tracking_path
    assert case.owner == provider.agency
    services.do_withdraw_offer(provider.admin, offer)
    assert client.get(f"/providers/offers/{offer.pk}/apply/").status_code == 404
