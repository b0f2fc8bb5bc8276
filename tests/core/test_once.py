import datetime as dt

import pytest
from django.db import IntegrityError
from django.utils import timezone

from tests.factories import UserFactory
from zhichan.core.models import Submission, WorkdayOverride
from zhichan.core.once import create_once, purge_old

pytestmark = pytest.mark.django_db


def _maker(day):
    calls = []

    def create():
        calls.append(1)
        return WorkdayOverride.objects.create(date=day + dt.timedelta(days=len(calls)), is_workday=True)

    return create, calls


def test_the_same_key_and_person_create_one_record():
    user = UserFactory()
    create, calls = _maker(dt.date(2030, 1, 1))
    first = create_once("k1", user, create)
    again = create_once("k1", user, create)
    assert again == first
    assert len(calls) == 1
    assert WorkdayOverride.objects.count() == 1


def test_without_a_key_every_call_creates():
    create, calls = _maker(dt.date(2030, 1, 1))
    create_once("", None, create)
    create_once(None, None, create)
    assert len(calls) == 2 and Submission.objects.count() == 0


def test_a_key_of_someone_else_is_not_honoured():
    owner, other = UserFactory(), UserFactory()
    create, _calls = _maker(dt.date(2030, 1, 1))
    first = create_once("k2", owner, create)
    second = create_once("k2", other, create)
    assert second != first
    assert WorkdayOverride.objects.count() == 2
    # The key still answers its owner with the first record.
    assert create_once("k2", owner, create) == first


def test_a_refusal_of_the_create_itself_is_not_hidden():
    WorkdayOverride.objects.create(date=dt.date(2030, 5, 1), is_workday=True)

    def clash():
        return WorkdayOverride.objects.create(date=dt.date(2030, 5, 1), is_workday=False)

    with pytest.raises(IntegrityError):
        create_once("k3", None, clash)
    assert not Submission.objects.filter(key="k3").exists()


def test_old_keys_are_purged():
    create, _calls = _maker(dt.date(2030, 1, 1))
    create_once("old", None, create)
    Submission.objects.update(at=timezone.now() - dt.timedelta(days=8))
    create_once("new", None, create)
    assert purge_old() == 1
    assert list(Submission.objects.values_list("key", flat=True)) == ["new"]


@pytest.mark.skipif(
    __import__("django.db").db.connection.vendor != "postgresql",
    reason="needs concurrent connections (PostgreSQL)",
)
@pytest.mark.django_db(transaction=True)
def test_two_sends_at_the_same_moment_make_one_record():
    import threading
    import time

    from django.db import connections

    user = UserFactory()
    barrier = threading.Barrier(2)
    results = []

    days = iter(range(1, 10))
    lock = threading.Lock()

    def create():
        with lock:
            day = next(days)
        record = WorkdayOverride.objects.create(date=dt.date(2031, 1, day), is_workday=True)
        time.sleep(0.3)  # the other send arrives while this one is open
        return record

    def send():
        try:
            barrier.wait()
            results.append(create_once("same", user, create).pk)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 2 and results[0] == results[1]
    assert WorkdayOverride.objects.count() == 1
