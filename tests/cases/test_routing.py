import pytest
from django.core.exceptions import ValidationError

from tests.factories import AgencyFactory
from zhichan.agencies.models import Level
from zhichan.agencies.models import Status as AgencyStatus
from zhichan.cases.models import RoutingRule
from zhichan.cases.routing import route

pytestmark = pytest.mark.django_db


@pytest.fixture
def rules(world):
    tm_desk = AgencyFactory(name="甲区商标窗口", region=world.county_a)
    item_desk = AgencyFactory(name="甲区注册受理窗口", region=world.county_a)
    RoutingRule.objects.create(case_type="complaint", agency=world.city_centre)
    RoutingRule.objects.create(case_type="complaint", region=world.county_a, agency=world.centre_a)
    RoutingRule.objects.create(case_type="complaint", region=world.park_a, agency=world.outlet_a)
    RoutingRule.objects.create(
        case_type="complaint", region=world.county_a, ip_type="trademark", agency=tm_desk
    )
    RoutingRule.objects.create(case_type="complaint", service_item=world.item, agency=item_desk)
    return {"tm_desk": tm_desk, "item_desk": item_desk}


def test_most_specific_rule_wins(world, rules):
    assert route("complaint", world.county_b) == world.city_centre  # only the type matches
    assert route("complaint", world.county_a) == world.centre_a
    assert route("complaint", world.park_a) == world.outlet_a  # the park is deeper than its county
    assert route("complaint", world.county_a, "trademark") == rules["tm_desk"]
    assert route("complaint", world.county_a, "patent") == world.centre_a
    # A service item outweighs region and IP type.
    assert route("complaint", world.park_a, "trademark", world.item) == rules["item_desk"]


def test_priority_breaks_ties(world):
    RoutingRule.objects.create(case_type="report", region=world.county_a, agency=world.centre_a, priority=1)
    RoutingRule.objects.create(case_type="report", region=world.county_a, agency=world.outlet_a, priority=5)
    assert route("report", world.county_a) == world.outlet_a


def test_rules_to_closed_agencies_are_skipped(world):
    RoutingRule.objects.create(case_type="report", region=world.county_b, agency=world.closed_b)
    assert route("report", world.county_b) == world.city_centre


def test_fallback_setting_and_default(world, settings):
    assert route("assistance") == world.city_centre
    settings.ZHICHAN_FALLBACK_AGENCY = str(world.centre_b.pk)
    assert route("assistance") == world.centre_b


def test_no_operating_agency_refuses_intake(world):
    from zhichan.agencies.models import Agency

    Agency.objects.filter(level=Level.CITY).update(status=AgencyStatus.CLOSED)
    with pytest.raises(ValidationError, match="No operating agency"):
        route("assistance")


JSON = "application/json"


def test_rules_api_city_admin_crud(client, world):
    client.force_login(world.users.city_admin)
    body = {"case_type": "mediation", "region_code": "990103", "agency_id": world.centre_b.pk, "priority": 3}
    response = client.post("/api/v1/cases/routing-rules", body, content_type=JSON)
    assert response.status_code == 201
    rule_id = response.json()["id"]
    assert route("mediation", world.county_b) == world.centre_b
    body["ip_type"] = "patent"
    assert (
        client.put(f"/api/v1/cases/routing-rules/{rule_id}", body, content_type=JSON).json()["ip_type"]
        == "patent"
    )
    assert client.delete(f"/api/v1/cases/routing-rules/{rule_id}").status_code == 204
    assert not RoutingRule.objects.exists()


def test_rules_api_county_admin_only_own_county(client, world):
    client.force_login(world.users.county_admin_a)
    body = {"case_type": "mediation", "region_code": "990103", "agency_id": world.centre_a.pk}
    response = client.post("/api/v1/cases/routing-rules", body, content_type=JSON)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "region_code"
    body["region_code"] = "990102"
    assert client.post("/api/v1/cases/routing-rules", body, content_type=JSON).status_code == 201
    other = RoutingRule.objects.create(case_type="report", region=world.county_b, agency=world.centre_b)
    assert client.delete(f"/api/v1/cases/routing-rules/{other.pk}").status_code == 404
    assert RoutingRule.objects.filter(pk=other.pk).exists()
    assert [r["region_code"] for r in client.get("/api/v1/cases/routing-rules").json()["items"]] == ["990102"]


@pytest.mark.parametrize("role", ["staff_a", "agency_admin_a", "public"])
def test_rules_api_refused_to_others(client, world, role):
    client.force_login(getattr(world.users, role))
    body = {"case_type": "mediation", "agency_id": world.centre_b.pk}
    assert client.post("/api/v1/cases/routing-rules", body, content_type=JSON).status_code == 404
    assert not RoutingRule.objects.exists()
