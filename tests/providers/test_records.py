"""Service records per provider against a hand-built set of cases and ratings."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tests.factories import AgencyFactory
from zhichan.agencies.models import AgencyType
from zhichan.cases.models import Case, Rating
from zhichan.providers import records, services

pytestmark = pytest.mark.django_db

APPLICATION = {
    "subject": "申请",
    "description": "说明",
    "requester_name": "王",
    "requester_phone": "13900000009",
}


@pytest.fixture
def history(world, provider, offer, offer_data):
    """Five cases of the provider: 2 closed on time, 1 closed late, 1 replied, 1 new; 3 ratings."""
    second = services.do_create_offer(provider.admin, **{**offer_data, "title": "培训", "price": "50"})
    third = services.do_create_offer(provider.admin, **{**offer_data, "title": "讲座"})
    services.do_withdraw_offer(provider.admin, third)
    made = [services.do_apply_for_offer(None, offer, **APPLICATION) for _ in range(4)]
    made.append(services.do_apply_for_offer(None, second, **APPLICATION))
    now = timezone.now()
    deadline = now + dt.timedelta(days=5)
    Case.objects.filter(pk__in=[c.pk for c in made]).update(deadline=deadline)
    early, late = deadline - dt.timedelta(days=1), deadline + dt.timedelta(days=1)
    Case.objects.filter(pk=made[0].pk).update(
        status="closed", replied_at=early, closed_at=late
    )  # answered in time
    Case.objects.filter(pk=made[1].pk).update(status="closed", replied_at=None, closed_at=early)
    Case.objects.filter(pk=made[2].pk).update(status="closed", replied_at=late, closed_at=late)
    Case.objects.filter(pk=made[3].pk).update(status="replied", replied_at=early)
    for case, level in ((made[0], "satisfied"), (made[1], "basic"), (made[2], "dissatisfied")):
        Rating.objects.create(case=case, level=level, agency=provider.agency)
    # Another provider's rating and a government agency's case do not count here.
    library = AgencyFactory(name="甲区图书馆", type=AgencyType.LIBRARY, region=world.county_a)
    return {"cases": made, "library": library}


def test_figures(world, provider, history):
    rows = {r["id"]: r for r in services_records()}
    row = rows[provider.agency.pk]
    assert (row["offers"], row["offers_total"]) == (2, 3)
    assert (row["cases"], row["closed"], row["on_time"]) == (5, 3, 2)
    assert row["on_time_rate"] == 66.7
    assert (row["ratings"], row["satisfied"], row["basic"], row["dissatisfied"]) == (3, 1, 1, 1)
    assert row["satisfaction_rate"] == 66.7
    empty = rows[history["library"].pk]
    assert (empty["cases"], empty["on_time_rate"], empty["satisfaction_rate"]) == (0, None, None)
    assert world.centre_a.pk not in rows  # not a provider


def services_records(**kwargs):
    return records.service_records(**kwargs)


def test_period(world, provider, history):
    future = timezone.now() + dt.timedelta(days=1)
    row = {r["id"]: r for r in records.service_records(since=future)}[provider.agency.pk]
    assert (row["cases"], row["ratings"], row["offers"]) == (0, 0, 2)


def test_records_follow_the_administrator(world, provider, history):
    assert {r["id"] for r in records.records_for(world.users.county_admin_b)} == set()
    assert provider.agency.pk in {r["id"] for r in records.records_for(world.users.county_admin_a)}
    assert provider.agency.pk in {r["id"] for r in records.records_for(world.users.city_admin)}


def test_page_and_xlsx(client, world, provider, history):
    for role in ("public", "staff_a", "agency_admin_a"):
        client.force_login(getattr(world.users, role))
        assert client.get("/providers/records/").status_code == 404
    client.force_login(provider.admin)
    assert client.get("/providers/records/").status_code == 404
    client.force_login(world.users.city_admin)
    page = client.get("/providers/records/").content.decode()
    assert provider.agency.name in page and "66.7" in page
    response = client.get("/providers/records/?format=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Provider" and rows[0][9] == "On-time rate (%)"
    mine = next(r for r in rows[1:] if r[0] == provider.agency.name)
    assert mine[1] == "University or research institute" and mine[4:10] == (2, 3, 5, 3, 2, 66.7)
