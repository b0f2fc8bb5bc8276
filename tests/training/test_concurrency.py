"""Registrations at the same moment: the event row lock keeps seats within capacity, and a
double submission still makes one record."""

import threading

import pytest
from django.db import connection, connections

from tests.factories import UserFactory
from zhichan.training import services
from zhichan.training.models import Registration

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite: the test database is in memory, one per thread, and writers are serialized "
        "(BEGIN IMMEDIATE), so two registrations cannot interleave",
    ),
    pytest.mark.django_db(transaction=True),
]


def at_once(calls):
    barrier = threading.Barrier(len(calls), timeout=30)
    results, errors = [], []

    def run(call):
        try:
            barrier.wait()
            results.append(call())
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


def test_many_people_at_once_never_exceed_capacity(make):
    event = make(capacity=3)
    people = [UserFactory(username=f"rush{i}") for i in range(8)]
    at_once([lambda p=p: services.do_register(p, event) for p in people])
    assert Registration.objects.filter(event=event, status="registered").count() == 3
    positions = sorted(
        Registration.objects.filter(event=event, status="waitlisted").values_list("position", flat=True)
    )
    assert positions == [1, 2, 3, 4, 5]


def test_a_double_submission_at_once_makes_one_record(make):
    event = make(capacity=3)
    person = UserFactory(username="twice")
    results = at_once([lambda: services.do_register(person, event)] * 2)
    assert Registration.objects.filter(event=event, user=person).count() == 1
    assert sorted(created for _r, created in results) == [False, True]
