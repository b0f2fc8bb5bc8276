"""Simultaneous submissions and decisions (PostgreSQL: real concurrent connections)."""

import threading

import pytest
from django.db import connection

from tests.factories import make_world
from tests.providers.conftest import USCC
from zhichan.agencies.models import Agency
from zhichan.core.errors import TransitionError
from zhichan.providers import services
from zhichan.providers.models import ProviderApplication

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL)"),
    pytest.mark.django_db(transaction=True),
]

DATA = {
    "name": "并发大学",
    "type": "university",
    "region": "990102",
    "address": "路1号",
    "contact_person": "张",
    "phone": "0354-1",
    "email": "c@example.com",
    "uscc": USCC,
    "services": "检索",
}


def run_at_once(n, work):
    results, errors = [], []
    barrier = threading.Barrier(n)

    def run(i):
        from django.db import connections

        try:
            barrier.wait()
            results.append(work(i))
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


def test_the_same_application_at_once_is_one_record():
    make_world()
    results, errors = run_at_once(4, lambda i: services.do_apply(None, **DATA).pk)
    assert errors == [] and len(set(results)) == 1
    assert ProviderApplication.objects.count() == 1


def test_two_approvals_at_once_make_one_agency():
    world = make_world()
    application = services.do_apply(None, **DATA)
    results, errors = run_at_once(2, lambda i: services.do_approve(world.users.city_admin, application))
    assert len(results) == 1 and len(errors) == 1 and isinstance(errors[0], TransitionError)
    assert Agency.objects.filter(name="并发大学").count() == 1
