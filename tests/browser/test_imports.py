"""A county administrator imports a patent export, reads the refused rows, then follows a record
to its enterprise and county."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from zhichan.accounts.models import Role, User
from zhichan.regions.loaders import load_regions
from zhichan.regions.models import Region

pytestmark = pytest.mark.django_db(transaction=True)

FIXTURES = Path(__file__).parent.parent / "ipdata" / "fixtures"
PASSWORD = "Taigu-import-pass-2024"


@pytest.fixture
def admin(settings, tmp_path):
    from zhichan.core.bundles import DEMO_BUNDLE

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ZHICHAN_CITY_CODE = "140700"
    load_regions(DEMO_BUNDLE / "regions.csv")
    return User.objects.create_user(
        username="taigu_importer",
        password=PASSWORD,
        role=Role.COUNTY_ADMIN,
        region=Region.objects.get(code="140703"),
        display_name="太谷区管理员",
    )


def test_import_a_patent_export_and_follow_a_record(page, admin):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", admin.username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url("**/")

    page.get_by_test_id("nav-imports").click()
    page.wait_for_url("**/ipdata/imports/")
    page.set_input_files("input[name=file]", str(FIXTURES / "patents.csv"))
    page.get_by_test_id("import-submit").click()
    page.wait_for_url("**/ipdata/imports/*/")

    # The worker runs the job (at once in tests); the page shows the counts and refused rows.
    progress = page.get_by_test_id("job-progress")
    expect(progress).to_have_attribute("data-status", "done")
    expect(progress.locator("[data-count=created]")).to_have_text("5")
    expect(page.get_by_test_id("row-error")).to_have_count(4)
    expect(page.locator('[data-testid=row-error][data-row="5"]')).to_contain_text("201710987654.2")
    expect(page.get_by_test_id("errors-csv")).to_be_visible()

    page.goto("/ipdata/patents/201510163325.6/")
    expect(page.get_by_test_id("record-county")).to_contain_text("太谷区")
    page.get_by_test_id("record-enterprises").get_by_role("link").first.click()
    page.wait_for_url("**/enterprises/*/")
    expect(page.locator('[data-testid=patent-row][data-number="201510163325.6"]')).to_be_visible()
    page.get_by_test_id("enterprise-county").click()
    page.wait_for_url("**/ipdata/counties/140703/")
    expect(page.get_by_test_id("patent-row")).to_have_count(1)
