"""Who may see and change what: each role against policies, Q&A items, laws and the hotline log."""

import pytest
from django.core.exceptions import ValidationError

from zhichan.core.permissions import CHANGE, VIEW, PermissionDenied
from zhichan.knowledge import console, services
from zhichan.knowledge.models import HotlineQuestion, Law, Policy, QAItem

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "public",
    "enterprise",
    "staff_a",
    "agency_admin_a",
    "county_admin_a",
    "county_admin_b",
    "city_admin",
]


@pytest.fixture
def records(world):
    city = world.users.city_admin
    data = {"issuing_body": "测试市人民政府", "text": "正文"}
    return {
        "national": services.do_save_policy(city, None, {**data, "title": "国家政策"}),
        "policy_a": services.do_save_policy(
            city, None, {**data, "title": "甲区政策", "region": world.county_a.pk}
        ),
        "draft_a": services.do_save_policy(
            city, None, {**data, "title": "甲区草稿", "region": world.county_a.pk, "published": False}
        ),
        "draft_b": services.do_save_policy(
            city, None, {**data, "title": "乙县草稿", "region": world.county_b.pk, "published": False}
        ),
        "qa_a": services.do_save_qa(
            city, None, {"question": "甲区问", "answer": "答", "region": world.county_a.pk}
        ),
        "qa_draft": services.do_save_qa(
            city, None, {"question": "草稿问", "answer": "答", "published": False}
        ),
    }


VISIBLE_POLICIES = {
    "anonymous": {"国家政策", "甲区政策"},
    "public": {"国家政策", "甲区政策"},
    "enterprise": {"国家政策", "甲区政策"},
    "staff_a": {"国家政策", "甲区政策"},
    "agency_admin_a": {"国家政策", "甲区政策"},
    "county_admin_a": {"国家政策", "甲区政策", "甲区草稿"},
    "county_admin_b": {"国家政策", "甲区政策", "乙县草稿"},
    "city_admin": {"国家政策", "甲区政策", "甲区草稿", "乙县草稿"},
}
CHANGEABLE_POLICIES = {
    "county_admin_a": {"甲区政策", "甲区草稿"},
    "county_admin_b": {"乙县草稿"},
    "city_admin": {"国家政策", "甲区政策", "甲区草稿", "乙县草稿"},
}


@pytest.mark.parametrize("role", ROLES)
def test_policy_visibility(records, world, role):
    user = getattr(world.users, role)
    assert set(Policy.objects.restrict(user, VIEW).values_list("title", flat=True)) == VISIBLE_POLICIES[role]
    changeable = set(Policy.objects.restrict(user, CHANGE).values_list("title", flat=True))
    assert changeable == CHANGEABLE_POLICIES.get(role, set())


@pytest.mark.parametrize("role", ROLES)
def test_qa_visibility(records, world, role):
    user = getattr(world.users, role)
    seen = set(QAItem.objects.restrict(user, VIEW).values_list("question", flat=True))
    assert seen == ({"甲区问", "草稿问"} if role == "city_admin" else {"甲区问"})


@pytest.mark.parametrize("role", ["anonymous", "public", "enterprise", "staff_a", "agency_admin_a"])
def test_non_admins_change_nothing(records, world, role):
    user = getattr(world.users, role)
    policy = records["policy_a"]
    with pytest.raises(PermissionDenied):
        services.do_save_policy(user, None, {"title": "新", "issuing_body": "x", "text": "y"})
    with pytest.raises(PermissionDenied):
        services.do_save_policy(user, policy, {"title": "改", "issuing_body": "x", "text": "y"})
    with pytest.raises(PermissionDenied):
        services.do_delete_qa(user, records["qa_a"])
    policy.refresh_from_db()
    assert policy.title == "甲区政策" and Policy.objects.count() == 4 and QAItem.objects.count() == 2


