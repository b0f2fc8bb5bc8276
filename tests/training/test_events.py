"""Events: who creates and changes them, and the guarded status transitions."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from zhichan.core.errors import TransitionError
from zhichan.core.permissions import PermissionDenied
from zhichan.notices.models import Notice
from zhichan.training import services
from zhichan.training.models import Registration, TrainingEvent, TrainingLog

pytestmark = pytest.mark.django_db


def data(world, **overrides):
    start = timezone.now() + dt.timedelta(days=5)
    values = {
        "title": "商标品牌培育讲座",
        "audience": "enterprises",
        "organiser": world.centre_a,
        "region": world.county_a,
        "starts_at": start,
        "ends_at": start + dt.timedelta(hours=2),
        "venue": "会议室",
        "online_url": "",
        "capacity": 30,
        "hours": "2",
    }
    values.update(overrides)
    return values


@pytest.mark.parametrize("role", ["staff_a", "agency_admin_a", "county_admin_a", "city_admin"])
def test_organisers_create_a_draft(world, role):
    event = services.do_create_event(getattr(world.users, role), **data(world))
    assert event.status == "draft" and event.hours == Decimal("2.0") and len(event.checkin_code) == 6
    assert TrainingLog.objects.filter(event=event, kind="created").exists()


@pytest.mark.parametrize("role", ["anonymous", "public", "enterprise"])
def test_others_cannot_create(world, role):
    with pytest.raises(PermissionDenied):
        services.do_create_event(getattr(world.users, role), **data(world))
    assert not TrainingEvent.objects.exists()


@pytest.mark.parametrize(
    "role, field",
    [
        ("staff_b", "organiser"),  # not their agency
        ("county_admin_b", "organiser"),  # an agency of another county
        ("county_admin_b", "region"),
    ],
)
def test_acting_outside_ones_reach_is_refused_at_the_field(world, role, field):
    overrides = {"organiser": world.centre_b} if field == "region" else {"region": world.county_b}
    with pytest.raises(ValidationError) as exc:
        services.do_create_event(getattr(world.users, role), **data(world, **overrides))
    assert field in exc.value.message_dict
    assert not TrainingEvent.objects.exists()


def test_bad_input_names_every_field_and_saves_nothing(world):
    start = timezone.now() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        services.do_create_event(
            world.users.city_admin,
            **data(
                world,
                title=" ",
                audience="aliens",
                venue="",
                online_url="ftp://x",
                capacity=0,
                hours="-1",
                starts_at=start,
                ends_at=start,
                registration_opens_at=start - dt.timedelta(days=1),
                registration_closes_at=start + dt.timedelta(days=1),
            ),
        )
    errors = exc.value.message_dict
    assert {
        "title",
        "audience",
        "online_url",
        "capacity",
        "hours",
        "ends_at",
        "registration_closes_at",
    } <= set(errors)
    assert not TrainingEvent.objects.exists()


def test_venue_or_online_link_is_required(world):
    with pytest.raises(ValidationError) as exc:
        services.do_create_event(world.users.city_admin, **data(world, venue=""))
    assert "venue" in exc.value.message_dict
    event = services.do_create_event(
        world.users.city_admin, **data(world, venue="", online_url="https://meeting.example.com/x")
    )
    assert event.online_url


def test_publish_cancel_finish(world, make, people):
    admin = world.users.agency_admin_a
    event = make(status="draft")
    services.do_publish_event(admin, event)
    with pytest.raises(TransitionError):
        services.do_publish_event(admin, event)
    with pytest.raises(TransitionError):  # not started yet
        services.do_finish_event(admin, event)
    services.do_register(people[0], event)
    services.do_cancel_event(admin, event, "讲师临时有事")
    event.refresh_from_db()
    assert event.status == "cancelled"
    assert Registration.objects.get(user=people[0]).status == "cancelled"
    assert Notice.objects.get(recipient=people[0]).kind == "training_cancelled"
    for action in (
        lambda: services.do_publish_event(admin, event),
        lambda: services.do_cancel_event(admin, event, "again"),
        lambda: services.do_finish_event(admin, event),
    ):
        with pytest.raises(TransitionError):
            action()
    with pytest.raises(TransitionError):
        services.do_update_event(admin, event, title="新标题")
    kinds = list(TrainingLog.objects.filter(event=event).values_list("kind", flat=True))
    assert kinds == ["published", "registered", "cancelled", "registration_cancelled"]


def test_cancelling_needs_a_reason(world, event):
    with pytest.raises(ValidationError) as exc:
        services.do_cancel_event(world.users.city_admin, event, "  ")
    assert "reason" in exc.value.message_dict
    event.refresh_from_db()
    assert event.status == "published"


def test_publishing_an_event_in_the_past_is_refused(world, make):
    start = timezone.now() - dt.timedelta(days=2)
    event = make(status="draft", starts_at=start, ends_at=start + dt.timedelta(hours=1))
    with pytest.raises(ValidationError) as exc:
        services.do_publish_event(world.users.city_admin, event)
    assert "ends_at" in exc.value.message_dict


def test_finishing_marks_no_shows_and_closes_the_waiting_list(world, make, people, settings):
    start = timezone.now() + dt.timedelta(minutes=30)
    event = make(starts_at=start, ends_at=start + dt.timedelta(hours=2), capacity=2)
    regs = [services.do_register(p, event)[0] for p in people[:3]]
    services.do_check_in(people[0], event, code=event.checkin_code)
    TrainingEvent.objects.filter(pk=event.pk).update(starts_at=timezone.now() - dt.timedelta(hours=1))
    services.do_finish_event(world.users.staff_a, event)
    assert [Registration.objects.get(pk=r.pk).status for r in regs] == ["attended", "no_show", "cancelled"]


def test_the_command_finishes_ended_events(make, people):
    from django.core.management import call_command

    past = timezone.now() - dt.timedelta(days=1)
    ended = make(starts_at=past, ends_at=past + dt.timedelta(hours=2))
    Registration.objects.create(event=ended, user=people[0], status="registered")
    upcoming = make(title="未来")
    call_command("finish_training_events")
    ended.refresh_from_db()
    upcoming.refresh_from_db()
    assert ended.status == "finished" and upcoming.status == "published"
    assert Registration.objects.get(event=ended).status == "no_show"
    assert TrainingLog.objects.get(event=ended, kind="finished").actor is None


@pytest.mark.parametrize("role", ["staff_b", "agency_admin_b", "county_admin_b", "public", "enterprise"])
def test_others_cannot_change_an_event(world, event, role):
    user = getattr(world.users, role)
    for action in (
        lambda: services.do_update_event(user, event, title="x"),
        lambda: services.do_cancel_event(user, event, "x"),
        lambda: services.do_finish_event(user, event),
    ):
        with pytest.raises(PermissionDenied):
            action()
    event.refresh_from_db()
    assert event.title == "专利申请实务培训" and event.status == "published"


def test_who_sees_and_changes_which_events(world, make):
    draft_a = make(status="draft", title="甲草稿")
    published_b = make(title="乙公开", organiser=world.centre_b, region=world.county_b)
    draft_city = make(status="draft", title="市草稿", organiser=world.city_centre, region=world.county_b)
    expect = {
        "anonymous": ({published_b}, set()),
        "public": ({published_b}, set()),
        "enterprise": ({published_b}, set()),
        "staff_a": ({draft_a, published_b}, {draft_a}),
        "agency_admin_a": ({draft_a, published_b}, {draft_a}),
        "staff_b": ({published_b}, {published_b}),
        "county_admin_a": ({draft_a, published_b}, {draft_a}),
        "county_admin_b": ({published_b, draft_city}, {published_b, draft_city}),
        "city_admin": ({draft_a, published_b, draft_city}, {draft_a, published_b, draft_city}),
    }
    for role, (view, change) in expect.items():
        user = getattr(world.users, role)
        assert set(TrainingEvent.objects.restrict(user, "view")) == view, role
        assert set(TrainingEvent.objects.restrict(user, "change")) == change, role


def test_a_refused_transition_speaks_the_users_language(world, make):
    from django.utils import translation

    event = make(status="finished")
    with translation.override("en"), pytest.raises(TransitionError) as exc:
        services.do_publish_event(world.users.city_admin, event)
    assert str(exc.value.message) == "The event is finished; it cannot be published."
