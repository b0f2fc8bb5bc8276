"""IP insurance policies and claims; an enterprise's valuation application as a service case."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import AgencyFactory, ServiceItemFactory, publish_item
from zhichan.agencies.models import AgencyType
from zhichan.cases import services as case_services
from zhichan.cases.models import CaseType, RoutingRule
from zhichan.core.errors import TransitionError
from zhichan.core.permissions import VIEW, PermissionDenied
from zhichan.finance import services, stats
from zhichan.finance.models import Claim, ClaimEvent, InsurancePolicy

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def policy_of(world, fin, **overrides):
    args = {
        "insurer": fin.insurer,
        "enterprise": fin.firm,
        "policy_number": "PICC-2026-0001",
        "kind": "enforcement",
        "patents": [fin.p1],
        "sum_insured": Decimal("500000"),
        "premium": Decimal("12000"),
        "starts_on": dt.date.today() - dt.timedelta(days=30),
        "ends_on": dt.date.today() + dt.timedelta(days=335),
    }
    args.update(overrides)
    return services.do_create_policy(fin.users.insurer, **args)


def test_policy_and_claim_workflow(world, fin):
    policy = policy_of(world, fin)
    claim = services.do_file_claim(
        world.users.enterprise, policy, amount_claimed="80000", description="维权律师费"
    )
    assert claim.status == "filed"
    with pytest.raises(TransitionError):
        services.do_pay_claim(fin.users.insurer, claim, amount_paid="1")
    services.do_review_claim(fin.users.insurer, claim)
    with pytest.raises(ValidationError) as exc:
        services.do_pay_claim(fin.users.insurer, claim, amount_paid="90000")
    assert "amount_paid" in exc.value.message_dict
    services.do_pay_claim(fin.users.insurer, claim, amount_paid="60000", outcome="部分赔付")
    claim.refresh_from_db()
    assert claim.status == "paid" and claim.amount_paid == Decimal("60000")
    assert list(ClaimEvent.objects.filter(claim=claim).values_list("to_state", flat=True)) == [
        "filed",
        "under_review",
        "paid",
    ]
    figures = stats.insurance(world.users.city_admin)
    assert figures["policies"] == 1 and figures["claims"] == 1
    assert figures["by_status"][0]["paid"] == Decimal("60000")


def test_policy_refusals_and_access(world, fin):
    with pytest.raises(PermissionDenied):
        policy_of(world, fin, insurer=fin.bank_a)  # the insurer's staff, not another institution's
    with pytest.raises(ValidationError) as exc:
        policy_of(
            world,
            fin,
            premium="600000",
            ends_on=dt.date.today() - dt.timedelta(days=60),
            kind="x",
            patents=[fin.foreign],
        )
    assert {"premium", "ends_on", "kind", "patents"} <= set(exc.value.message_dict)
    assert not InsurancePolicy.objects.exists()
    policy = policy_of(world, fin)
    with pytest.raises(ValidationError) as exc:
        policy_of(world, fin)
    assert "policy_number" in exc.value.message_dict
    for user, sees in (
        (fin.users.insurer, True),
        (world.users.enterprise, True),
        (world.users.county_admin_a, True),
        (world.users.county_admin_b, False),
        (fin.users.bank_a, False),
        (world.users.public, False),
        (world.users.city_admin, True),
    ):
        assert InsurancePolicy.objects.restrict(user, VIEW).filter(pk=policy.pk).exists() is sees, user
    with pytest.raises(PermissionDenied):
        services.do_file_claim(world.users.county_admin_a, policy, amount_claimed=1, description="x")
    with pytest.raises(ValidationError) as exc:
        services.do_file_claim(world.users.enterprise, policy, amount_claimed="900000", description="")
    assert {"amount_claimed", "description"} <= set(exc.value.message_dict)
    claim = services.do_file_claim(fin.users.insurer, policy, amount_claimed=1000, description="x")
    with pytest.raises(PermissionDenied):
        services.do_review_claim(world.users.enterprise, claim)
    with pytest.raises(ValidationError):
        services.do_reject_claim(fin.users.insurer, claim, outcome="")
    assert Claim.objects.get().status == "filed"


@pytest.fixture
def valuation_item(world, settings, tmp_path):
    """The valuation catalogue item and a rule routing its applications to a valuation agency."""
    settings.ZHICHAN_CASE_FILES_ROOT = tmp_path / "case-files"
    from django.utils.functional import empty

    from zhichan.cases.models import case_files

    case_files._wrapped = empty
    item = ServiceItemFactory(code="VALUATION", name="知识产权价值评估咨询")
    publish_item(item)
    appraiser = AgencyFactory(name="测试评估机构", type=AgencyType.MARKET_PROVIDER, region=world.county_a)
    RoutingRule.objects.create(case_type=CaseType.SERVICE_APPLICATION, service_item=item, agency=appraiser)
    yield appraiser
    case_files._wrapped = empty


def test_valuation_application_is_a_routed_case_and_gets_the_report(world, fin, valuation_item):
    case = services.do_apply_for_valuation(world.users.enterprise, patents=[fin.p1], purpose="质押融资")
    assert case.type == "service_application" and case.service_item.code == "VALUATION"
    assert case.owner == valuation_item and case.requester_user == world.users.enterprise
    assert fin.p1.application_number in case.description
    assert list(services.valuation_cases(world.users.enterprise)) == [case]
    # The agency attaches the finished report with the case's own attachment mechanism.
    staff = type(world.users.staff_a).objects.create_user(
        username="appraiser", password="x", role="agency_staff", agency=valuation_item
    )
    case_services.do_attach(staff, case, [SimpleUploadedFile("评估报告.pdf", PDF)])
    assert case.attachments.get().original_name == "评估报告.pdf"
    with pytest.raises(ValidationError):
        services.do_apply_for_valuation(world.users.enterprise, patents=[fin.foreign], purpose="x")
    with pytest.raises(PermissionDenied):
        services.do_apply_for_valuation(world.users.public, patents=[fin.p1], purpose="x")


def test_a_claim_sent_twice_is_filed_once(world, fin):
    policy = policy_of(world, fin)
    args = {"amount_claimed": "80000", "description": "维权律师费", "submission_key": "claim-1"}
    first = services.do_file_claim(world.users.enterprise, policy, **args)
    again = services.do_file_claim(world.users.enterprise, policy, **args)
    assert again.pk == first.pk
    assert policy.claims.count() == 1 and ClaimEvent.objects.filter(claim=first).count() == 1
