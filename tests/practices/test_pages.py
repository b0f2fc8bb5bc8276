"""Good-practice pages and API: the public sees published ones only; authors and reviewers by role."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhichan.practices import services
from zhichan.practices.models import Practice

pytestmark = pytest.mark.django_db
ROLES = ["anonymous", "public", "enterprise", "staff_a", "agency_admin_a", "staff_b", "county_admin_a",
         "county_admin_b", "city_admin"]  # fmt: skip
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


def login(client, world, role):
    if role != "anonymous":
        client.force_login(getattr(world.users, role))


@pytest.fixture
def submitted(world, write):
    practice = write(title="待审的经验")
    return services.do_submit_practice(world.users.staff_a, practice)


@pytest.mark.parametrize(
    "role, sees_submitted, reviews",
    [
        ("anonymous", False, False),
        ("public", False, False),
        ("enterprise", False, False),
        ("staff_a", True, False),  # the author
        ("agency_admin_a", False, False),
        ("staff_b", False, False),
        ("county_admin_a", True, True),
        ("county_admin_b", False, False),
        ("city_admin", True, True),
    ],
)
def test_who_sees_what(client, world, write, published, submitted, role, sees_submitted, reviews):
    draft = write(title="草稿经验")
    login(client, world, role)
    body = client.get("/practices/").content.decode()
    assert f'data-practice="{published.pk}"' in body
    assert f'data-practice="{submitted.pk}"' not in body and f'data-practice="{draft.pk}"' not in body
    assert client.get(f"/practices/{published.pk}/").status_code == 200
    assert client.get(f"/practices/{submitted.pk}/").status_code == (200 if sees_submitted else 404)
    assert client.get(f"/practices/{draft.pk}/").status_code == (200 if role == "staff_a" else 404)
    page = client.get(f"/practices/{submitted.pk}/").content.decode()
    assert ('data-testid="practice-approve"' in page) == reviews
    client.post(f"/practices/{submitted.pk}/approve/")
    submitted.refresh_from_db()
    assert (submitted.status == "published") == reviews
    api = client.get("/api/v1/practices/").json()
    ids = {p["id"] for p in api["items"]}
    assert published.pk in ids and draft.pk not in ids
    assert client.get(f"/api/v1/practices/{draft.pk}").status_code == 404


def test_filters_and_home_page(client, world, write):
    made = []
    for n, (category, county, agency) in enumerate(
        [("training", world.county_a, world.centre_a), ("rights_protection", world.county_b, None)] * 2
    ):
        practice = write(
            world.users.city_admin, title=f"经验{n}", category=category, county=county, agency=agency
        )
        services.do_submit_practice(world.users.city_admin, practice)
        made.append(services.do_approve_practice(world.users.county_admin_a if county == world.county_a
                                                 else world.users.county_admin_b, practice))  # fmt: skip
    body = client.get(f"/practices/?category=training&county={world.county_a.pk}").content.decode()
    assert body.count('data-testid="practice-card"') == 2
    assert (
        client.get("/practices/?category=rights_protection")
        .content.decode()
        .count('data-testid="practice-card"')
        == 2
    )
    assert client.get("/practices/?county=nonsense&category=zzz").status_code == 200
    api = client.get(f"/api/v1/practices/?county={world.county_b.pk}").json()
    assert {p["title"] for p in api["items"]} == {"经验1", "经验3"}
    home = client.get("/").content.decode()
    assert home.count('data-testid="home-practice"') == 3
    assert f'data-practice="{made[0].pk}"' not in home  # the oldest of four is not among the newest three


def test_the_public_page_shows_nothing_of_the_case(client, world, write, case_a):
    practice = write(case_number=case_a.number)
    services.do_submit_practice(world.users.staff_a, practice)
    services.do_approve_practice(world.users.city_admin, practice)
    public = client.get(f"/practices/{practice.pk}/").content.decode()
    assert case_a.number not in public and case_a.subject not in public
    api = client.get(f"/api/v1/practices/{practice.pk}").content.decode()
    assert case_a.number not in api and "case" not in api
    client.force_login(world.users.county_admin_a)
    assert case_a.number in client.get(f"/practices/{practice.pk}/").content.decode()


def test_body_is_plain_text_paragraphs(client, world, write):
    practice = write(body="第一段 & “引号”。\n\n第二段。")
    services.do_submit_practice(world.users.staff_a, practice)
    services.do_approve_practice(world.users.city_admin, practice)
    body = client.get(f"/practices/{practice.pk}/").content.decode()
    assert "<p>第一段 &amp; “引号”。</p>" in body and "<p>第二段。</p>" in body


def test_write_submit_return_through_the_pages(client, world):
    client.force_login(world.users.staff_a)
    response = client.post(
        "/practices/new/",
        {"title": "网点建设经验", "category": "network_building", "county": world.county_a.pk,
         "agency": world.centre_a.pk, "summary": "摘要", "body": "正文", "tags": "网点",
         "files": [SimpleUploadedFile("照片.png", PNG)]},
    )  # fmt: skip
    practice = Practice.objects.get()
    assert response.status_code == 302 and practice.files.count() == 1
    bad = client.post(
        f"/practices/{practice.pk}/edit/",
        {
            "title": "",
            "category": "network_building",
            "county": world.county_a.pk,
            "summary": "摘要",
            "body": "<b>粗</b>",
        },
    )
    assert bad.status_code == 200 and 'data-field="title"' in bad.content.decode()
    html_body = client.post(
        f"/practices/{practice.pk}/edit/",
        {"title": "标题", "category": "network_building", "county": world.county_a.pk, "summary": "摘要",
         "body": "<b>粗</b>"},
    )  # fmt: skip
    assert 'data-field="body"' in html_body.content.decode()
    practice.refresh_from_db()
    assert practice.title == "网点建设经验"
    client.post(f"/practices/{practice.pk}/submit/")
    image = client.get(f"/practices/files/{practice.files.get().pk}/")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    client.force_login(world.users.county_admin_a)
    refused = client.post(f"/practices/{practice.pk}/return/", {"reason": ""})
    assert refused.status_code == 422
    client.post(f"/practices/{practice.pk}/return/", {"reason": "请补充照片说明"})
    practice.refresh_from_db()
    assert practice.status == "returned"
    client.logout()
    assert client.get(f"/practices/files/{practice.files.get().pk}/").status_code == 404
    client.force_login(world.users.staff_a)
    assert "请补充照片说明" in client.get(f"/practices/{practice.pk}/").content.decode()
    assert f'data-practice="{practice.pk}"' in client.get("/practices/mine/").content.decode()
