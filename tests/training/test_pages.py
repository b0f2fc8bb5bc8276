"""Training pages: list, detail, register, check-in, my registrations, management by role."""

import datetime as dt
import html
import re

import pytest
from django.utils import timezone

from zhichan.training.models import Registration, TrainingEvent

pytestmark = pytest.mark.django_db
FIELD_ERROR = re.compile(r'data-testid="field-error" data-field="(\w+)">([^<]*)<')
ROLES = ["anonymous", "public", "enterprise", "staff_a", "agency_admin_a", "staff_b", "county_admin_a",
         "county_admin_b", "city_admin"]  # fmt: skip


def login(client, world, role):
    if role != "anonymous":
        client.force_login(getattr(world.users, role))


def field_errors(response):
    found = {}
    for field, text in FIELD_ERROR.findall(response.content.decode()):
        found.setdefault(field, []).append(html.unescape(text))
    return found


@pytest.mark.parametrize("role", ROLES)
def test_list_shows_published_upcoming_to_everyone(client, world, make, role):
    shown = make()
    draft = make(status="draft", title="草稿活动")
    past = make(
        starts_at=timezone.now() - dt.timedelta(days=3), ends_at=timezone.now() - dt.timedelta(days=2)
    )
    login(client, world, role)
    body = client.get("/training/").content.decode()
    assert f'data-event="{shown.pk}"' in body
    assert f'data-event="{draft.pk}"' not in body and f'data-event="{past.pk}"' not in body
    assert 'data-testid="nav-training"' in body


@pytest.mark.parametrize(
    "role, sees_draft, manages",
    [
        ("anonymous", False, False),
        ("public", False, False),
        ("enterprise", False, False),
        ("staff_a", True, True),
        ("agency_admin_a", True, True),
        ("staff_b", False, False),
        ("county_admin_a", True, True),
        ("county_admin_b", False, False),
        ("city_admin", True, True),
    ],
)
def test_detail_and_management_by_role(client, world, make, role, sees_draft, manages):
    event = make()
    draft = make(status="draft", title="草稿活动")
    login(client, world, role)
    body = client.get(f"/training/{event.pk}/").content.decode()
    assert (event.checkin_code in body) == manages
    assert ('data-testid="training-manage"' in body) == manages
    assert client.get(f"/training/{draft.pk}/").status_code == (200 if sees_draft else 404)
    sheet = client.get(f"/training/{event.pk}/code/")
    assert sheet.status_code == (200 if manages else 302 if role == "anonymous" else 404)
    assert (event.checkin_code in sheet.content.decode()) == manages
    edit = client.get(f"/training/{event.pk}/edit/")
    assert edit.status_code == (200 if manages else 302 if role == "anonymous" else 404)
    client.post(f"/training/{draft.pk}/publish/")
    draft.refresh_from_db()
    assert (draft.status == "published") == manages


def test_register_then_cancel_through_the_page(client, world, make, people):
    event = make(capacity=1)
    client.force_login(people[0])
    client.post(f"/training/{event.pk}/register/")
    client.post(f"/training/{event.pk}/register/")  # a double submission
    assert Registration.objects.filter(event=event).count() == 1
    client.force_login(people[1])
    page = client.post(f"/training/{event.pk}/register/", follow=True).content.decode()
    assert "number 1 on the waiting list" in page
    client.force_login(people[0])
    reg = Registration.objects.get(user=people[0])
    client.post(f"/training/registrations/{reg.pk}/cancel/")
    assert Registration.objects.get(user=people[1]).status == "registered"
    mine = client.get("/training/mine/").content.decode()
    assert 'data-testid="training-mine-row"' not in mine


def test_refused_registration_shows_why(client, world, make, people):
    event = make(registration_closes_at=timezone.now() - dt.timedelta(minutes=5))
    client.force_login(people[0])
    page = client.post(f"/training/{event.pk}/register/", follow=True).content.decode()
    assert "Registration closed" in page and not Registration.objects.exists()


