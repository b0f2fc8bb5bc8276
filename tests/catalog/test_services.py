import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from zhichan.catalog import services
from zhichan.catalog.models import GuideStatus, GuideVersion, ServiceItem, ServiceItemEvent
from zhichan.core.errors import TransitionError
from zhichan.core.permissions import PermissionDenied

pytestmark = pytest.mark.django_db


def _errors(exc_info):
    return exc_info.value.message_dict


# --- creating items ---------------------------------------------------------------------------


def test_city_admin_creates_a_city_wide_item(world):
    item = services.do_create_item(world.users.city_admin, "PAT-SEARCH", "专利检索", "information")
    assert item.owner_region is None and not item.published and item.current is None
    assert ServiceItemEvent.objects.filter(item=item, kind="created").count() == 1


def test_county_admin_item_belongs_to_own_county(world):
    item = services.do_create_item(world.users.county_admin_a, "A-NEW", "甲区新服务", "training")
    assert item.owner_region == world.county_a


def test_county_admin_cannot_create_for_another_county(world):
    with pytest.raises(ValidationError) as exc:
        services.do_create_item(
            world.users.county_admin_a, "B-NEW", "乙县服务", "training", owner_region=world.county_b
        )
    assert "owner_region" in _errors(exc)
    assert not ServiceItem.objects.filter(code="B-NEW").exists()


@pytest.mark.parametrize("role", ["anonymous", "public", "enterprise", "staff_a", "agency_admin_a"])
def test_other_roles_cannot_create(world, role):
    with pytest.raises(PermissionDenied):
        services.do_create_item(getattr(world.users, role), "X-NEW", "服务", "training")
    assert not ServiceItem.objects.filter(code="X-NEW").exists()


@pytest.mark.parametrize("code", ["tm-reg", "1ABC", "A", "A B", "A" * 31, "", "TM_REG"])
def test_bad_codes_are_refused(world, code):
    with pytest.raises(ValidationError) as exc:
        services.do_create_item(world.users.city_admin, code, "服务", "training")
    assert list(_errors(exc)) == ["code"]


def test_duplicate_code_is_refused(world):
    before = ServiceItem.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.do_create_item(world.users.city_admin, "TM-REG", "重复", "government")
    assert "already used" in _errors(exc)["code"][0]
    assert ServiceItem.objects.count() == before


def test_create_validates_name_and_category(world):
    with pytest.raises(ValidationError) as exc:
        services.do_create_item(world.users.city_admin, "NEW-ONE", " ", "nonsense")
    assert set(_errors(exc)) == {"name", "category"}


def test_update_item_changes_details_and_writes_event(world):
    services.do_update_item(world.users.city_admin, world.item, name="商标注册", sort=5)
    world.item.refresh_from_db()
    assert world.item.name == "商标注册" and world.item.sort == 5
    event = ServiceItemEvent.objects.get(item=world.item, kind="updated")
    assert event.data["old"]["name"] == "商标注册申请受理"


def test_update_item_refuses_unknown_field(world):
    with pytest.raises(ValidationError) as exc:
        services.do_update_item(world.users.city_admin, world.item, code="NEW")
    assert "code" in _errors(exc)


@pytest.mark.parametrize("role", ["public", "staff_a", "agency_admin_a", "county_admin_a", "county_admin_b"])
def test_update_city_item_refused_for_non_city_roles(world, role):
    with pytest.raises(PermissionDenied):
        services.do_update_item(getattr(world.users, role), world.item, name="改名")
    world.item.refresh_from_db()
    assert world.item.name == "商标注册申请受理"


def test_county_admin_updates_own_item_not_the_other_county(world):
    services.do_update_item(world.users.county_admin_a, world.draft_a, name="甲区改名")
    with pytest.raises(PermissionDenied):
        services.do_update_item(world.users.county_admin_b, world.draft_a, name="乙县改名")
    world.draft_a.refresh_from_db()
    assert world.draft_a.name == "甲区改名"


# --- drafts -----------------------------------------------------------------------------------


def test_save_draft_creates_one_draft_and_updates_it(world, guide):
    draft = services.do_save_draft(world.users.city_admin, world.item, **guide)
    assert draft.status == GuideStatus.DRAFT and draft.number is None
    again = services.do_save_draft(world.users.city_admin, world.item, time_limit_days=7)
    assert again.pk == draft.pk and again.time_limit_days == 7 and again.steps == guide["steps"]
    assert world.item.versions.filter(status=GuideStatus.DRAFT).count() == 1


def test_new_draft_starts_from_the_version_in_force(world):
    draft = services.do_save_draft(world.users.city_admin, world.item, fees="免费")
    assert draft.steps == world.item.current.steps
    assert draft.time_limit_days == world.item.current.time_limit_days


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("steps", []),
        ("steps", "提交申请"),
        ("steps", ["ok", ""]),
        ("materials", "申请书"),
        ("materials", [{"copies": 1}]),
        ("materials", [{"name": "申请书", "copies": 0}]),
        ("materials", [{"name": "申请书", "required": "yes"}]),
        ("materials", [{"name": "申请书", "colour": "red"}]),
        ("time_limit_days", None),
        ("time_limit_days", 0),
        ("time_limit_days", 366),
        ("time_limit_days", "abc"),
        ("channels", ["fax"]),
        ("agency_types", ["bank"]),
        ("legal_basis", [{"article": "第一条"}]),
        ("faq", [{"q": "问题"}]),
        ("faq", ["问题"]),
    ],
)
def test_each_guide_field_is_validated(world, guide, field, value):
    guide[field] = value
    with pytest.raises(ValidationError) as exc:
        services.do_save_draft(world.users.city_admin, world.item, **guide)
    assert list(_errors(exc)) == [field]
    assert not world.item.versions.filter(status=GuideStatus.DRAFT).exists()


