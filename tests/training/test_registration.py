"""Registration: seats up to capacity, then the waiting list; cancelling promotes the first waiting."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from zhichan.notices.models import Notice
from zhichan.training import services
from zhichan.training.models import Registration, RegistrationStatus, TrainingLog

pytestmark = pytest.mark.django_db


def test_seats_then_waiting_list_in_order(event, people):
    results = [services.do_register(p, event) for p in people]
    assert all(created for _r, created in results)
    statuses = [(r.status, r.position) for r, _c in results]
    assert statuses == [
        ("registered", None),
        ("registered", None),
        ("waitlisted", 1),
        ("waitlisted", 2),
    ]
    assert services.seats(event)["free"] == 0 and services.seats(event)["waiting"] == 2
    assert TrainingLog.objects.filter(event=event, kind="waitlisted").count() == 2


def test_double_registration_gives_one_record(event, people):
    first, created = services.do_register(people[0], event)
    again, created_again = services.do_register(people[0], event)
    assert created and not created_again and first.pk == again.pk
    assert Registration.objects.filter(event=event, user=people[0]).count() == 1
    assert TrainingLog.objects.filter(event=event, kind="registered").count() == 1


def test_the_database_refuses_a_second_live_registration(event, people):
    from django.db import IntegrityError, transaction

    services.do_register(people[0], event)
    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.create(event=event, user=people[0], status=RegistrationStatus.REGISTERED)


def test_cancelling_a_seat_promotes_the_first_waiting_and_tells_them(event, people):
    regs = [services.do_register(p, event)[0] for p in people]
    services.do_cancel_registration(people[0], regs[0])
    regs = [Registration.objects.get(pk=r.pk) for r in regs]
    assert [r.status for r in regs] == ["cancelled", "registered", "registered", "waitlisted"]
    assert regs[2].position is None and regs[3].position == 2
    notice = Notice.objects.get(recipient=people[2])
    assert notice.kind == "training_seat" and event.title in notice.subject
    assert not Notice.objects.filter(recipient=people[3]).exists()
    assert TrainingLog.objects.filter(registration=regs[2], kind="promoted").exists()


def test_cancelling_a_waiting_place_promotes_nobody(event, people):
    regs = [services.do_register(p, event)[0] for p in people]
    services.do_cancel_registration(people[2], regs[2])
    assert Registration.objects.get(pk=regs[3].pk).status == "waitlisted"
    assert not Notice.objects.exists()


def test_a_cancelled_person_can_register_again(event, people):
    reg, _ = services.do_register(people[0], event)
    services.do_cancel_registration(people[0], reg)
    again, created = services.do_register(people[0], event)
    assert created and again.pk != reg.pk and again.status == "registered"


def test_raising_capacity_seats_the_waiting(world, event, people):
    regs = [services.do_register(p, event)[0] for p in people]
    services.do_update_event(world.users.agency_admin_a, event, capacity=3)
    assert Registration.objects.get(pk=regs[2].pk).status == "registered"
    assert Registration.objects.get(pk=regs[3].pk).status == "waitlisted"


def test_capacity_below_the_seats_taken_is_refused(world, event, people):
    for p in people[:2]:
        services.do_register(p, event)
    with pytest.raises(ValidationError) as exc:
        services.do_update_event(world.users.agency_admin_a, event, capacity=1)
    assert "capacity" in exc.value.message_dict
    event.refresh_from_db()
    assert event.capacity == 2


@pytest.mark.parametrize(
    "change, wording",
    [
        ({"status": "draft"}, "draft"),
        ({"status": "cancelled"}, "cancelled"),
        ({"status": "finished"}, "finished"),
        ({"registration_closes_at": timezone.now() - dt.timedelta(minutes=1)}, "Registration closed"),
        ({"registration_opens_at": timezone.now() + dt.timedelta(days=1)}, "Registration opens"),
    ],
)
def test_registration_refused_when_not_open(world, make, people, change, wording):
    event = make(**change)
    user = world.users.city_admin  # sees drafts too, so the refusal is the rule, not visibility
    with pytest.raises(ValidationError) as exc:
        services.do_register(user, event)
    assert wording in " ".join(exc.value.message_dict["event"])
    assert not Registration.objects.exists()


def test_registration_refused_after_the_start(make, people):
    start = timezone.now() - dt.timedelta(minutes=5)
    event = make(starts_at=start, ends_at=start + dt.timedelta(hours=2))
    with pytest.raises(ValidationError):
        services.do_register(people[0], event)
    assert not Registration.objects.exists()


def test_overlapping_registration_is_refused_naming_the_other_event(make, people):
    first = make(title="上午场")
    second = make(
        title="同时段",
        starts_at=first.starts_at + dt.timedelta(hours=1),
        ends_at=first.ends_at + dt.timedelta(hours=1),
    )
    services.do_register(people[0], first)
    with pytest.raises(ValidationError) as exc:
        services.do_register(people[0], second)
    assert "上午场" in exc.value.message_dict["event"][0]
    assert not Registration.objects.filter(event=second).exists()
    later = make(title="下午场", starts_at=first.ends_at, ends_at=first.ends_at + dt.timedelta(hours=2))
    assert services.do_register(people[0], later)[0].status == "registered"


def test_a_draft_is_not_found_by_the_public(make, people):
    from zhichan.core.permissions import PermissionDenied

    event = make(status="draft")
    with pytest.raises(PermissionDenied):
        services.do_register(people[0], event)


def test_anonymous_cannot_register(world, event):
    from zhichan.core.permissions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.do_register(world.users.anonymous, event)


def test_someone_else_cannot_cancel_my_registration(world, event, people):
    from zhichan.core.permissions import PermissionDenied

    reg, _ = services.do_register(people[0], event)
    for other in (people[1], world.users.staff_b, world.users.county_admin_b):
        with pytest.raises(PermissionDenied):
            services.do_cancel_registration(other, reg)
    assert Registration.objects.get(pk=reg.pk).status == "registered"
    # The organiser's staff may cancel it.
    services.do_cancel_registration(world.users.staff_a, reg)
    assert Registration.objects.get(pk=reg.pk).status == "cancelled"


def test_no_cancelling_after_the_start(make, people):
    start = timezone.now() + dt.timedelta(hours=1)
    event = make(starts_at=start, ends_at=start + dt.timedelta(hours=2))
    reg, _ = services.do_register(people[0], event)
    event.starts_at = timezone.now() - dt.timedelta(minutes=1)
    event.save()
    with pytest.raises(ValidationError) as exc:
        services.do_cancel_registration(people[0], reg)
    assert "registration" in exc.value.message_dict
    assert Registration.objects.get(pk=reg.pk).status == "registered"


def test_who_sees_and_changes_which_registrations(world, make, people):
    in_a = make()
    in_b = make(title="乙县活动", organiser=world.centre_b, region=world.county_b)
    mine_a, _ = services.do_register(people[0], in_a)
    other_b, _ = services.do_register(people[1], in_b)
    expect = {
        "anonymous": set(),
        "public": set(),
        "enterprise": set(),
        "staff_a": {mine_a},
        "agency_admin_a": {mine_a},
        "staff_b": {other_b},
        "county_admin_a": {mine_a},
        "county_admin_b": {other_b},
        "city_admin": {mine_a, other_b},
    }
    for role, seen in expect.items():
        user = getattr(world.users, role)
        for action in ("view", "change"):
            assert set(Registration.objects.restrict(user, action)) == seen, (role, action)
    assert set(Registration.objects.restrict(people[0])) == {mine_a}
