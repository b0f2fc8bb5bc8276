"""Agency runs rank each agency within its county too (`county_rank`, equal totals share a rank):
stored by the run, shown on the run page, in the API and in the DOCX/XLSX reports."""

import io
from decimal import Decimal as D

import pytest
from django.urls import reverse

from tests.factories import AgencyFactory
from zhichan.evaluation.scorecards import services
from zhichan.evaluation.scorecards.scoring import ranks_within

pytestmark = pytest.mark.django_db


def test_ranks_within_groups_share_ties_and_skip():
    totals = {"a": D(90), "b": D(80), "c": D(80), "d": D(70), "e": D(95), "f": D(99)}
    groups = {"a": 1, "b": 1, "c": 1, "d": 1, "e": 2, "f": None}
    assert ranks_within(totals, groups) == {"a": 1, "b": 2, "c": 2, "d": 4, "e": 1, "f": None}


@pytest.fixture
def agency_run(world, hand_metrics):
    """A published agency run of 2026Q1 over two counties (volume only, min–max).

    Totals: city centre 100 (no county); county A: centre 28.57, park outlet 28.57 (a tie),
    extra 0; county B: extra 42.86, centre 14.29.
    """
    admin = world.users.city_admin
    extra_a = AgencyFactory(name="甲区第二工作站", region=world.county_a)
    extra_b = AgencyFactory(name="乙县第二工作站", region=world.county_b)
    volume = services.do_create_indicator(
        admin, code="volume", name="服务量", dimension="utilisation", unit="count",
        direction="higher", source="computed", metric_code="t_volume",
    )  # fmt: skip
    card = services.do_create_scorecard(
        admin, name="网点季度评价", level="agency", period_kind="quarter",
        items=[{"indicator": volume, "weight": "100"}],
    )  # fmt: skip
    figures = {
        world.city_centre: 100, world.centre_a: 50, world.outlet_a: 50, extra_a: 30,
        world.centre_b: 40, extra_b: 60,
    }  # fmt: skip
    for agency, value in figures.items():
        hand_metrics["t_volume"].put("2026Q1", services.Scope("agency", agency.pk), value)
    run = services.do_run(admin, card, "2026Q1")
    services.do_publish_run(admin, run)
    run.extra_a, run.extra_b = extra_a, extra_b
    return run


def ranks(run):
    return {r.agency.name: (r.rank, r.county_rank, r.county_id) for r in run.results.select_related("agency")}


def test_a_run_stores_each_agencys_rank_in_its_county(world, agency_run):
    a, b = world.county_a.pk, world.county_b.pk
    assert ranks(agency_run) == {
        world.city_centre.name: (1, None, None),
        agency_run.extra_b.name: (2, 1, b),
        world.centre_a.name: (3, 1, a),
        world.outlet_a.name: (3, 1, a),  # in county A's park; ties with the centre
        world.centre_b.name: (5, 2, b),
        agency_run.extra_a.name: (6, 3, a),
    }


def test_county_runs_have_no_county_rank(world, hand_metrics, english):
    admin = world.users.city_admin
    volume = services.do_create_indicator(
        admin, code="volume", name="服务量", dimension="utilisation", unit="count",
        direction="higher", source="computed", metric_code="t_volume",
    )  # fmt: skip
    card = services.do_create_scorecard(
        admin, name="区县季度评价", level="county", period_kind="quarter",
        items=[{"indicator": volume, "weight": "100"}],
    )  # fmt: skip
    hand_metrics["t_volume"].set(
        "2026Q1", **{f"county_{world.county_a.pk}": 5, f"county_{world.county_b.pk}": 5}
    )
    run = services.do_run(admin, card, "2026Q1")
    assert sorted(run.results.values_list("rank", "county_rank")) == [(1, None), (1, None)]
    from zhichan.evaluation.scorecards.reports import run_docx, run_table

    table = run_table(admin, run)
    assert not table["by_county"]
    from docx import Document

    header = [c.text for c in Document(io.BytesIO(run_docx(run, table))).tables[0].rows[0].cells]
    assert "Rank in county" not in header


