import threading

import pytest
from django.db import connection

from tests.factories import make_world
from zhichan.catalog import services
from zhichan.catalog.models import GuideVersion
from zhichan.core.errors import TransitionError


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_publishes_make_one_version():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; SQLite serialises writers anyway")
    world = make_world()
    services.do_save_draft(world.users.city_admin, world.item, time_limit_days=4)
    barrier = threading.Barrier(2)
    outcomes = []

    def publish():
        from django.db import connections

        try:
            barrier.wait()
            outcomes.append(services.do_publish(world.users.city_admin, world.item, "第二版").number)
        except TransitionError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=publish) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes, key=str) == [2, "refused"]
    assert list(GuideVersion.objects.filter(item=world.item).values_list("number", flat=True)) == [2, 1]
