"""The public screens a mark; then an enterprise user watches it and, after an import brings a
similar application, sees the alert with the last day to oppose."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from zhichan.accounts.models import Role, User
from zhichan.enterprises.models import Enterprise
from zhichan.ipdata import services as ipdata_services
from zhichan.ipdata.models import Trademark

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "Kang-watch-pass-2024"


def test_screen_then_watch_a_mark_and_see_the_alert(page, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    Trademark.objects.create(
        registration_number="9100001",
        name="康师傅",
        nice_class=30,
        similar_groups=["3009"],
        status="registered",
    )
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # The public screens a proposed mark.
    page.goto("/screening/")
    page.get_by_test_id("screening-mark").fill("康帅傅")
    page.get_by_test_id("screening-goods").fill("方便面")
    page.get_by_test_id("screening-submit").click()
    expect(page.get_by_test_id("screening-risk")).to_have_attribute("data-risk", "high")

    # The holder of 康师傅 watches its mark.
    firm = Enterprise.objects.create(name="康师傅控股有限公司", normalized_name="康师傅控股")
    User.objects.create_user(
        username="kang", password=PASSWORD, role=Role.ENTERPRISE, enterprise=firm, organisation=firm.name
    )
    page.goto("/accounts/login/?next=/watch/")
    page.fill("input[name=username]", "kang")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url("**/watch/")
    page.fill("input[name=name]", "品牌")
    page.get_by_test_id("watch-list-submit").click()
    page.wait_for_url("**/watch/*/")
    page.select_option("select[name=kind]", "mark")
    page.fill("input[name=text]", "康师傅")
    page.fill("input[name=nice_classes]", "30")
    page.get_by_test_id("watch-item-submit").click()
    expect(page.get_by_test_id("watch-item")).to_contain_text("康师傅")
    expect(page.get_by_test_id("watch-alert")).to_have_count(0)

    # An import brings a similar application, preliminarily published ten days ago.
    published = timezone.localdate() - dt.timedelta(days=10)
    path = tmp_path / "marks.csv"
    path.write_text(
        "注册号,商标名称,国际分类,类似群,申请日,初审公告日,申请人,商标状态\n"
        f"66000001,康帅傅,30,3009,2026-01-05,{published.isoformat()},某食品有限公司,初审公告\n",
        encoding="utf-8",
    )
    job = ipdata_services.do_import_file(None, "trademark_table", path)
    assert job.status == "done", job.message

    page.reload()
    alert = page.get_by_test_id("watch-alert")
    expect(alert).to_have_count(1)
    expect(alert).to_have_attribute("data-kind", "similar_mark")
    expect(alert).to_contain_text("康帅傅")
    page.goto("/watch/")
    expect(page.get_by_test_id("watch-unread")).to_have_text("1")
    assert errors == []