def test_check_in_page_with_wrong_and_right_code(client, world, make, people):
    start = timezone.now() + dt.timedelta(minutes=10)
    event = make(starts_at=start, ends_at=start + dt.timedelta(hours=1))
    client.force_login(people[0])
    client.post(f"/training/{event.pk}/register/")
    page = client.get(f"/training/{event.pk}/").content.decode()
    assert 'data-testid="training-checkin-form"' in page
    wrong = client.post(f"/training/{event.pk}/check-in/", {"code": "AAAAAA"})
    assert wrong.status_code == 422 and field_errors(wrong) == {
        "code": ["That is not this event's check-in code."]
    }
    client.post(f"/training/{event.pk}/check-in/", {"code": event.checkin_code})
    assert Registration.objects.get(user=people[0]).status == "attended"
    page = client.get(f"/training/{event.pk}/").content.decode()
    assert 'data-testid="training-feedback-form"' in page
    client.post(f"/training/registrations/{Registration.objects.get().pk}/feedback/", {"rating": "5"})
    assert 'data-testid="training-feedback-given"' in client.get(f"/training/{event.pk}/").content.decode()


def test_staff_check_in_from_the_event_page(client, world, make, people):
    start = timezone.now() + dt.timedelta(minutes=10)
    event = make(starts_at=start, ends_at=start + dt.timedelta(hours=1))
    reg = Registration.objects.create(event=event, user=people[0], status="registered")
    client.force_login(world.users.staff_b)
    assert client.post(f"/training/registrations/{reg.pk}/check-in/").status_code == 404
    client.force_login(world.users.staff_a)
    client.post(f"/training/registrations/{reg.pk}/check-in/")
    assert Registration.objects.get(pk=reg.pk).status == "attended"


def test_create_form_errors_at_fields(client, world):
    client.force_login(world.users.county_admin_a)
    start = timezone.now() + dt.timedelta(days=2)
    data = {
        "title": "知识产权进校园",
        "audience": "schools",
        "organiser": world.centre_a.pk,
        "region": world.county_a.pk,
        "starts_at": timezone.localtime(start).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": timezone.localtime(start - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "venue": "",
        "capacity": "40",
        "hours": "1.5",
    }
    response = client.post("/training/new/", data)
    assert set(field_errors(response)) == {"ends_at", "venue"}
    assert not TrainingEvent.objects.exists()
    data.update(
        ends_at=timezone.localtime(start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"), venue="实验中学"
    )
    response = client.post("/training/new/", data)
    event = TrainingEvent.objects.get()
    assert (
        response.status_code == 302
        and event.status == "draft"
        and event.created_by == world.users.county_admin_a
    )


def test_cancel_event_form_needs_a_reason(client, world, make, people):
    event = make()
    client.force_login(world.users.city_admin)
    response = client.post(f"/training/{event.pk}/cancel/", {"reason": ""})
    assert response.status_code == 422 and "reason" in field_errors(response)
    client.post(f"/training/{event.pk}/cancel/", {"reason": "天气原因"})
    event.refresh_from_db()
    assert event.status == "cancelled"


@pytest.mark.parametrize(
    "role, status", [("anonymous", 302), ("public", 404), ("enterprise", 404), ("staff_a", 200)]
)
def test_manage_page(client, world, make, role, status):
    make(status="draft")
    login(client, world, role)
    assert client.get("/training/manage/").status_code == status
    assert client.get("/training/new/").status_code == status


def test_refusals_without_a_form_on_the_page_come_as_messages(client, world, make, people):
    event = make()  # check-in not open yet, and people[0] holds no seat
    client.force_login(people[0])
    page = client.post(f"/training/{event.pk}/check-in/", {"code": event.checkin_code}, follow=True)
    assert "You are not registered for this event." in page.content.decode()
    reg, _ = Registration.objects.get_or_create(
        event=event, user=people[0], defaults={"status": "registered"}
    )
    page = client.post(f"/training/registrations/{reg.pk}/feedback/", {"rating": "5"}, follow=True)
    assert "Feedback is for people who attended the event." in page.content.decode()
