"""The training API: open reads of published events; registration, cancel, check-in, feedback."""

import datetime as dt

import pytest
from django.utils import timezone

from zhichan.training.models import Registration

pytestmark = pytest.mark.django_db


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def test_list_and_detail_for_anyone(client, world, make):
    event = make()
    draft = make(status="draft", title="草稿")
    listed = client.get("/api/v1/training/events").json()
    assert [e["id"] for e in listed["items"]] == [event.pk]
    one = client.get(f"/api/v1/training/events/{event.pk}").json()
    assert one["seats_free"] == 2 and one["registration_open"] and one["audience"] == "enterprises"
    assert one["hours"] == 3.0
    assert client.get(f"/api/v1/training/events/{draft.pk}").status_code == 404
    assert client.get("/api/v1/training/events?audience=schools").json()["items"] == []
    assert client.get("/api/v1/training/events?audience=nope").status_code == 422


def test_register_twice_is_one_record_then_waiting_list(client, world, make, people):
    event = make(capacity=1)
    client.force_login(people[0])
    first = post(client, f"/api/v1/training/events/{event.pk}/register")
    assert first.status_code == 201 and first.json()["status"] == "registered"
    again = post(client, f"/api/v1/training/events/{event.pk}/register")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    client.force_login(people[1])
    waiting = post(client, f"/api/v1/training/events/{event.pk}/register")
    assert waiting.json()["status"] == "waitlisted" and waiting.json()["position"] == 1
    assert Registration.objects.count() == 2


def test_register_refusals(client, world, make, people):
    client.force_login(people[0])
    closed = make(registration_closes_at=timezone.now() - dt.timedelta(hours=1))
    response = post(client, f"/api/v1/training/events/{closed.pk}/register")
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "event"
    assert "Registration closed" in response.json()["detail"][0]["errors"][0]
    draft = make(status="draft")
    assert post(client, f"/api/v1/training/events/{draft.pk}/register").status_code == 404
    assert post(client, "/api/v1/training/events/999999/register").status_code == 404
    assert not Registration.objects.exists()
    client.logout()
    assert post(client, f"/api/v1/training/events/{closed.pk}/register").status_code == 401


def test_cancel_promotes_and_others_get_404(client, world, make, people):
    event = make(capacity=1)
    client.force_login(people[0])
    mine = post(client, f"/api/v1/training/events/{event.pk}/register").json()
    client.force_login(people[1])
    waiting = post(client, f"/api/v1/training/events/{event.pk}/register").json()
    assert post(client, f"/api/v1/training/registrations/{mine['id']}/cancel").status_code == 404
    client.force_login(people[0])
    response = post(client, f"/api/v1/training/registrations/{mine['id']}/cancel")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert Registration.objects.get(pk=waiting["id"]).status == "registered"


def test_check_in_and_feedback(client, world, make, people):
    start = timezone.now() + dt.timedelta(minutes=15)
    event = make(starts_at=start, ends_at=start + dt.timedelta(hours=1), online_url="https://m.example.com/1")
    client.force_login(people[0])
    reg = post(client, f"/api/v1/training/events/{event.pk}/register").json()
    assert reg["online_url"] == "https://m.example.com/1"
    early = post(client, f"/api/v1/training/registrations/{reg['id']}/feedback", {"rating": 5})
    assert early.status_code == 422 and early.json()["detail"][0]["field"] == "registration"
    wrong = post(client, f"/api/v1/training/events/{event.pk}/check-in", {"code": "ZZZZZZ"})
    assert wrong.status_code == 422 and wrong.json()["detail"][0]["field"] == "code"
    done = post(client, f"/api/v1/training/events/{event.pk}/check-in", {"code": event.checkin_code})
    assert done.status_code == 200 and done.json()["status"] == "attended"
    bad = post(client, f"/api/v1/training/registrations/{reg['id']}/feedback", {"rating": 6})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "rating"
    given = post(
        client, f"/api/v1/training/registrations/{reg['id']}/feedback", {"rating": 4, "comment": "好"}
    )
    assert given.status_code == 201 and given.json()["rating"] == 4
    twice = post(client, f"/api/v1/training/registrations/{reg['id']}/feedback", {"rating": 5})
    assert twice.status_code == 422
    mine = client.get("/api/v1/training/registrations").json()["items"]
    assert mine[0]["feedback_given"] and mine[0]["status"] == "attended"
    client.force_login(people[1])
    assert (
        post(client, f"/api/v1/training/registrations/{reg['id']}/feedback", {"rating": 5}).status_code == 404
    )
    assert client.get("/api/v1/training/registrations").json()["items"] == []