def test_missing_time_limit_names_the_reason(world, guide):
    del guide["time_limit_days"]
    world.item.current.time_limit_days = None
    world.item.current.save()
    with pytest.raises(ValidationError) as exc:
        services.do_save_draft(world.users.city_admin, world.item, **guide)
    assert _errors(exc)["time_limit_days"] == ["A guide needs a time limit in working days."]


def test_unknown_guide_field_is_refused(world, guide):
    with pytest.raises(ValidationError) as exc:
        services.do_save_draft(world.users.city_admin, world.item, colour="red", **guide)
    assert "colour" in _errors(exc)


@pytest.mark.parametrize(
    "role", ["anonymous", "public", "enterprise", "staff_a", "agency_admin_a", "county_admin_a"]
)
def test_draft_of_city_item_refused(world, guide, role):
    with pytest.raises(PermissionDenied):
        services.do_save_draft(getattr(world.users, role), world.item, **guide)
    assert not world.item.versions.filter(status=GuideStatus.DRAFT).exists()


def test_county_admin_b_cannot_touch_county_a_draft(world, guide):
    with pytest.raises(PermissionDenied):
        services.do_save_draft(world.users.county_admin_b, world.draft_a, **guide)
    assert services.draft_of(world.draft_a).steps == ["草稿"]


# --- publishing -------------------------------------------------------------------------------


def test_first_publish_numbers_version_one(world):
    version = services.do_publish(world.users.county_admin_a, world.draft_a, "")
    world.draft_a.refresh_from_db()
    assert version.number == 1 and version.status == GuideStatus.PUBLISHED
    assert world.draft_a.current == version and world.draft_a.published
    assert version.published_at is not None
    assert services.draft_of(world.draft_a) is None


def test_publish_supersedes_previous_and_numbers_max_plus_one(world, guide):
    old = world.item.current
    services.do_save_draft(world.users.city_admin, world.item, **guide)
    new = services.do_publish(world.users.city_admin, world.item, "新增网上办理")
    old.refresh_from_db()
    world.item.refresh_from_db()
    assert new.number == 2 and new.change_note == "新增网上办理"
    assert old.status == GuideStatus.SUPERSEDED
    assert world.item.current == new
    assert world.item.versions.filter(status=GuideStatus.PUBLISHED).count() == 1
    assert ServiceItemEvent.objects.filter(item=world.item, kind="published", to_state="v2").exists()


def test_double_publish_creates_one_version(world, guide):
    services.do_save_draft(world.users.city_admin, world.item, **guide)
    services.do_publish(world.users.city_admin, world.item, "第二版")
    with pytest.raises(TransitionError) as exc:
        services.do_publish(world.users.city_admin, world.item, "第二版")
    assert "no draft" in exc.value.message
    assert list(world.item.versions.values_list("number", flat=True).order_by("number")) == [1, 2]


def test_later_version_needs_a_change_note(world, guide):
    services.do_save_draft(world.users.city_admin, world.item, **guide)
    with pytest.raises(ValidationError) as exc:
        services.do_publish(world.users.city_admin, world.item, "  ")
    assert "change_note" in _errors(exc)
    assert services.draft_of(world.item) is not None
    assert world.item.versions.filter(number=2).count() == 0


def test_invalid_draft_is_not_published(world):
    draft = services.draft_of(world.draft_a)
    draft.time_limit_days = None
    draft.save()
    with pytest.raises(ValidationError) as exc:
        services.do_publish(world.users.city_admin, world.draft_a, "")
    assert "time_limit_days" in _errors(exc)
    world.draft_a.refresh_from_db()
    assert not world.draft_a.published and world.draft_a.current is None


@pytest.mark.parametrize("role", ["public", "staff_a", "agency_admin_a", "county_admin_b"])
def test_publish_refused_for_roles_that_may_not_change(world, role):
    with pytest.raises(PermissionDenied):
        services.do_publish(getattr(world.users, role), world.draft_a, "")
    world.draft_a.refresh_from_db()
    assert not world.draft_a.published
    assert services.draft_of(world.draft_a) is not None


def test_version_in_force_at_different_times(world, guide):
    v1 = world.item.current
    v1.published_at = timezone.now() - dt.timedelta(days=30)
    v1.save()
    services.do_save_draft(world.users.city_admin, world.item, **guide)
    v2 = services.do_publish(world.users.city_admin, world.item, "第二版")
    GuideVersion.objects.filter(pk=v2.pk).update(published_at=timezone.now() - dt.timedelta(days=10))
    services.do_save_draft(world.users.city_admin, world.item, time_limit_days=3)
    v3 = services.do_publish(world.users.city_admin, world.item, "第三版")
    now = timezone.now()
    assert services.version_in_force(world.item, now - dt.timedelta(days=40)) is None
    assert services.version_in_force(world.item, now - dt.timedelta(days=20)) == v1
    assert services.version_in_force(world.item, now - dt.timedelta(days=5)) == v2
    assert services.version_in_force(world.item) == v3
    assert services.version_in_force(world.draft_a) is None


def test_changed_fields_lists_differences(world, guide):
    draft = services.do_save_draft(world.users.city_admin, world.item, time_limit_days=20)
    assert services.changed_fields(world.item.current, draft) == ["time_limit_days"]
