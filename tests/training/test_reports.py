"""Staff training hours (per person and agency, by role) and the statistics page with its export."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tests.factories import UserFactory
from zhichan.accounts.models import Role
from zhichan.core.permissions import PermissionDenied
from zhichan.training import reports
from zhichan.training.models import Registration

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(world, make):
    """A finished event this year for agency staff: staff_a and staff_b attended, agency_admin_a did not."""
    start = timezone.now().replace(month=6, day=15, hour=9, minute=0)
    event = make(
        audience="agency_staff",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=4),
        hours=Decimal("4.5"),
        capacity=10,
        status="finished",
    )
    other = make(
        title="乙县培训",
        audience="schools",
        organiser=world.centre_b,
        region=world.county_b,
        starts_at=start + dt.timedelta(days=1),
        ends_at=start + dt.timedelta(days=1, hours=2),
        hours=Decimal("2"),
        status="finished",
    )
    for user, status in (
        (world.users.staff_a, "attended"),
        (world.users.staff_b, "attended"),
        (world.users.agency_admin_a, "no_show"),
        (world.users.public, "attended"),
    ):
        Registration.objects.create(event=event, user=user, status=status)
    Registration.objects.create(event=other, user=world.users.staff_b, status="attended")
    return event


def people(report):
    return {row.user.username: row.hours for row in report.people}


def test_hours_per_person_and_agency_for_the_city(world, held):
    year = held.starts_at.year
    report = reports.staff_hours(world.users.city_admin, year)
    got = people(report)
    assert got["staff_a"] == Decimal("4.5") and got["staff_b"] == Decimal("6.5")
    assert got["agency_admin_a"] == 0 and "public" not in got
    agencies = {row.agency.pk: (row.people, row.trained, row.hours) for row in report.agencies}
    assert agencies[world.centre_a.pk] == (2, 1, Decimal("4.5"))
    assert agencies[world.centre_b.pk] == (2, 1, Decimal("6.5"))
    assert reports.staff_hours(world.users.city_admin, year - 1).people[0].hours == 0


@pytest.mark.parametrize(
    "role, seen",
    [
        ("staff_a", {"staff_a"}),
        ("agency_admin_a", {"staff_a", "agency_admin_a"}),
        ("agency_admin_b", {"staff_b", "agency_admin_b"}),
        ("county_admin_a", {"staff_a", "agency_admin_a"}),
        ("county_admin_b", {"staff_b", "agency_admin_b"}),
    ],
)
def test_hours_visibility_by_role(world, held, role, seen):
    assert set(people(reports.staff_hours(getattr(world.users, role), held.starts_at.year))) == seen


@pytest.mark.parametrize("role", ["anonymous", "public", "enterprise"])
def test_hours_are_not_for_the_public(world, role):
    with pytest.raises(PermissionDenied):
        reports.staff_hours(getattr(world.users, role), 2026)


def test_county_admin_sees_park_agencies(world, held):
    UserFactory(username="outlet_staff", role=Role.AGENCY_STAFF, agency=world.outlet_a)
    assert "outlet_staff" in people(reports.staff_hours(world.users.county_admin_a, held.starts_at.year))


@pytest.mark.parametrize("role, status", [("public", 404), ("staff_a", 200), ("city_admin", 200)])
def test_hours_page_and_export(client, world, held, role, status):
    client.force_login(getattr(world.users, role))
    year = held.starts_at.year
    assert client.get(f"/training/hours/?year={year}").status_code == status
    response = client.get(f"/training/hours/export/?year={year}")
    assert response.status_code == status
    if status == 200:
        book = load_workbook(io.BytesIO(response.content))
        rows = list(book.worksheets[0].iter_rows(values_only=True))
        assert rows[0][0] == "Person"
        names = {r[1] for r in rows[1:]}
        assert ("staff_a" in names) and (("staff_b" in names) == (role == "city_admin"))


def test_statistics_by_audience_and_county(world, held):
    stats = reports.statistics(world.users.city_admin, held.starts_at.year)
    assert (stats.total.events, stats.total.seats, stats.total.attended, stats.total.no_show) == (2, 5, 4, 1)
    assert stats.total.attendance_rate == 80.0
    assert stats.total.hours == Decimal("4.5") * 3 + Decimal("2")
    audience = {r.key: r for r in stats.by_audience}
    assert audience["agency_staff"].events == 1 and audience["schools"].attended == 1
    county = {r.key: r for r in stats.by_county}
    assert county[world.county_a.code].seats == 4 and county[world.county_b.code].seats == 1
    # A county administrator counts the events of their county only.
    mine = reports.statistics(world.users.county_admin_b, held.starts_at.year)
    assert mine.total.events == 1 and [r.key for r in mine.by_county] == [world.county_b.code]


@pytest.mark.parametrize(
    "role, status", [("anonymous", 302), ("public", 404), ("enterprise", 404), ("county_admin_a", 200)]
)
def test_statistics_page_chart_and_export(client, world, held, role, status):
    if role != "anonymous":
        client.force_login(getattr(world.users, role))
    year = held.starts_at.year
    response = client.get(f"/training/statistics/?year={year}")
    assert response.status_code == status
    if status != 200:
        assert client.get(f"/training/statistics/export/?year={year}").status_code == status
        return
    body = response.content.decode()
    assert "vendor/echarts/echarts.min.js" in body and 'id="training-chart-data"' in body
    assert 'data-testid="chart-audience"' in body
    book = load_workbook(io.BytesIO(client.get(f"/training/statistics/export/?year={year}").content))
    assert book.sheetnames == ["By audience", "By county"]
    total = list(book["By audience"].iter_rows(values_only=True))[-1]
    assert total[:3] == ("All", 1, 4)


def test_a_bad_year_falls_back(client, world):
    client.force_login(world.users.city_admin)
    assert client.get("/training/statistics/?year=abc").status_code == 200
    assert client.get("/training/hours/?year=99999999999").status_code == 200
