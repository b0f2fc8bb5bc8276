import pytest

from tests.factories import UserFactory
from zhichan.accounts.models import Role
from zhichan.enterprises.uscc import check_character
from zhichan.providers import services


def make_uscc(first17: str) -> str:
    return first17 + check_character(first17)


USCC = make_uscc("12140700MB1234567")
OTHER_USCC = make_uscc("52140700MJ7654321")


@pytest.fixture(autouse=True)
def _english(english):
    """These tests quote the messages' English wording."""


@pytest.fixture
def application_data(world):
    return application_data_for(world)


def application_data_for(world):
    """A complete, valid provider application form of county A."""
    return {
        "name": "测试大学知识产权信息服务中心",
        "type": "university",
        "region": world.county_a.code,
        "address": "甲区大学路1号",
        "contact_person": "张老师",
        "phone": "0354-1234567",
        "email": "ip@uni.example.edu.cn",
        "uscc": USCC,
        "services": "专利检索、查新与知识产权培训",
        "functions": ["information", "training"],
    }


@pytest.fixture
def provider(world, application_data):
    """An approved university provider in county A, with its administrator."""
    application = services.do_apply(None, **application_data)
    application = services.do_approve(world.users.county_admin_a, application)
    admin = application.account
    staff = UserFactory(username="uni_staff", role=Role.AGENCY_STAFF, agency=application.agency)
    return type(
        "Provider",
        (),
        {"agency": application.agency, "admin": admin, "staff": staff, "application": application},
    )


@pytest.fixture
def offer_data(world):
    return {
        "title": "专利检索公益服务",
        "description": "为中小企业免费提供专利检索与分析",
        "category": "information",
        "price": "0",
        "counties": [world.county_a.code],
        "capacity_note": "每月20家",
    }


@pytest.fixture
def offer(provider, offer_data):
    return services.do_create_offer(provider.admin, **offer_data)
