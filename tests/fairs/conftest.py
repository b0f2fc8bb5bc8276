import datetime as dt

import pytest
from django.utils import timezone


@pytest.fixture(autouse=True)
def _english(english):
    """These tests quote the messages' English wording."""


@pytest.fixture
def fairs(world):
    from zhichan.fairs.models import Fair

    now = timezone.now()
    return {
        "running_a": Fair.objects.create(
            name="甲区博览会",
            starts_at=now - dt.timedelta(hours=2),
            ends_at=now + dt.timedelta(days=2),
            venue="甲区会展中心",
            region=world.county_a,
            workstation=world.centre_a,
        ),
        "upcoming_b": Fair.objects.create(
            name="乙县农博会",
            starts_at=now + dt.timedelta(days=10),
            ends_at=now + dt.timedelta(days=12),
            region=world.county_b,
            workstation=world.centre_b,
        ),
        "past_a": Fair.objects.create(
            name="甲区旧展会",
            starts_at=now - dt.timedelta(days=30),
            ends_at=now - dt.timedelta(days=28),
            region=world.county_a,
        ),
    }