def test_the_api_gives_the_county_rank_and_a_county_admin_sees_their_county(client, world, agency_run):
    client.force_login(world.users.county_admin_a)
    rows = client.get(f"/api/v1/evaluation/runs/{agency_run.pk}").json()["results"]
    assert [r["county_rank"] for r in rows] == [1, 1, 3]  # by rank
    assert {r["name"]: (r["rank"], r["county_rank"]) for r in rows} == {
        world.centre_a.name: (3, 1),
        world.outlet_a.name: (3, 1),
        agency_run.extra_a.name: (6, 3),
    }
    assert {r["county_id"] for r in rows} == {world.county_a.pk}
    client.force_login(world.users.county_admin_b)
    rows = client.get(f"/api/v1/evaluation/runs/{agency_run.pk}").json()["results"]
    assert [(r["name"], r["county_rank"]) for r in rows] == [
        (agency_run.extra_b.name, 1),
        (world.centre_b.name, 2),
    ]
    client.force_login(world.users.city_admin)
    rows = client.get(f"/api/v1/evaluation/runs/{agency_run.pk}").json()["results"]
    assert len(rows) == 6 and rows[0]["county_rank"] is None and rows[0]["county_id"] is None


def test_the_run_page_shows_the_county_rank(client, world, agency_run, english):
    client.force_login(world.users.county_admin_b)
    response = client.get(reverse("evaluation:run", args=[agency_run.pk]))
    html = response.content.decode()
    assert "Rank in county" in html
    rows = response.context["rows"]
    assert [(r["result"].scope_name, r["result"].county_rank) for r in rows] == [
        (agency_run.extra_b.name, 1),
        (world.centre_b.name, 2),
    ]
    assert html.count('data-testid="county-rank"') == 2


def test_the_reports_carry_the_county_rank(client, world, agency_run, english):
    from docx import Document
    from openpyxl import load_workbook

    client.force_login(world.users.city_admin)
    docx = client.get(reverse("evaluation:run_report", args=[agency_run.pk, "docx"])).content
    ranking = Document(io.BytesIO(docx)).tables[0]
    header = [c.text for c in ranking.rows[0].cells]
    assert header[:4] == ["Rank", "Name", "Rank in county", "County"]
    body = {row.cells[1].text: [c.text for c in row.cells[2:4]] for row in ranking.rows[1:]}
    assert body[world.city_centre.name] == ["—", "—"]
    assert body[world.centre_b.name] == ["2", world.county_b.name]
    assert body[world.outlet_a.name] == ["1", world.county_a.name]

    xlsx = client.get(reverse("evaluation:run_report", args=[agency_run.pk, "xlsx"])).content
    sheet = load_workbook(io.BytesIO(xlsx)).worksheets[0]
    rows = [r for r in sheet.iter_rows(values_only=True) if r and isinstance(r[0], int)]
    assert {r[1]: (r[0], r[2], r[3]) for r in rows} == {
        world.city_centre.name: (1, None, None),
        agency_run.extra_b.name: (2, 1, world.county_b.name),
        world.centre_a.name: (3, 1, world.county_a.name),
        world.outlet_a.name: (3, 1, world.county_a.name),
        world.centre_b.name: (5, 2, world.county_b.name),
        agency_run.extra_a.name: (6, 3, world.county_a.name),
    }
    assert rows[0][-3] == pytest.approx(100.0)  # the total keeps its place before the change


def test_the_migration_ranks_earlier_runs_within_their_counties(world, agency_run):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("zhichan.evaluation.migrations.0004_scorecardresult_county_rank")
    expected = ranks(agency_run)
    agency_run.results.update(county=None, county_rank=None)
    migration.rank_within_counties(apps, None)
    assert ranks(agency_run) == expected