def test_the_online_link_is_for_people_with_a_seat(client, world, make, people):
    event = make(capacity=1, online_url="https://m.example.com/2")
    client.force_login(people[0])
    post(client, f"/api/v1/training/events/{event.pk}/register")
    client.force_login(people[1])
    waiting = post(client, f"/api/v1/training/events/{event.pk}/register").json()
    assert waiting["online_url"] == ""
    assert "online_url" not in client.get(f"/api/v1/training/events/{event.pk}").json()


def _event_payload(world, **overrides):
    start = timezone.now() + dt.timedelta(days=10)
    payload = {
        "title": "商标品牌培育讲座", "audience": "enterprises", "organiser_id": world.centre_a.pk,
        "region_code": world.county_a.code, "starts_at": start.isoformat(),
        "ends_at": (start + dt.timedelta(hours=2)).isoformat(), "venue": "甲区会议室", "capacity": 30,
        "hours": 2, "submission_key": "event-1",
    }  # fmt: skip
    payload.update(overrides)
    return payload


def test_an_organiser_creates_changes_and_publishes_an_event(client, world):
    from zhichan.training.models import TrainingEvent

    client.force_login(world.users.staff_a)
    refused = post(client, "/api/v1/training/events", _event_payload(world, capacity=0, region_code="nope"))
    assert refused.status_code == 422
    assert {row["field"] for row in refused.json()["detail"]} == {"region_code"}
    refused = post(client, "/api/v1/training/events", _event_payload(world, organiser_id=world.centre_b.pk))
    assert {row["field"] for row in refused.json()["detail"]} == {"organiser_id"}
    assert not TrainingEvent.objects.exists()
    created = post(client, "/api/v1/training/events", _event_payload(world))
    again = post(client, "/api/v1/training/events", _event_payload(world))
    assert created.status_code == again.status_code == 201
    assert created.json()["id"] == again.json()["id"] and created.json()["status"] == "draft"
    event_id = created.json()["id"]
    changed = client.patch(
        f"/api/v1/training/events/{event_id}", {"capacity": 40}, content_type="application/json"
    )
    assert changed.status_code == 200 and changed.json()["capacity"] == 40
    assert changed.json()["title"] == "商标品牌培育讲座"
    bad = client.patch(
        f"/api/v1/training/events/{event_id}", {"capacity": 0}, content_type="application/json"
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "capacity"
    published = post(client, f"/api/v1/training/events/{event_id}/publish")
    assert published.json()["status"] == "published"
    assert post(client, f"/api/v1/training/events/{event_id}/publish").status_code == 409

    client.force_login(world.users.staff_b)  # another agency: not theirs
    patch = client.patch(
        f"/api/v1/training/events/{event_id}", {"capacity": 1}, content_type="application/json"
    )
    assert patch.status_code == 404
    assert post(client, f"/api/v1/training/events/{event_id}/cancel", {"reason": "x"}).status_code == 404
    client.force_login(world.users.public)
    assert (
        post(client, "/api/v1/training/events", _event_payload(world, submission_key="p")).status_code == 404
    )
    assert TrainingEvent.objects.count() == 1


def test_staff_list_registrations_and_check_people_in(client, world, make, people):
    event = make()
    client.force_login(people[0])
    registration_id = post(client, f"/api/v1/training/events/{event.pk}/register").json()["id"]
    event.starts_at = timezone.now() - dt.timedelta(minutes=10)  # now it is on
    event.save(update_fields=["starts_at"])
    assert client.get(f"/api/v1/training/events/{event.pk}/registrations").status_code == 404
    assert post(client, f"/api/v1/training/registrations/{registration_id}/check-in").status_code == 404
    client.force_login(world.users.staff_b)
    assert client.get(f"/api/v1/training/events/{event.pk}/registrations").status_code == 404
    assert post(client, f"/api/v1/training/registrations/{registration_id}/check-in").status_code == 404
    client.force_login(world.users.staff_a)
    listed = client.get(f"/api/v1/training/events/{event.pk}/registrations").json()
    assert [(row["id"], row["status"]) for row in listed["items"]] == [(registration_id, "registered")]
    done = post(client, f"/api/v1/training/registrations/{registration_id}/check-in")
    assert done.status_code == 200 and done.json()["status"] == "attended"
    assert Registration.objects.get(pk=registration_id).checked_in_by == world.users.staff_a
