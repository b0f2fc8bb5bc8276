"""Parks as a scope of the evaluation: their counts and figures, the county figure including its
parks, coverage, the park dashboard and who may see it, and scorecards of parks."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.evaluation.counts_fixture import at, event, finish, make_case, rate
from zhichan.evaluation import dashboards
from zhichan.evaluation.counts import update_counts
from zhichan.evaluation.metrics import Scope, get_metric
from zhichan.evaluation.models import DailyCount, ManualValue, ScorecardResult
from zhichan.evaluation.periods import Period
from zhichan.evaluation.scorecards import reports, services
from zhichan.regions.models import Region

Q1 = Period.parse("2026Q1")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ROLES = ["anonymous", "public", "enterprise", "staff_a", "agency_admin_a", "county_admin_a", "county_admin_b",
         "city_admin"]  # fmt: skip


@pytest.fixture
def parks(world):
    """2026Q1: the park's outlet received and closed c1 (rated satisfied); county A's centre
    received c2 (still open); county B's centre received c3."""
    w = world
    w.c1 = make_case(w.outlet_a, received=at(1, 5), status="closed")
    event(w.c1, "created", at(1, 5))
    event(w.c1, "closed", at(1, 8), **finish(True, 2))
    rate(w.c1, "satisfied", at(1, 9))
    w.c2 = make_case(w.centre_a, received=at(2, 5), status="accepted")
    event(w.c2, "created", at(2, 5))
    w.c3 = make_case(w.centre_b, received=at(2, 6), status="accepted")
    event(w.c3, "created", at(2, 6))
    update_counts(now=timezone.now() + dt.timedelta(hours=1))
    w.park = Scope("park", w.park_a.pk)
    w.a = Scope("county", w.county_a.pk)
    w.b = Scope("county", w.county_b.pk)
    w.city_s = Scope("city", w.city.pk)
    return w


def pdf():
    return SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")


def figures(code, *scopes, period=Q1):
    found = get_metric(code).values(list(scopes), period)
    return [found[s] for s in scopes]


def client_as(client, world, role):
    if role != "anonymous":
        client.force_login(getattr(world.users, role))
    return client


def test_the_counts_keep_the_park_and_the_county_adds_it(parks):
    w = parks
    received = dict(DailyCount.objects.filter(key="received").values_list("region_id", "value"))
    assert received == {w.park_a.pk: 1, w.county_a.pk: 1, w.county_b.pk: 1}
    # The park alone; the county with its park; the other county; the city with everything.
    assert figures("cases_received", w.park, w.a, w.b, w.city_s) == [1, 2, 1, 3]
    assert figures("cases_closed", w.park, w.a, w.b) == [1, 1, 0]
    assert figures("on_time_rate", w.park, w.a, w.b) == [D("100.0"), D("100.0"), None]
    assert figures("satisfaction_rate", w.park, w.a) == [D("100.0"), D("100.0")]
    assert figures("cases_received", Scope("agency", w.outlet_a.pk)) == [1]


def test_network_figures_of_a_park(parks):
    w = parks
    # The park has its workstation (consultation); county A its centre (consultation,
    # information) and the park's workstation. Network figures of the current quarter are live.
    now = Period.containing(timezone.localdate(), "quarter")
    assert figures("outlets_operating", w.park, w.a, w.b, period=now) == [1, 2, 1]
    assert figures("functions_covered", w.park, w.a, period=now) == [1, 2]
    assert figures("coverage_rate", w.park, period=now) == [D("14.3")]  # 1 of 7
    assert "park" in get_metric("coverage_rate").scope_kinds


def test_scope_keys_of_parks():
    assert Scope.parse("park:15") == Scope("park", 15) and Scope("park", 15).key == "park:15"
    with pytest.raises(ValueError):
        Scope.parse("parks:15")


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_a_park(client, world, role):
    url = reverse("evaluation:park", args=[world.park_a.pk])
    response = client_as(client, world, role).get(url)
    user = getattr(world.users, role)
    seen = dashboards.can_see_scope(user, Scope("park", world.park_a.pk))
    if role in ("city_admin", "county_admin_a"):
        assert seen and response.status_code == 200
        assert world.park_a.name in response.content.decode()
    elif role == "anonymous":
        assert not seen and response.status_code == 302
    else:
        # A county administrator of another county, agency people, the public: not found.
        assert not seen and response.status_code == 404


def test_a_county_is_not_a_park_and_a_park_is_not_a_county(client, world):
    client.force_login(world.users.city_admin)
    assert client.get(reverse("evaluation:park", args=[world.county_a.pk])).status_code == 404
    assert client.get(reverse("evaluation:county", args=[world.park_a.pk])).status_code == 404
    assert not dashboards.can_see_scope(world.users.city_admin, Scope("park", world.county_a.pk))


def test_the_county_page_ranks_its_parks_and_the_park_page_links_back(client, parks):
    w = parks
    client.force_login(w.users.county_admin_a)
    page = client.get(reverse("evaluation:county", args=[w.county_a.pk]), {"period": "2026Q1"})
    body = page.content.decode()
    assert page.status_code == 200 and 'data-testid="eval-rank-parks"' in body
    assert f'data-scope="park:{w.park_a.pk}"' in body
    assert reverse("evaluation:park", args=[w.park_a.pk]) in body
    park_page = client.get(reverse("evaluation:park", args=[w.park_a.pk]), {"period": "2026Q1"})
    body = park_page.content.decode()
    assert 'data-testid="eval-park-county"' in body and 'data-testid="eval-rank-parks"' not in body
    assert f'data-scope="agency:{w.outlet_a.pk}"' in body
    assert f'data-scope="agency:{w.centre_a.pk}"' not in body
    # The park's workstation links to its park.
    body = client.get(reverse("evaluation:agency", args=[w.outlet_a.pk])).content.decode()
    assert 'data-testid="eval-agency-park"' in body
    assert reverse("evaluation:park", args=[w.park_a.pk]) in body
    # The county B page has no park to rank.
    client.force_login(w.users.county_admin_b)
    body = client.get(reverse("evaluation:county", args=[w.county_b.pk])).content.decode()
    assert 'data-scope="park:' not in body


