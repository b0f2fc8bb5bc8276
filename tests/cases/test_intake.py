"""Intake: validation by field, idempotent submission, numbering, anonymous reports."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from tests.cases.conftest import file_case
from zhichan.cases import services
from zhichan.cases.models import Case, CaseCounter, CaseEvent
from zhichan.core.permissions import PermissionDenied

pytestmark = pytest.mark.django_db


def errors_of(**fields):
    with pytest.raises(ValidationError) as err:
        file_case(**fields)
    return err.value.message_dict


def test_fields_are_checked_by_name(world):
    assert "type" in errors_of(type="wish")
    assert "subtype" in errors_of(type="complaint", subtype="policy")
    assert "subject" in errors_of(subject="  ")
    assert "description" in errors_of(description="")
    assert "ip_type" in errors_of(ip_type="trade secret")
    assert "region" in errors_of(region="123")
    assert "service_item" in errors_of(type="service_application")
    assert "service_item" in errors_of(type="service_application", service_item="A-LOCAL")  # a draft
    assert "fair" in errors_of(type="fair_complaint")
    assert "anonymous" in errors_of(anonymous=True)
    assert "requester_email" in errors_of(requester_email="not-an-address")
    assert "requester_phone" in errors_of(requester_phone="", requester_email="")
    assert "subject" in errors_of(subject="x\x00y")
    assert "channel" in errors_of(channel="hotline")  # only staff record phone calls
    assert "unknown_field" in errors_of(unknown_field=1)
    assert not Case.objects.exists() and not CaseEvent.objects.exists()


def test_anonymous_report_keeps_no_identity(world):
    case = file_case(type="report", subtype="misconduct", anonymous=True, requester_email="me@example.com")
    assert case.anonymous and (case.requester_name, case.requester_phone, case.requester_email) == (
        "",
        "",
        "",
    )
    assert services.requester_recipients(case) == []


def test_staff_record_other_channels(world):
    case = file_case(world.users.staff_a, channel="letter", requester_phone="")
    assert case.channel == "letter" and case.requester_user is None


def test_same_key_same_case(world):
    first = file_case(idempotency_key="form-token-123")
    again = file_case(idempotency_key="form-token-123")
    assert again.pk == first.pk
    assert Case.objects.count() == 1 and CaseEvent.objects.filter(kind="created").count() == 1


def test_a_used_key_does_not_reveal_another_case(world):
    file_case(world.users.public, idempotency_key="form-token-123")
    with pytest.raises(ValidationError) as err:
        file_case(world.users.enterprise, idempotency_key="form-token-123")
    assert "idempotency_key" in err.value.message_dict
    with pytest.raises(ValidationError):
        file_case(None, idempotency_key="form-token-123")
    assert Case.objects.count() == 1


def test_first_contact_answer_is_for_staff(world):
    with pytest.raises(PermissionDenied):
        file_case(world.users.public, type="consultation", first_contact_answer="答")
    assert not Case.objects.exists()


def test_numbers_continue_per_year(world):
    CaseCounter.objects.create(year=2026, last=122)
    from django.utils import timezone

    year = timezone.localtime().year
    if year != 2026:
        CaseCounter.objects.create(year=year, last=122)
    assert file_case().number.endswith("-000123")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_store_one_case_per_key_and_unique_numbers():
    from tests.factories import make_world

    make_world()
    results, errors = [], []
    barrier = threading.Barrier(8)

    def submit(i):
        from django.db import connections

        try:
            barrier.wait()
            key = "same-key" if i < 4 else None
            results.append(file_case(idempotency_key=key, subject="并发" if key else f"并发{i}").pk)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Case.objects.count() == 5  # four of a kind, four distinct
    numbers = list(Case.objects.values_list("number", flat=True))
    assert len(set(numbers)) == 5
    assert len(set(results)) == 5


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_two_handlers_accepting_at_once_one_wins():
    from tests.factories import make_world
    from zhichan.core.errors import TransitionError

    world = make_world()
    case = file_case(type="mediation", region=None)
    outcomes = []
    barrier = threading.Barrier(2)

    def accept(user):
        from django.db import connections
        from django.utils import translation

        translation.activate("en")  # the override is per thread
        try:
            barrier.wait()
            services.do_accept(user, case)
            outcomes.append("ok")
        except TransitionError as exc:
            outcomes.append(str(exc))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=accept, args=(u,)) for u in (world.users.city_admin, world.users.city_admin)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes)[-1] == "ok" and outcomes.count("ok") == 1
    assert "cannot become Accepted" in [o for o in outcomes if o != "ok"][0]
    assert CaseEvent.objects.filter(case=case, kind="accepted").count() == 1


def test_numbers_without_returning_support(world, monkeypatch):
    """Old SQLite (before 3.35) has no UPDATE ... RETURNING: the counter is bumped, then read."""
    first = file_case()
    monkeypatch.setattr(services, "_has_returning", lambda: False)
    second = file_case()
    assert int(second.number.rsplit("-", 1)[1]) == int(first.number.rsplit("-", 1)[1]) + 1
