"""The public screens a proposed mark: a field error first, then the ranked similar marks with
their reasons and risk, and the XLSX export."""

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from zhichan.ipdata.models import Trademark

pytestmark = pytest.mark.django_db(transaction=True)


def test_public_screens_a_mark(page):
    Trademark.objects.create(
        registration_number="9100001",
        name="康师傅",
        nice_class=30,
        similar_groups=["3009"],
        status="registered",
    )
    Trademark.objects.create(
        registration_number="9100002",
        name="稻香村",
        nice_class=30,
        similar_groups=["3006"],
        status="registered",
    )
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto("/")
    page.get_by_test_id("nav-screening").click()
    page.wait_for_url("**/screening/")
    page.get_by_test_id("screening-mark").fill("康帅傅")
    page.get_by_test_id("screening-submit").click()
    expect(page.get_by_test_id("error-classes")).to_be_visible()  # no class, group or goods yet

    page.get_by_test_id("screening-goods").fill("方便面")
    page.get_by_test_id("screening-submit").click()
    expect(page.get_by_test_id("screening-risk")).to_have_attribute("data-risk", "high")
    hit = page.get_by_test_id("screening-hit").first
    expect(hit).to_have_attribute("data-number", "9100001")
    expect(hit.locator("[data-reason=glyph]")).to_be_visible()
    expect(hit.locator("[data-relation=same_group]")).to_be_visible()
    expect(page.get_by_test_id("screening-hit")).to_have_count(1)  # 稻香村 is not similar

    with page.expect_download() as download:
        page.get_by_test_id("screening-export").click()
    with open(download.value.path(), "rb") as handle:  # the download's file has no extension
        sheet = load_workbook(io.BytesIO(handle.read())).active
    assert "康师傅" in [row[1] for row in sheet.iter_rows(values_only=True)]
    assert errors == []
