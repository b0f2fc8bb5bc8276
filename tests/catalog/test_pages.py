import re

import pytest
from django.urls import reverse

from zhichan.catalog import services
from zhichan.catalog.models import GuideStatus, ServiceItem

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
MANAGERS = {"county_admin_a", "county_admin_b", "city_admin"}


def login(client, world, role):
    if role != "anonymous":
        client.force_login(getattr(world.users, role))
    return client


def draft_post(**overrides):
    data = {
        "item-name": "商标注册申请受理",
        "item-name_en": "Trademark registration",
        "item-category": "government",
        "item-summary": "",
        "item-sort": "0",
        "steps": "提交申请\n窗口受理\n",
        "materials": "申请书 | 1 | yes\n商标图样 | 1 | 是 | 着色图样另附黑白稿\n",
        "fees": "每类300元",
        "legal_basis": "《中华人民共和国商标法》 | 第二十二条\n",
        "time_limit_days": "2",
        "time_limit_note": "",
        "channels": ["window", "online"],
        "agency_types": ["tm_window"],
        "faq": "能网上办吗？ | 可以。\n",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("role", ROLES)
def test_public_pages_render_for_every_role(client, world, role):
    login(client, world, role)
    index = client.get(reverse("catalog:index"))
    assert index.status_code == 200
    assert 'data-testid="catalog-item"' in index.content.decode()
    guide = client.get(reverse("catalog:guide", args=["TM-REG"])).content.decode()
    assert 'data-testid="guide-title"' in guide and "商标注册申请受理" in guide
    assert 'data-testid="guide-time-limit"' in guide
    assert f"{reverse('agencies:finder')}?service=TM-REG" in guide
    assert "甲区知识产权服务中心" in guide  # an operating agency offering it
    printed = client.get(reverse("catalog:print", args=["TM-REG"])).content.decode()
    assert 'class="print-guide"' in printed and "navbar" not in printed and "申请书" in printed
    version = client.get(reverse("catalog:version", args=["TM-REG", 1]))
    assert version.status_code == 200 and 'data-testid="version-in-force"' in version.content.decode()
    assert ("guide-edit" in guide) == (role == "city_admin")


def test_index_search_and_category_filter(client, world):
    assert "商标注册申请受理" in client.get(reverse("catalog:index"), {"q": "商标"}).content.decode()
    page = client.get(reverse("catalog:index"), {"q": "不存在的服务"}).content.decode()
    assert 'data-testid="catalog-empty"' in page
    page = client.get(reverse("catalog:index"), {"category": "training"}).content.decode()
    assert "商标注册申请受理" not in page


def test_index_lists_published_items_only(client, world):
    client.force_login(world.users.city_admin)
    page = client.get(reverse("catalog:index")).content.decode()
    assert "甲区特色服务" not in page


@pytest.mark.parametrize("role", ROLES)
def test_unpublished_item_pages(client, world, role):
    login(client, world, role)
    response = client.get(reverse("catalog:guide", args=["A-LOCAL"]))
    expected = 200 if role in ("county_admin_a", "city_admin") else 404
    assert response.status_code == expected
    assert client.get(reverse("catalog:print", args=["A-LOCAL"])).status_code == 404


def test_old_version_is_marked_superseded(client, world):
    services.do_save_draft(world.users.city_admin, world.item, time_limit_days=4)
    services.do_publish(world.users.city_admin, world.item, "缩短时限")
    page = client.get(reverse("catalog:version", args=["TM-REG", 1])).content.decode()
    assert 'data-testid="version-superseded"' in page
    guide = client.get(reverse("catalog:guide", args=["TM-REG"])).content.decode()
    assert reverse("catalog:version", args=["TM-REG", 1]) in guide and "缩短时限" in guide
    assert client.get(reverse("catalog:version", args=["TM-REG", 3])).status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_manage_pages_by_role(client, world, role):
    login(client, world, role)
    response = client.get(reverse("catalog:manage"))
    create = client.get(reverse("catalog:create"))
    if role == "anonymous":
        assert response.status_code == 302 and create.status_code == 302
        return
    if role not in MANAGERS:
        assert response.status_code == 404 and create.status_code == 404
        return
    assert response.status_code == 200 and create.status_code == 200
    page = response.content.decode()
    assert ('data-code="A-LOCAL"' in page) == (role in ("county_admin_a", "city_admin"))
    assert ('data-code="TM-REG"' in page) == (role == "city_admin")


@pytest.mark.parametrize("role", ROLES)
def test_edit_and_publish_pages_by_role(client, world, role):
    login(client, world, role)
    for name in ("catalog:edit", "catalog:publish"):
        response = client.get(reverse(name, args=["A-LOCAL"]))
        if role == "anonymous":
            assert response.status_code == 302
        else:
            assert response.status_code == (200 if role in ("county_admin_a", "city_admin") else 404)


def test_refused_post_changes_nothing(client, world):
    client.force_login(world.users.county_admin_b)
    response = client.post(reverse("catalog:edit", args=["A-LOCAL"]), draft_post(**{"item-name": "乙县改"}))
    assert response.status_code == 404
    assert client.post(reverse("catalog:publish", args=["A-LOCAL"]), {}).status_code == 404
    world.draft_a.refresh_from_db()
    assert world.draft_a.name == "甲区特色服务" and not world.draft_a.published
    assert services.draft_of(world.draft_a).steps == ["草稿"]


def test_create_item_page(client, world):
    client.force_login(world.users.county_admin_a)
    data = {"code": "A-NEW", "name": "甲区新服务", "category": "training", "sort": "1",
            "owner_region": world.county_a.pk}  # fmt: skip
    response = client.post(reverse("catalog:create"), data)
    assert response.status_code == 302 and response.url == reverse("catalog:edit", args=["A-NEW"])
    assert ServiceItem.objects.get(code="A-NEW").owner_region == world.county_a
    again = client.post(reverse("catalog:create"), data)
    assert again.status_code == 200
    assert 'data-field="code"' in again.content.decode()
    assert ServiceItem.objects.filter(code="A-NEW").count() == 1


def test_create_with_bad_code_shows_error_at_field(client, world):
    client.force_login(world.users.city_admin)
    response = client.post(reverse("catalog:create"), {"code": "bad", "name": "x", "category": "training"})
    assert response.status_code == 200
    assert 'data-field="code"' in response.content.decode()
    assert not ServiceItem.objects.filter(name="x").exists()


def test_edit_saves_draft_then_publish_page_shows_diff_and_publishes_once(client, world):
    client.force_login(world.users.city_admin)
    response = client.post(reverse("catalog:edit", args=["TM-REG"]), draft_post())
    assert response.status_code == 302 and response.url == reverse("catalog:publish", args=["TM-REG"])
    draft = services.draft_of(world.item)
    assert draft.materials[1] == {
        "name": "商标图样",
        "copies": 1,
        "required": True,
        "note": "着色图样另附黑白稿",
    }
    assert draft.legal_basis == [{"law": "《中华人民共和国商标法》", "article": "第二十二条"}]
    assert draft.faq == [{"q": "能网上办吗？", "a": "可以。"}]
    page = client.get(reverse("catalog:publish", args=["TM-REG"])).content.decode()
    assert 'data-testid="publish-diff"' in page and 'data-field="time_limit_days"' in page
    done = client.post(reverse("catalog:publish", args=["TM-REG"]), {"change_note": "第二版"})
    assert done.status_code == 302 and done.url == reverse("catalog:guide", args=["TM-REG"])
    again = client.post(reverse("catalog:publish", args=["TM-REG"]), {"change_note": "第二版"})
    assert again.status_code == 302
    assert list(world.item.versions.values_list("number", flat=True).order_by("number")) == [1, 2]
    world.item.refresh_from_db()
    assert world.item.current.number == 2 and world.item.current.status == GuideStatus.PUBLISHED


def test_edit_errors_are_shown_at_the_field(client, world):
    client.force_login(world.users.city_admin)
    response = client.post(
        reverse("catalog:edit", args=["TM-REG"]), draft_post(time_limit_days="", materials="申请书 | many")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-field="materials"' in page
    response = client.post(reverse("catalog:edit", args=["TM-REG"]), draft_post(time_limit_days=""))
    page = response.content.decode()
    assert 'data-field="time_limit_days"' in page and "A guide needs a time limit in working days." in page
    assert services.draft_of(world.item) is None
    world.item.refresh_from_db()
    assert world.item.name_en == ""  # the item details were not half-saved


def test_publish_without_change_note_shows_error(client, world):
    client.force_login(world.users.city_admin)
    services.do_save_draft(world.users.city_admin, world.item, time_limit_days=4)
    response = client.post(reverse("catalog:publish", args=["TM-REG"]), {"change_note": ""})
    assert response.status_code == 200 and 'data-field="change_note"' in response.content.decode()
    assert services.draft_of(world.item) is not None


def test_publish_of_invalid_draft_lists_problems(client, world):
    client.force_login(world.users.county_admin_a)
    draft = services.draft_of(world.draft_a)
    draft.time_limit_days = None
    draft.save()
    response = client.post(reverse("catalog:publish", args=["A-LOCAL"]), {"change_note": ""})
    assert response.status_code == 200 and 'data-testid="publish-problems"' in response.content.decode()
    world.draft_a.refresh_from_db()
    assert not world.draft_a.published


def test_nav_links(client, world):
    page = client.get("/").content.decode()
    assert reverse("catalog:index") in page and reverse("catalog:manage") not in page
    client.force_login(world.users.county_admin_a)
    assert reverse("catalog:manage") in client.get("/").content.decode()


def test_english_guide(client, world):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(reverse("catalog:guide", args=["TM-REG"])).content.decode()
    assert "10 working days" in page and "Version history" in page


@pytest.mark.parametrize(
    "path", ["/services/", "/services/TM-REG/", "/services/TM-REG/print/", "/services/TM-REG/v/1/"]
)
def test_catalogue_pages_load_assets_from_the_app(client, world, path):
    html = client.get(path).content.decode()
    assert "/static/vendor/bootstrap/bootstrap.min.css" in html
    assert not re.search(r"""<(?:script|link)[^>]+(?:src|href)=["'](?:https?:)?//""", html)
