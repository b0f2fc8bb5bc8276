"""Routing rule pages: who may open them, validation at the field, the route tester."""

import html
import re

import pytest

from zhichan.cases.models import RoutingRule

pytestmark = pytest.mark.django_db

FIELD_ERROR = re.compile(r'data-testid="field-error" data-field="(\w+)">([^<]*)<')
NOT_EDITORS = ["anonymous", "public", "enterprise", "staff_a", "agency_admin_a"]


def field_errors(response) -> dict:
    found = {}
    for field, text in FIELD_ERROR.findall(response.content.decode()):
        found.setdefault(field, []).append(html.unescape(text))
    return found


def login(client, world, role):
    if role != "anonymous":
        client.force_login(getattr(world.users, role))
    return client


@pytest.fixture
def rules(world):
    return {
        "a": RoutingRule.objects.create(case_type="complaint", region=world.county_a, agency=world.centre_a),
        "b": RoutingRule.objects.create(case_type="complaint", region=world.county_b, agency=world.centre_b),
        "city": RoutingRule.objects.create(case_type="report", agency=world.city_centre, priority=2),
    }


def form(world, **overrides):
    data = {
        "case_type": "mediation",
        "region": world.county_a.pk,
        "agency": world.centre_a.pk,
        "priority": "1",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize("role", NOT_EDITORS)
def test_pages_are_404_for_non_administrators(client, world, rules, role):
    login(client, world, role)
    rule = rules["a"]
    for url in (
        "/cases/rules/",
        "/cases/rules/new/",
        f"/cases/rules/{rule.pk}/edit/",
        f"/cases/rules/{rule.pk}/delete/",
    ):
        response = client.get(url)
        # Anonymous visitors are sent to log in; signed-in non-administrators see nothing.
        assert response.status_code == (302 if role == "anonymous" else 404), url
    client.post("/cases/rules/new/", form(world))
    client.post(f"/cases/rules/{rule.pk}/edit/", form(world, case_type="report"))
    client.post(f"/cases/rules/{rule.pk}/delete/", {"confirm": "yes"})
    rule.refresh_from_db()
    assert rule.case_type == "complaint"
    assert RoutingRule.objects.count() == 3


def test_city_admin_sees_all_rules_with_their_agency(client, world, rules):
    login(client, world, "city_admin")
    body = client.get("/cases/rules/").content.decode()
    for rule in rules.values():
        assert f'data-rule="{rule.pk}"' in body
    assert world.centre_b.display_name in body
    filtered = client.get("/cases/rules/", {"type": "complaint", "region": "990103"}).content.decode()
    assert f'data-rule="{rules["b"].pk}"' in filtered
    assert f'data-rule="{rules["a"].pk}"' not in filtered
    assert f'data-rule="{rules["city"].pk}"' not in filtered


def test_county_admin_sees_only_own_county_rules(client, world, rules):
    login(client, world, "county_admin_a")
    body = client.get("/cases/rules/").content.decode()
    assert f'data-rule="{rules["a"].pk}"' in body
    assert f'data-rule="{rules["b"].pk}"' not in body
    assert f'data-rule="{rules["city"].pk}"' not in body
    assert 'data-testid="nav-rules"' in body


def test_county_admin_of_other_county_gets_404_and_nothing_changes(client, world, rules):
    login(client, world, "county_admin_b")
    rule = rules["a"]
    assert client.get(f"/cases/rules/{rule.pk}/edit/").status_code == 404
    assert (
        client.post(f"/cases/rules/{rule.pk}/edit/", form(world, region=world.county_b.pk)).status_code == 404
    )
    assert client.post(f"/cases/rules/{rule.pk}/delete/", {"confirm": "yes"}).status_code == 404
    rule.refresh_from_db()
    assert rule.region == world.county_a and rule.case_type == "complaint"
    # The city-wide rule is beyond any county administrator.
    assert client.get(f"/cases/rules/{rules['city'].pk}/edit/").status_code == 404


def test_city_admin_creates_edits_and_deletes(client, world):
    login(client, world, "city_admin")
    response = client.post(
        "/cases/rules/new/", form(world, region=world.county_b.pk, agency=world.centre_b.pk)
    )
    assert response.status_code == 302 and response["Location"] == "/cases/rules/"
    rule = RoutingRule.objects.get()
    assert (rule.case_type, rule.region, rule.agency, rule.priority) == (
        "mediation",
        world.county_b,
        world.centre_b,
        1,
    )
    response = client.post(
        f"/cases/rules/{rule.pk}/edit/",
        form(world, region=None, ip_type="patent", agency=world.city_centre.pk),
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.region is None and rule.ip_type == "patent" and rule.agency == world.city_centre
    # Deleting needs the confirmation tick.
    response = client.post(f"/cases/rules/{rule.pk}/delete/", {})
    assert response.status_code == 200 and "confirm" in field_errors(response)
    assert RoutingRule.objects.filter(pk=rule.pk).exists()
    assert client.post(f"/cases/rules/{rule.pk}/delete/", {"confirm": "yes"}).status_code == 302
    assert not RoutingRule.objects.exists()
    # A second delete of the same rule finds nothing.
    assert client.post(f"/cases/rules/{rule.pk}/delete/", {"confirm": "yes"}).status_code == 404


def test_county_admin_creates_in_own_county(client, world):
    login(client, world, "county_admin_a")
    response = client.post("/cases/rules/new/", form(world, region=world.park_a.pk, agency=world.outlet_a.pk))
    assert response.status_code == 302
    assert RoutingRule.objects.get().region == world.park_a


@pytest.mark.parametrize(
    ("role", "overrides", "field", "fragment"),
    [
        ("city_admin", {"agency": 999999}, "agency", "Select a valid choice"),
        ("city_admin", {"agency": "planned"}, "agency", "not operating"),
        ("city_admin", {"agency": "closed"}, "agency", "not operating"),
        # Another county's region or agency is not even offered to a county administrator.
        ("county_admin_a", {"region": "county_b"}, "region", "Select a valid choice"),
        ("county_admin_a", {"region": None}, "region", "region of their county"),
        ("county_admin_a", {"agency": "centre_b"}, "agency", "Select a valid choice"),
        ("city_admin", {"priority": "5000"}, "priority", "less than or equal to 1000"),
        ("city_admin", {"case_type": "nonsense"}, "case_type", "Select a valid choice"),
    ],
)
def test_validation_at_the_field(client, world, role, overrides, field, fragment):
    login(client, world, role)
    names = {
        "planned": world.planned_a,
        "closed": world.closed_b,
        "centre_b": world.centre_b,
        "county_b": world.county_b,
    }
    data = form(world, **{k: (names[v].pk if v in names else v) for k, v in overrides.items()})
    if overrides.get("region", "") is None:
        data.pop("region", None)
    response = client.post("/cases/rules/new/", data)
    assert response.status_code == 200
    errors = field_errors(response)
    assert any(fragment in message for message in errors.get(field, [])), errors
    assert not RoutingRule.objects.exists()


def test_duplicate_rule_is_refused_at_the_agency(client, world, rules):
    login(client, world, "city_admin")
    data = form(world, case_type="complaint", agency=world.centre_a.pk, priority="9")
    response = client.post("/cases/rules/new/", data)
    assert "already sends these cases" in field_errors(response)["agency"][0]
    assert RoutingRule.objects.count() == 3
    # Saving a rule unchanged is not a duplicate of itself.
    assert client.post(f"/cases/rules/{rules['a'].pk}/edit/", data).status_code == 302
    rules["a"].refresh_from_db()
    assert rules["a"].priority == 9


def test_edit_into_duplicate_is_refused(client, world, rules):
    login(client, world, "city_admin")
    other = RoutingRule.objects.create(case_type="report", region=world.county_a, agency=world.centre_a)
    response = client.post(f"/cases/rules/{other.pk}/edit/", form(world, case_type="complaint"))
    assert "agency" in field_errors(response)
    other.refresh_from_db()
    assert other.case_type == "report"


def test_double_submission_creates_one_rule(client, world):
    login(client, world, "city_admin")
    client.post("/cases/rules/new/", form(world))
    client.post("/cases/rules/new/", form(world))
    assert RoutingRule.objects.count() == 1


def run_tester(client, **params):
    query = {f"t-{k}": v for k, v in params.items()}
    return client.get("/cases/rules/", query).content.decode()


def test_tester_shows_the_agency_routing_picks(client, world, rules):
    login(client, world, "city_admin")
    RoutingRule.objects.create(case_type="complaint", region=world.park_a, agency=world.outlet_a)
    body = run_tester(client, type="complaint", region=world.park_a.pk)
    assert f'data-testid="rule-test-result" data-agency="{world.outlet_a.pk}"' in body
    body = run_tester(client, type="complaint", region=world.county_b.pk)
    assert f'data-agency="{world.centre_b.pk}"' in body
    assert f"#{rules['b'].pk}" in body
    # No rule for mediation: the fallback city centre.
    body = run_tester(client, type="mediation", region=world.county_a.pk)
    assert f'data-agency="{world.city_centre.pk}"' in body
    assert "No rule matched" in body


def test_tester_without_query_shows_no_result(client, world, rules):
    login(client, world, "county_admin_a")
    body = client.get("/cases/rules/").content.decode()
    assert 'data-testid="rule-tester"' in body
    assert 'data-testid="rule-test-result"' not in body
    body = run_tester(client, type="bogus")
    assert 'data-testid="rule-test-result"' not in body
    assert 'data-field="type"' in body


def test_nav_link_only_for_administrators(client, world):
    assert 'data-testid="nav-rules"' not in client.get("/fairs/").content.decode()
    login(client, world, "staff_a")
    assert 'data-testid="nav-rules"' not in client.get("/fairs/").content.decode()


def test_api_shares_the_page_rules(client, world, rules):
    login(client, world, "city_admin")
    url = "/api/v1/cases/routing-rules"
    duplicate = {"case_type": "complaint", "region_code": "990102", "agency_id": world.centre_a.pk}
    response = client.post(url, duplicate, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "agency_id"
    closed = {"case_type": "report", "region_code": "990103", "agency_id": world.closed_b.pk}
    response = client.post(url, closed, content_type="application/json")
    assert response.status_code == 422 and "not operating" in response.json()["detail"][0]["errors"][0]
    assert RoutingRule.objects.count() == 3


def choices(response, field) -> set[int]:
    form = response.context["form"]
    return {obj.pk for obj in form.fields[field].queryset}


def test_rule_form_offers_only_what_the_user_may_assign(client, world, rules):
    from zhichan.agencies.models import Agency
    from zhichan.regions.models import Region

    login(client, world, "county_admin_a")
    page = client.get("/cases/rules/new/")
    agencies = choices(page, "agency")
    assert world.centre_b.pk not in agencies and world.city_centre.pk not in agencies
    assert {world.centre_a.pk, world.outlet_a.pk, world.planned_a.pk} <= agencies
    assert choices(page, "region") == {world.county_a.pk, world.park_a.pk}
    assert (
        f'value="{world.centre_b.pk}"'
        not in page.content.decode().split('name="agency"')[1].split("</select>")[0]
    )
    edit = client.get(f"/cases/rules/{rules['a'].pk}/edit/")
    assert world.centre_b.pk not in choices(edit, "agency")
    login(client, world, "city_admin")
    page = client.get("/cases/rules/new/")
    assert choices(page, "agency") == set(Agency.objects.values_list("pk", flat=True))
    assert world.county_b.pk in choices(page, "region")
    assert len(choices(page, "region")) == Region.objects.exclude(kind="province").count()


def test_the_service_still_refuses_another_countys_agency(world):
    """The form's narrower lists are a courtesy; the service remains the guard."""
    from django.core.exceptions import ValidationError

    from zhichan.cases import services

    with pytest.raises(ValidationError) as refused:
        services.do_create_rule(
            world.users.county_admin_a, case_type="mediation", region=world.county_a, agency=world.centre_b
        )
    assert "agency" in refused.value.message_dict
    assert not RoutingRule.objects.exists()