def test_county_admin_manages_own_county_only(records, world):
    admin_a, admin_b = world.users.county_admin_a, world.users.county_admin_b
    policy = services.do_save_policy(
        admin_a, records["policy_a"], {"title": "甲区政策（修订）", "issuing_body": "甲区", "text": "新正文"}
    )
    assert policy.title == "甲区政策（修订）" and policy.region == world.county_a
    with pytest.raises(PermissionDenied):
        services.do_save_policy(
            admin_b, records["policy_a"], {"title": "乙改", "issuing_body": "x", "text": "y"}
        )
    with pytest.raises(PermissionDenied):  # a national policy belongs to the city administrator
        services.do_save_policy(
            admin_a, records["national"], {"title": "改", "issuing_body": "x", "text": "y"}
        )
    # A new record of a county administrator belongs to their county; another county is refused.
    created = services.do_save_qa(admin_b, None, {"question": "乙县问", "answer": "答"})
    assert created.region == world.county_b
    with pytest.raises(ValidationError) as exc:
        services.do_save_qa(admin_b, None, {"question": "越权", "answer": "答", "region": world.county_a.pk})
    assert "region" in exc.value.message_dict
    assert not QAItem.objects.filter(question="越权").exists()
    records["national"].refresh_from_db()
    assert records["national"].title == "国家政策"


def test_bad_input_names_the_field_and_saves_nothing(world):
    admin = world.users.city_admin
    cases = [
        ({"title": "", "issuing_body": "x", "text": "y"}, "title"),
        ({"title": "t", "issuing_body": "x", "text": "y", "status": "maybe"}, "status"),
        ({"title": "t", "issuing_body": "x", "text": "y", "issued_on": "2024-02-30"}, "issued_on"),
        ({"title": "t", "issuing_body": "x", "text": "y", "region": 999999}, "region"),
        ({"title": "t", "issuing_body": "x", "text": "y", "tags": ["长" * 41]}, "tags"),
    ]
    for data, field in cases:
        with pytest.raises(ValidationError) as exc:
            services.do_save_policy(admin, None, data)
        assert field in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.do_save_qa(admin, None, {"question": "q", "answer": "a", "articles": [999999]})
    assert "articles" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.do_save_qa(
            admin, None, {"question": "q", "answer": "a", "service_item": world.draft_a.pk + 999}
        )
    assert "service_item" in exc.value.message_dict
    assert not Policy.objects.exists() and not QAItem.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_laws_are_read_by_all_and_changed_by_the_city(laws, world, role):
    user = getattr(world.users, role)
    assert Law.objects.restrict(user, VIEW).count() == 2
    assert Law.objects.restrict(user, CHANGE).count() == (2 if role == "city_admin" else 0)


def test_hotline_log_visibility(world):
    console.record_unanswered(world.users.staff_a, "甲")
    console.record_unanswered(world.users.staff_b, "乙")
    console.record_unanswered(world.users.county_admin_a, "甲区管理员")
    seen = lambda role: set(  # noqa: E731
        HotlineQuestion.objects.restrict(getattr(world.users, role), VIEW).values_list("text", flat=True)
    )
    assert seen("staff_a") == seen("agency_admin_a") == {"甲"}
    assert seen("staff_b") == {"乙"}
    assert seen("county_admin_a") == {"甲", "甲区管理员"}
    assert seen("county_admin_b") == {"乙"}
    assert seen("city_admin") == {"甲", "乙", "甲区管理员"}
    for role in ("anonymous", "public", "enterprise"):
        assert seen(role) == set()
    assert not HotlineQuestion.objects.restrict(world.users.city_admin, CHANGE).exists()


def test_administrators_see_drafts_marked_as_unpublished(client, records, world):
    client.force_login(world.users.city_admin)
    index = client.get("/knowledge/").content.decode()
    assert index.count('data-testid="unpublished"') == 2  # the two draft policies, not the others
    draft = client.get(f"/knowledge/policies/{records['draft_a'].pk}/").content.decode()
    assert 'data-testid="unpublished"' in draft
    assert (
        'data-testid="unpublished"' in client.get(f"/knowledge/qa/{records['qa_draft'].pk}/").content.decode()
    )
    published = client.get(f"/knowledge/policies/{records['policy_a'].pk}/").content.decode()
    assert 'data-testid="unpublished"' not in published
