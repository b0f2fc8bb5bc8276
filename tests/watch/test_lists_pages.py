"""Watch list pages and API, and the scan an import sets off."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.ipdata.conftest import login
from zhichan.ipdata import services as ipdata_services
from zhichan.watch import services
from zhichan.watch.models import Alert, WatchList


def test_an_enterprise_user_creates_a_list_and_watches_a_mark(client, world, english):
    login(client, world, "enterprise")
    page = client.get(reverse("watch:index"))
    assert page.status_code == 200 and 'data-testid="watch-list-form"' in page.content.decode()
    response = client.post(reverse("watch:index"), {"name": "品牌", "digest": "daily"})
    watch_list = WatchList.objects.get()
    assert response.status_code == 302 and watch_list.enterprise == world.enterprise_a
    detail = reverse("watch:detail", args=[watch_list.pk])
    refused = client.post(detail, {"kind": "mark", "text": "★", "nice_classes": "30"})
    assert refused.status_code == 200 and "not only symbols" in refused.content.decode()
    client.post(detail, {"kind": "mark", "text": "康师傅", "nice_classes": "30"})
    page = client.get(detail).content.decode()
    assert "康师傅" in page and watch_list.items.count() == 1
    item = watch_list.items.get()
    client.post(reverse("watch:remove_item", args=[item.pk]))
    assert watch_list.items.count() == 0


@pytest.mark.parametrize(
    ("role", "status"), [("anonymous", 302), ("public", 404), ("staff_a", 404), ("county_admin_b", 404)]
)
def test_others_cannot_open_or_change_a_list(client, world, role, status):
    watch_list = services.do_create_list(world.users.enterprise, "品牌")
    login(client, world, role)
    assert client.get(reverse("watch:detail", args=[watch_list.pk])).status_code == status
    assert (
        client.post(
            reverse("watch:detail", args=[watch_list.pk]), {"kind": "applicant", "text": "某"}
        ).status_code
        == status
    )
    assert watch_list.items.count() == 0


def test_a_county_administrator_reads_but_does_not_change(client, world):
    watch_list = services.do_create_list(world.users.enterprise, "品牌")
    login(client, world, "county_admin_a")
    page = client.get(reverse("watch:detail", args=[watch_list.pk]))
    assert page.status_code == 200 and 'data-testid="watch-item-form"' not in page.content.decode()
    assert (
        client.post(
            reverse("watch:detail", args=[watch_list.pk]), {"kind": "applicant", "text": "某"}
        ).status_code
        == 404
    )


def test_the_api_keeps_lists_and_reads_alerts(client, world):
    login(client, world, "enterprise")
    created = client.post("/api/v1/watch/lists", {"name": "品牌"}, content_type="application/json")
    assert created.status_code == 201, created.content
    list_id = created.json()["id"]
    bad = client.post(
        f"/api/v1/watch/lists/{list_id}/items",
        {"kind": "mark", "text": "康师傅"},
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "nice_classes"
    item = client.post(
        f"/api/v1/watch/lists/{list_id}/items",
        {"kind": "applicant", "text": "乙方科技有限公司"},
        content_type="application/json",
    )
    assert item.status_code == 201
    watch_list = WatchList.objects.get(pk=list_id)
    alert = Alert.objects.create(
        watch_list=watch_list,
        item=watch_list.items.get(),
        kind="competitor_filing",
        key="x",
        summary="新申请",
    )
    alerts = client.get("/api/v1/watch/alerts?unread=true").json()
    assert [a["id"] for a in alerts["items"]] == [alert.pk]
    assert client.post(
        "/api/v1/watch/alerts/read", {"ids": [alert.pk]}, content_type="application/json"
    ).json() == {"marked": 1}
    assert client.get("/api/v1/watch/alerts?unread=true").json()["items"] == []
    client.force_login(world.users.staff_b)
    assert client.get(f"/api/v1/watch/lists/{list_id}").status_code == 404
    assert client.get("/api/v1/watch/alerts").json()["items"] == []
    assert client.post(
        "/api/v1/watch/alerts/read", {"ids": [alert.pk]}, content_type="application/json"
    ).json() == {"marked": 0}
    assert client.delete(f"/api/v1/watch/lists/{list_id}").status_code == 404
    client.force_login(world.users.public)
    assert (
        client.post("/api/v1/watch/lists", {"name": "x"}, content_type="application/json").status_code == 404
    )


def test_an_import_that_brings_a_similar_application_raises_an_alert(world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    watch_list = services.do_create_list(world.users.enterprise, "品牌")
    services.do_add_item(world.users.enterprise, watch_list, "mark", text="禾丰", nice_classes="31")
    published = (timezone.localdate() - dt.timedelta(days=20)).isoformat()
    path = tmp_path / "marks.csv"
    path.write_text(
        "注册号,商标名称,国际分类,类似群,申请日,初审公告日,申请人,商标状态\n"
        f"66000001,禾豐,31,3101,2026-01-05,{published},某农业有限公司,初审公告\n"
        f"66000002,青松,31,3101,2026-01-05,{published},某农业有限公司,初审公告\n",
        encoding="utf-8",
    )
    job = ipdata_services.do_import_file(None, "trademark_table", path)
    assert job.status == "done", job.message
    alert = Alert.objects.get()
    assert alert.trademark.registration_number == "66000001" and alert.kind == "similar_mark"
