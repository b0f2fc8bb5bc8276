"""Custody services: creation, rights, actions and their refusals (nothing saved when refused)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.custody.conftest import fee_key
from zhichan.core.errors import TransitionError
from zhichan.core.permissions import PermissionDenied
from zhichan.custody import services
from zhichan.custody.models import Custody, CustodyAction, CustodyEvent

TODAY = dt.date.today


def test_create_takes_the_linked_portfolio_and_writes_an_event(custody, portfolio, contact):
    assert set(custody.patents.all()) == {portfolio["invention"], portfolio["lapsed"]}
    assert list(custody.trademarks.all()) == [portfolio["mark"]]
    assert list(custody.contacts.all()) == [contact]
    event = CustodyEvent.objects.get(custody=custody)
    assert event.kind == "created" and event.data == {"patents": 2, "trademarks": 1}
    assert len(custody.feed_token) >= 30


@pytest.mark.parametrize("role", ["staff_b", "county_admin_a", "enterprise", "public"])
def test_only_the_agencys_staff_or_the_city_create(world, portfolio, role):
    with pytest.raises(PermissionDenied):
        services.do_create_custody(
            getattr(world.users, role),
            agency=world.centre_a,
            enterprise=portfolio["enterprise"],
            starts_on=TODAY(),
        )
    assert not Custody.objects.exists()


def test_city_admin_may_create_for_any_agency(world, portfolio):
    created = services.do_create_custody(
        world.users.city_admin, agency=world.centre_b, enterprise=portfolio["enterprise"], starts_on=TODAY()
    )
    assert created.agency == world.centre_b


def test_overlapping_custody_of_the_same_enterprise_by_the_same_agency_is_refused(world, custody, portfolio):
    with pytest.raises(ValidationError) as exc:
        services.do_create_custody(
            world.users.agency_admin_a,
            agency=world.centre_a,
            enterprise=portfolio["enterprise"],
            starts_on=TODAY() + dt.timedelta(days=30),
            ends_on=TODAY() + dt.timedelta(days=60),
        )
    assert "starts_on" in exc.value.message_dict
    assert Custody.objects.count() == 1


def test_a_custody_before_an_existing_one_or_by_another_agency_is_fine(world, custody, portfolio):
    earlier = services.do_create_custody(
        world.users.staff_a,
        agency=world.centre_a,
        enterprise=portfolio["enterprise"],
        starts_on=custody.starts_on - dt.timedelta(days=400),
        ends_on=custody.starts_on - dt.timedelta(days=1),
    )
    other = services.do_create_custody(
        world.users.staff_b, agency=world.centre_b, enterprise=portfolio["enterprise"], starts_on=TODAY()
    )
    assert earlier.pk and other.pk


def test_ended_custodies_do_not_block_a_new_one(world, custody, portfolio):
    services.do_end_custody(world.users.staff_a, custody, ends_on=TODAY())
    again = services.do_create_custody(
        world.users.staff_a, agency=world.centre_a, enterprise=portfolio["enterprise"], starts_on=TODAY()
    )
    assert again.pk != custody.pk


def test_bad_dates_and_contacts_name_their_field(world, portfolio):
    with pytest.raises(ValidationError) as exc:
        services.do_create_custody(
            world.users.staff_a,
            agency=world.centre_a,
            enterprise=portfolio["enterprise"],
            starts_on=TODAY(),
            ends_on=TODAY() - dt.timedelta(days=1),
            contacts=[world.users.staff_b],
        )
    assert set(exc.value.message_dict) == {"ends_on", "contacts"}
    with pytest.raises(ValidationError) as exc:
        services.do_create_custody(
            world.users.staff_a,
            agency=world.centre_a,
            enterprise=portfolio["enterprise"],
            starts_on="2024-13-01",
        )
    assert "starts_on" in exc.value.message_dict
    assert not Custody.objects.exists()


def test_record_fee_paid(world, custody):
    fee = fee_key(custody)
    done = services.do_record_action(
        world.users.staff_a,
        custody,
        right_key=fee.right_key,
        deadline_key=fee.key,
        action="fee_paid",
        done_on=TODAY(),
        note="缴费凭证号 123",
        evidence=SimpleUploadedFile("receipt.pdf", b"%PDF-1.4 test", content_type="application/pdf"),
    )
    assert done.patent is not None and done.due == fee.due and done.deadline_kind == "annual_fee"
    assert done.evidence.read() == b"%PDF-1.4 test"
    assert CustodyEvent.objects.filter(custody=custody, kind="action", to_state="fee_paid").exists()


def test_a_double_submission_records_one_action(world, custody):
    fee = fee_key(custody)
    args = {"right_key": fee.right_key, "deadline_key": fee.key, "action": "fee_paid", "done_on": TODAY()}
    services.do_record_action(world.users.staff_a, custody, **args)
    with pytest.raises(ValidationError) as exc:
        services.do_record_action(world.users.staff_a, custody, **args)
    assert "deadline_key" in exc.value.message_dict
    assert CustodyAction.objects.count() == 1


def _refused(custody, user, **changes):
    fee = fee_key(custody)
    args = {"right_key": fee.right_key, "deadline_key": fee.key, "action": "fee_paid", "done_on": TODAY()}
    args.update(changes)
    with pytest.raises(ValidationError) as exc:
        services.do_record_action(user, custody, **args)
    assert not CustodyAction.objects.exists()
    assert not CustodyEvent.objects.filter(kind="action").exists()
    return exc.value.message_dict


def test_fee_paid_in_the_future_is_refused(world, custody):
    errors = _refused(custody, world.users.staff_a, done_on=TODAY() + dt.timedelta(days=1))
    assert list(errors) == ["done_on"]


def test_action_on_a_right_not_in_the_custody_is_refused(world, custody, portfolio):
    custody.trademarks.clear()
    errors = _refused(custody, world.users.staff_a, right_key="trademark:88000001", deadline_key="tm_nonuse")
    assert list(errors) == ["right_key"]


def test_action_on_an_unknown_or_informative_deadline_is_refused(world, custody, portfolio):
    assert "deadline_key" in _refused(custody, world.users.staff_a, deadline_key="annual_fee:99")
    patent = portfolio["invention"]
    errors = _refused(
        custody,
        world.users.staff_a,
        right_key=f"patent:{patent.application_number}",
        deadline_key="patent_term_end",
    )
    assert "deadline_key" in errors


def test_renewed_does_not_answer_an_annual_fee(world, custody):
    assert list(_refused(custody, world.users.staff_a, action="renewed")) == ["action"]


def test_evidence_must_be_a_document(world, custody):
    bad = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")
    assert list(_refused(custody, world.users.staff_a, evidence=bad)) == ["evidence"]


@pytest.mark.parametrize("role", ["staff_b", "county_admin_a", "enterprise", "public"])
def test_others_may_not_record_actions(world, custody, contact, role):
    fee = fee_key(custody)
    user = contact if role == "enterprise" else getattr(world.users, role)
    with pytest.raises(PermissionDenied):
        services.do_record_action(
            user, custody, right_key=fee.right_key, deadline_key=fee.key, action="fee_paid", done_on=TODAY()
        )
    assert not CustodyAction.objects.exists()


def test_no_actions_after_the_custody_ended(world, custody):
    services.do_end_custody(world.users.staff_a, custody, ends_on=TODAY(), note="合同到期")
    custody.refresh_from_db()
    assert custody.status == "ended" and custody.ends_on == TODAY()
    fee = fee_key(custody)
    with pytest.raises(TransitionError):
        services.do_record_action(
            world.users.staff_a,
            custody,
            right_key=fee.right_key,
            deadline_key=fee.key,
            action="abandoned",
            done_on=TODAY(),
        )
    with pytest.raises(TransitionError):
        services.do_end_custody(world.users.staff_a, custody)


def test_end_before_the_start_is_refused(world, custody):
    with pytest.raises(ValidationError) as exc:
        services.do_end_custody(
            world.users.staff_a, custody, ends_on=custody.starts_on - dt.timedelta(days=1)
        )
    assert "ends_on" in exc.value.message_dict
    custody.refresh_from_db()
    assert custody.status == "active"


def test_rights_are_editable_and_unknown_numbers_named(world, custody, portfolio):
    patents, marks = services.parse_rights(portfolio["invention"].application_number, "")
    services.do_set_rights(world.users.staff_a, custody, patents=patents, trademarks=marks)
    assert list(custody.patents.all()) == [portfolio["invention"]]
    assert not custody.trademarks.exists()
    event = CustodyEvent.objects.get(custody=custody, kind="rights")
    assert portfolio["lapsed"].application_number in event.data["removed"]
    with pytest.raises(ValidationError) as exc:
        services.parse_rights("not-a-number, 202010000001.X", "77777777")
    assert set(exc.value.message_dict) == {"patents", "trademarks"}
    assert "not-a-number" in exc.value.message_dict["patents"][0]


def test_rotating_the_token_changes_it(world, custody):
    old = custody.feed_token
    services.do_rotate_feed_token(world.users.agency_admin_a, custody)
    custody.refresh_from_db()
    assert custody.feed_token != old
    with pytest.raises(PermissionDenied):
        services.do_rotate_feed_token(world.users.county_admin_a, custody)


def test_contacts_are_enterprise_users(world, custody):
    with pytest.raises(ValidationError):
        services.do_set_contacts(world.users.staff_a, custody, [world.users.public])
    services.do_set_contacts(world.users.staff_a, custody, [])
    assert not custody.contacts.exists()
