import datetime as dt

import pytest
from django.utils import timezone


@pytest.fixture(autouse=True)
def _english(english):
    """These tests quote the messages' English wording."""


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def fields(world, **overrides):
    data = {
        "title": "甲区“商标品牌指导站+企业”服务模式",
        "summary": "指导站上门服务，帮助企业培育区域品牌。",
        "body": "第一段。\n\n第二段：成效。",
        "county": world.county_a,
        "agency": world.centre_a,
        "category": "network_building",
        "tags": "商标, 品牌，指导站",
    }
    data.update(overrides)
    return data


@pytest.fixture
def case_a(world):
    from zhichan.cases.models import Case

    return Case.objects.create(
        number="ZC-2026-000123",
        tracking_token="practice-case-token-0123456789abcdef",
        tracking_code="ABCDEFGH",
        type="assistance",
        subject="某企业商标被仿冒维权援助",
        description="申请人的联系方式等个人信息",
        owner=world.centre_a,
        deadline=timezone.now() + dt.timedelta(days=10),
    )


@pytest.fixture
def write(world):
    from zhichan.practices import services

    def write(user=None, **overrides):
        return services.do_create_practice(user or world.users.staff_a, **fields(world, **overrides))

    return write


@pytest.fixture
def published(world, write):
    from zhichan.practices import services

    practice = write()
    services.do_submit_practice(world.users.staff_a, practice)
    return services.do_approve_practice(world.users.county_admin_a, practice)
