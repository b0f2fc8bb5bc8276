import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone


@pytest.fixture(autouse=True)
def _english(english):
    """These tests quote the messages' English wording."""


def make_event(world, **overrides):
    from zhichan.training.models import EventStatus, TrainingEvent

    start = timezone.now() + dt.timedelta(days=7)
    fields = {
        "title": "专利申请实务培训",
        "audience": "enterprises",
        "organiser": world.centre_a,
        "region": world.county_a,
        "starts_at": start,
        "ends_at": start + dt.timedelta(hours=3),
        "venue": "甲区政务服务中心三楼",
        "capacity": 2,
        "hours": Decimal("3.0"),
        "status": EventStatus.PUBLISHED,
    }
    fields.update(overrides)
    return TrainingEvent.objects.create(**fields)


@pytest.fixture
def event(world):
    return make_event(world)


@pytest.fixture
def make(world):
    return lambda **overrides: make_event(world, **overrides)


@pytest.fixture
def people(db):
    from tests.factories import UserFactory

    return [UserFactory(username=f"person{i}", email=f"person{i}@example.com") for i in range(4)]
