"""On a phone, a person finds a training event from the menu, registers, and checks in with the
code the organiser shows at the venue; the organiser's page counts the attendee."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import PASSWORD
from zhichan.training.models import Registration, TrainingEvent

pytestmark = pytest.mark.django_db(transaction=True)


def test_register_for_an_event_and_check_in_with_the_code(phone_page, world):
    page = phone_page
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    start = timezone.now() + dt.timedelta(minutes=20)
    event = TrainingEvent.objects.create(
        title="专利申请实务培训",
        audience="enterprises",
        organiser=world.centre_a,
        region=world.county_a,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        venue="甲区政务服务中心",
        capacity=20,
        hours=Decimal("2"),
        status="published",
    )

    page.goto("/accounts/login/")
    page.fill("input[name=username]", "enterprise")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url("**/")

    page.goto("/training/")
    card = page.locator(f'[data-testid="training-event"][data-event="{event.pk}"]')
    expect(card).to_contain_text("专利申请实务培训")
    card.get_by_role("link").click()
    page.wait_for_url(f"**/training/{event.pk}/")
    page.get_by_test_id("training-register").click()
    expect(page.get_by_test_id("training-mine-status")).to_have_attribute("data-status", "registered")

    # A wrong code is refused at the field; the right one (any case) checks in.
    page.fill("input[name=code]", "WRONG9")
    page.get_by_test_id("training-checkin-submit").click()
    expect(page.locator('[data-testid="field-error"][data-field="code"]')).to_be_visible()
    page.fill("input[name=code]", event.checkin_code.lower())
    page.get_by_test_id("training-checkin-submit").click()
    expect(page.get_by_test_id("training-mine-status")).to_have_attribute("data-status", "attended")
    expect(page.get_by_test_id("training-feedback-form")).to_be_visible()
    assert Registration.objects.get(event=event, user=world.users.enterprise).checked_in_at is not None

    page.goto("/training/mine/")
    expect(page.get_by_test_id("training-mine-row")).to_have_attribute("data-status", "attended")
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    assert errors == []


def test_statistics_draw_their_charts(page, world):
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    start = timezone.now() - dt.timedelta(days=1)
    event = TrainingEvent.objects.create(
        title="已结束的培训",
        audience="schools",
        organiser=world.centre_a,
        region=world.county_a,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        venue="实验中学",
        capacity=20,
        hours=Decimal("2"),
        status="finished",
    )
    Registration.objects.create(event=event, user=world.users.public, status="attended")
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "city_admin")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url("**/")
    page.goto(f"/training/statistics/?year={timezone.localtime(start).year}")
    expect(page.locator("#chart-audience canvas")).to_have_count(1)
    expect(page.locator("#chart-county canvas")).to_have_count(1)
    expect(page.get_by_test_id("stats-total").first).to_contain_text("1")
    assert errors == []