def test_the_city_overview_ranks_the_parks(client, parks):
    w = parks
    client.force_login(w.users.city_admin)
    data = client.get(
        reverse("evaluation:overview_data"), {"metric": "cases_received", "period": "2026Q1"}
    ).json()
    assert [(r["scope"], r["value"], r["rank"]) for r in data["parks"]] == [(f"park:{w.park_a.pk}", 1.0, 1)]
    assert {r["scope"] for r in data["counties"]} == {f"county:{w.county_a.pk}", f"county:{w.county_b.pk}"}
    assert [m["label"] for m in data["map"]] == [w.county_a.name, w.county_b.name]  # the map stays counties
    page = client.get(reverse("evaluation:overview"), {"metric": "cases_received", "period": "2026Q1"})
    assert f'data-scope="park:{w.park_a.pk}"' in page.content.decode()


def test_the_drilldown_of_a_park(client, parks):
    w = parks
    url = reverse("evaluation:drilldown")
    query = {"metric": "cases_received", "scope": w.park.key, "period": "2026Q1"}
    client.force_login(w.users.county_admin_a)
    page = client.get(url, query)
    assert page.status_code == 200
    assert w.c1.number in page.content.decode() and w.c2.number not in page.content.decode()
    client.force_login(w.users.county_admin_b)
    assert client.get(url, query).status_code == 404


@pytest.fixture
def park_card(world):
    admin = world.users.city_admin
    received = services.do_create_indicator(
        admin, code="received", name="受理数", dimension="utilisation", unit="count", direction="higher",
        source="computed", metric_code="cases_received",
    )  # fmt: skip
    return services.do_create_scorecard(
        admin, name="园区评价", level="park", period_kind="quarter",
        items=[{"indicator": received, "weight": "100"}],
    )  # fmt: skip


def test_a_scorecard_of_parks(parks, park_card):
    w = parks
    other_park = Region.objects.create(code="990103-ZONE", name="乙县园区", kind="park", parent=w.county_b)
    run = services.do_run(w.users.city_admin, park_card, "2026Q1")
    rows = {r.scope_key: r for r in run.results.all()}
    assert set(rows) == {f"park:{w.park_a.pk}", f"park:{other_park.pk}"}
    assert D(rows[f"park:{w.park_a.pk}"].values["received"]["raw"]) == 1
    assert (rows[f"park:{w.park_a.pk}"].rank, rows[f"park:{other_park.pk}"].rank) == (1, 2)
    services.do_publish_run(w.users.city_admin, run)

    def seen(role):
        return set(
            ScorecardResult.objects.restrict(getattr(w.users, role), "view")
            .filter(run=run)
            .values_list("scope_id", flat=True)
        )

    assert seen("city_admin") == {w.park_a.pk, other_park.pk}
    assert seen("county_admin_a") == {w.park_a.pk}
    assert seen("county_admin_b") == {other_park.pk}
    assert seen("staff_a") == set()


def test_a_metric_that_has_no_park_figures_cannot_score_parks(world):
    admin = world.users.city_admin
    survey = services.do_create_indicator(
        admin, code="survey_sat", name="问卷", dimension="satisfaction", unit="percent", direction="higher",
        source="computed", metric_code="survey_satisfaction",
    )  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        services.do_create_scorecard(
            admin, name="园区", level="park", period_kind="quarter",
            items=[{"indicator": survey, "weight": "100"}],
        )  # fmt: skip
    assert "items" in caught.value.message_dict


def test_the_report_names_the_park_level(parks, park_card, english):
    run = services.do_run(parks.users.city_admin, park_card, "2026Q1")
    assert reports.method_lines(run)[0].startswith("Scored: Park,")
    table = reports.run_table(parks.users.city_admin, run)
    assert reports.run_xlsx(run, table)[:2] == b"PK"


def test_manual_values_for_a_park(world):
    admin = world.users.city_admin
    manual = services.do_create_indicator(
        admin, code="park_manual", name="园区自评", dimension="quality", unit="score", direction="higher",
        source="manual",
    )  # fmt: skip
    park = f"park:{world.park_a.pk}"
    a, b = world.users.county_admin_a, world.users.county_admin_b
    assert Scope("park", world.park_a.pk) in {i.scope for i in services.enterable_scopes(a)}
    with pytest.raises(ValidationError) as caught:
        services.do_enter_manual_value(b, manual, park, "2026Q1", "80", files=[pdf()])
    assert "scope" in caught.value.message_dict
    record, created = services.do_enter_manual_value(a, manual, park, "2026Q1", "80", files=[pdf()])
    assert created and record.scope_key == park
    assert ManualValue.objects.restrict(b, "view").count() == 0
    assert list(ManualValue.objects.restrict(a, "view")) == [record]
    # The city reviews a park's values, as a county's.
    other = type(a).objects.create(username="county_admin_a2", role="county_admin", region=world.county_a)
    assert services.review_refusal(other, record) is not None
    assert services.do_review_manual_value(admin, record, "approved").status == "approved"
