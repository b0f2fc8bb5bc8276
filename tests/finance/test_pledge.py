"""Pledge financing: application, guarded transitions with events, refusals, double pledge, access."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from tests.finance.conftest import apply, approved
from zhichan.core.errors import TransitionError
from zhichan.core.permissions import CHANGE, VIEW, PermissionDenied
from zhichan.finance import services
from zhichan.finance.models import (
    LoanProduct,
    Pledge,
    PledgeApplication,
    PledgeApplicationEvent,
    PledgeEvent,
)


def refused(call, *args, **kwargs):
    with pytest.raises(ValidationError) as exc:
        call(*args, **kwargs)
    return exc.value.message_dict


def test_the_whole_way_to_a_registered_pledge(world, fin):
    application = apply(world, fin, trademarks=[fin.mark])
    assert application.institution == fin.bank_a and application.status == "submitted"
    services.do_start_review(fin.users.bank_a, application)
    services.do_approve(fin.users.bank_a_admin, application, "同意放款")
    pledge = services.do_register_pledge(
        fin.users.bank_a, application, registration_number="Y2026990000001", registered_on="2026-01-05"
    )
    application.refresh_from_db()
    assert application.status == "registered" and application.decision_note == "同意放款"
    assert pledge.pledgor == fin.firm and pledge.pledgee == fin.bank_a and pledge.status == "in_force"
    assert set(pledge.patents.all()) == {fin.p1} and set(pledge.trademarks.all()) == {fin.mark}
    kinds = list(
        PledgeApplicationEvent.objects.filter(application=application).values_list("kind", "to_state")
    )
    assert kinds == [
        ("submitted", "submitted"),
        ("review", "under_review"),
        ("approved", "approved"),
        ("registered", "registered"),
    ]
    assert (
        services.under_pledge(fin.p1)
        and services.under_pledge(fin.mark)
        and not services.under_pledge(fin.p2)
    )
    services.do_release_pledge(fin.users.bank_a, pledge, "还款完毕")
    assert not services.under_pledge(fin.p1)
    assert list(PledgeEvent.objects.filter(pledge=pledge).values_list("kind", flat=True)) == [
        "registered",
        "released",
    ]
    with pytest.raises(TransitionError):
        services.do_mark_defaulted(fin.users.bank_a, pledge)


def test_illegal_moves_are_refused_and_write_nothing(world, fin):
    application = apply(world, fin)
    with pytest.raises(TransitionError, match="cannot become Approved"):
        services.do_approve(fin.users.bank_a, application)
    with pytest.raises(TransitionError):
        services.do_register_pledge(fin.users.bank_a, application, registration_number="X1")
    assert PledgeApplicationEvent.objects.filter(application=application).count() == 1
    assert not Pledge.objects.exists()
    errors = refused(services.do_reject, fin.users.bank_a, application, "")
    assert "note" in errors
    services.do_reject(fin.users.bank_a, application, "材料不全")
    with pytest.raises(TransitionError):
        services.do_start_review(fin.users.bank_a, application)


@pytest.mark.parametrize(
    ("overrides", "field", "text"),
    [
        ({"amount": Decimal("50000")}, "amount", "between 100,000"),
        ({"amount": Decimal("-1")}, "amount", "more than 0"),
        ({"term_months": 48}, "term_months", "12 to 36 months"),
        ({"patents": []}, "patents", "at least one"),
        ({"purpose": ""}, "purpose", "required"),
    ],
)
def test_application_refusals_name_the_field(world, fin, overrides, field, text):
    errors = refused(apply, world, fin, **overrides)
    assert field in errors and text in " ".join(errors[field])
    assert not PledgeApplication.objects.exists()


def test_lapsed_foreign_and_unserved(world, fin):
    errors = refused(apply, world, fin, patents=[fin.lapsed])
    assert "Not in force" in errors["patents"][0]
    errors = refused(apply, world, fin, patents=[fin.foreign])
    assert "Not in the enterprise's portfolio" in errors["patents"][0]
    # Bank B's product serves county B only and takes no trademarks.
    errors = refused(
        apply, world, fin, product=fin.product_b, amount=Decimal("500000"), trademarks=[fin.mark]
    )
    assert any("county" in e for e in errors["product"]) and any("Trademark" in e for e in errors["product"])
    type(fin.bank_a).objects.filter(pk=fin.bank_a.pk).update(status="rectifying")
    fin.product.institution.refresh_from_db()
    assert "does not take applications" in refused(apply, world, fin)["product"][0]
    type(fin.bank_a).objects.filter(pk=fin.bank_a.pk).update(status="operating")
    fin.product.institution.refresh_from_db()
    unpublished = LoanProduct.objects.filter(pk=fin.product.pk)
    unpublished.update(published=False)
    assert "product" in refused(apply, world, fin)
    assert not PledgeApplication.objects.exists()


def test_only_an_enterprise_user_applies(world, fin):
    for user in (world.users.public, fin.users.bank_a, world.users.city_admin):
        with pytest.raises(PermissionDenied):
            services.do_apply(
                user, product=fin.product, patents=[fin.p1], amount=1000000, term_months=24, purpose="x"
            )


def test_double_pledge_is_refused_at_application_and_registration(world, fin):
    first = approved(world, fin)
    second = approved(world, fin, patents=[fin.p1, fin.p2])  # both wait; neither is pledged yet
    services.do_register_pledge(fin.users.bank_a, first, registration_number="Y1")
    errors = refused(services.do_register_pledge, fin.users.bank_a, second, registration_number="Y2")
    assert "Already under a pledge in force: " + fin.p1.application_number in errors["patents"]
    second.refresh_from_db()
    assert second.status == "approved" and Pledge.objects.count() == 1
    errors = refused(apply, world, fin, patents=[fin.p1])
    assert "Already under a pledge" in errors["patents"][0]
    errors = refused(
        services.do_register_pledge,
        fin.users.bank_a,
        approved(world, fin, patents=[fin.p2]),
        registration_number="Y1",
    )
    assert "registration_number" in errors


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_two_registrations_of_the_same_right_at_once_one_wins():
    from tests.factories import make_world
    from tests.finance.conftest import make_fin

    world = make_world()
    data = make_fin(world)
    apps = [approved(world, data), approved(world, data)]
    outcomes = []
    barrier = threading.Barrier(2)

    def register(application, number):
        from django.db import connections
        from django.utils import translation

        translation.activate("en")
        try:
            barrier.wait()
            services.do_register_pledge(data.users.bank_a, application, registration_number=number)
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(" ".join(exc.messages))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=register, args=(a, f"Y{i}")) for i, a in enumerate(apps)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 1, outcomes
    assert "Already under a pledge" in [o for o in outcomes if o != "ok"][0]
    assert Pledge.objects.count() == 1


def test_access_by_every_role(world, fin):
    mine = apply(world, fin)
    # An application of the county-B enterprise to bank B.
    from tests.factories import UserFactory
    from zhichan.accounts.models import Role

    b_user = UserFactory(username="b_ent", role=Role.ENTERPRISE, enterprise=fin.other)
    theirs = services.do_apply(
        b_user, product=fin.product_b, patents=[fin.foreign], amount=500000, term_months=12, purpose="x"
    )
    visible = {
        "anonymous": set(),
        "public": set(),
        "enterprise": {mine.pk},
        "staff_a": set(),
        "county_admin_a": {mine.pk},
        "county_admin_b": {theirs.pk},
        "city_admin": {mine.pk, theirs.pk},
    }
    for name, expected in visible.items():
        user = getattr(world.users, name)
        assert set(PledgeApplication.objects.restrict(user, VIEW).values_list("pk", flat=True)) == expected, (
            name
        )
    assert set(PledgeApplication.objects.restrict(fin.users.bank_a, VIEW).values_list("pk", flat=True)) == {
        mine.pk
    }
    assert set(PledgeApplication.objects.restrict(fin.users.bank_b, VIEW).values_list("pk", flat=True)) == {
        theirs.pk
    }
    assert set(PledgeApplication.objects.restrict(b_user, VIEW).values_list("pk", flat=True)) == {theirs.pk}
    # Changes: the institution's staff and the city only.
    assert not PledgeApplication.objects.restrict(world.users.enterprise, CHANGE).exists()
    assert not PledgeApplication.objects.restrict(world.users.county_admin_a, CHANGE).exists()
    for user in (fin.users.bank_b, world.users.enterprise, world.users.county_admin_a, world.users.staff_a):
        with pytest.raises(PermissionDenied):
            services.do_start_review(user, mine)
    mine.refresh_from_db()
    assert mine.status == "submitted"
    services.do_start_review(world.users.city_admin, mine)


def test_products_are_managed_by_their_institution(world, fin):
    with pytest.raises(PermissionDenied):
        services.do_save_product(fin.users.bank_b, fin.product, name="x")
    with pytest.raises(PermissionDenied):
        services.do_save_product(world.users.staff_a, institution=world.centre_a, name="x")
    errors = refused(
        services.do_save_product,
        fin.users.bank_a,
        fin.product,
        name="",
        amount_min="10",
        amount_max="5",
        term_min_months=0,
        term_max_months=12,
        rate_min="150",
        rate_max="4",
        ip_types=["copyright"],
    )
    assert {"name", "amount_max", "term_min_months", "rate_min", "ip_types"} <= set(errors)
    draft = services.do_save_product(
        fin.users.bank_a,
        institution=fin.bank_a,
        name="草稿",
        amount_min=1,
        amount_max=2,
        term_min_months=1,
        term_max_months=2,
        rate_min=1,
        rate_max=2,
        ip_types=["patent"],
        published=False,
    )
    assert draft in LoanProduct.objects.restrict(fin.users.bank_a, VIEW)
    assert draft not in LoanProduct.objects.restrict(fin.users.bank_b, VIEW)
    assert draft not in LoanProduct.objects.restrict(world.users.anonymous, VIEW)


def test_matching_products(world, fin):
    found = services.matching_products(
        fin.firm, amount=Decimal("500000"), term_months=12, ip_types={"patent"}
    )
    assert found == [fin.product]  # bank B serves county B only
    found = services.matching_products(
        fin.other, amount=Decimal("500000"), term_months=12, ip_types={"patent"}
    )
    assert set(found) == {fin.product, fin.product_b}
    assert services.matching_products(fin.other, ip_types={"patent", "trademark"}) == [fin.product]
    assert services.matching_products(fin.firm, amount=Decimal("6000000")) == []


def test_the_enterprise_withdraws_before_registration(world, fin):
    application = apply(world, fin)
    with pytest.raises(PermissionDenied):
        services.do_withdraw(fin.users.bank_a, application)
    with pytest.raises(PermissionDenied):
        services.do_withdraw(world.users.city_admin, application)
    services.do_withdraw(world.users.enterprise, application, "资金已到位")
    application.refresh_from_db()
    assert application.status == "withdrawn"
    event = application.events.get(kind="withdrawn")
    assert (event.from_state, event.to_state, event.note) == ("submitted", "withdrawn", "资金已到位")
    with pytest.raises(TransitionError):
        services.do_start_review(fin.users.bank_a, application)
    with pytest.raises(TransitionError):
        services.do_withdraw(world.users.enterprise, application)


def test_a_registered_pledge_cannot_be_withdrawn(world, fin):
    application = approved(world, fin)
    services.do_register_pledge(fin.users.bank_a, application, registration_number="Y1")
    with pytest.raises(TransitionError):
        services.do_withdraw(world.users.enterprise, application)
    application.refresh_from_db()
    assert application.status == "registered"
    assert not application.events.filter(kind="withdrawn").exists()


def test_the_same_submission_twice_makes_one_application(world, fin):
    first = apply(world, fin, submission_key="k-1")
    again = apply(world, fin, submission_key="k-1")
    assert again.pk == first.pk
    assert PledgeApplication.objects.count() == 1
    assert apply(world, fin, submission_key="k-2").pk != first.pk


def test_a_product_form_sent_twice_creates_one_product(world, fin):
    data = {
        "name": "科技贷", "amount_min": "100000", "amount_max": "900000", "term_min_months": 12,
        "term_max_months": 24, "rate_min": "3", "rate_max": "4", "ip_types": ["patent"], "published": True,
    }  # fmt: skip
    before = LoanProduct.objects.count()
    first = services.do_save_product(fin.users.bank_a, institution=fin.bank_a, submission_key="p-1", **data)
    again = services.do_save_product(fin.users.bank_a, institution=fin.bank_a, submission_key="p-1", **data)
    assert again.pk == first.pk and LoanProduct.objects.count() == before + 1
