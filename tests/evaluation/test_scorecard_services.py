"""Indicators, scorecards, runs and hand-entered values through the services."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from zhichan.core.errors import TransitionError
from zhichan.core.permissions import PermissionDenied
from zhichan.evaluation.metrics import Scope
from zhichan.evaluation.models import (
    Indicator,
    ManualValue,
    ManualValueEvent,
    RunEvent,
    Scorecard,
    ScorecardResult,
    ScorecardRun,
)
from zhichan.evaluation.scorecards import services

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="evidence.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def indicator(actor, code, metric=None, **extra):
    data = {
        "code": code,
        "name": f"指标 {code}",
        "dimension": "utilisation",
        "unit": "count",
        "direction": "higher",
        "source": "computed" if metric else "manual",
        "metric_code": metric or "",
    }
    data.update(extra)
    return services.do_create_indicator(actor, **data)


@pytest.fixture
def county_card(world, hand_metrics):
    admin = world.users.city_admin
    volume = indicator(admin, "volume", "t_volume")
    days = indicator(admin, "days", "t_days", direction="lower", dimension="quality", unit="days")
    survey = indicator(admin, "survey", None, dimension="satisfaction", unit="score")
    card = services.do_create_scorecard(
        admin,
        name="区县季度评价",
        level="county",
        period_kind="quarter",
        items=[
            {"indicator": volume, "weight": "50"},
            {"indicator": days, "weight": "30"},
            {"indicator": survey, "weight": "20", "rule": "target", "target": "90"},
        ],
    )
    return card


def key(region):
    return f"county:{region.pk}"


def approve(world, scope, value, period="2026Q1", code="survey"):
    record, _ = services.do_enter_manual_value(
        world.users.city_admin, Indicator.objects.get(code=code), scope, period, value, files=[pdf()]
    )
    other = type(world.users.city_admin).objects.create(username=f"city2-{record.pk}", role="city_admin")
    return services.do_review_manual_value(other, record, "approved")


def test_a_county_run_scores_ranks_and_compares_with_the_last_quarter(world, hand_metrics, county_card):
    a, b = world.county_a, world.county_b
    hand_metrics["t_volume"].figures = {
        "2025Q4": {key(a): D(10), key(b): D(10)},
        "2026Q1": {key(a): D(10), key(b): D(30)},
    }
    hand_metrics["t_days"].figures = {
        "2025Q4": {key(a): D(5), key(b): D(5)},
        "2026Q1": {key(a): D(4), key(b): D(8)},
    }
    before = services.do_run(world.users.city_admin, county_card, "2025Q4")
    rows = {r.scope_id: r for r in before.results.all()}
    # Equal values everywhere: both 100 on volume and days, survey missing → 80 each, sharing rank 1.
    assert (rows[a.pk].total, rows[a.pk].rank, rows[b.pk].rank) == (D("80.00"), 1, 1)
    assert rows[a.pk].missing == 1

    approve(world, Scope("county", a.pk), "81")  # 81 of target 90 → 90.00 → 18.00
    run = services.do_run(world.users.city_admin, county_card, "2026Q1")
    rows = {r.scope_id: r for r in run.results.all()}
    # a: volume 0, days 100 → 30, survey 18 → 48; b: volume 50, days 0, survey missing → 50.
    assert rows[a.pk].total == D("48.00") and rows[b.pk].total == D("50.00")
    assert (rows[b.pk].rank, rows[a.pk].rank) == (1, 2)
    assert rows[a.pk].values["survey"] == {"raw": "81.0000", "score": "90.00", "weighted": "18.00"}
    assert rows[b.pk].values["survey"]["raw"] is None
    assert rows[a.pk].subtotals == {"utilisation": "0.00", "quality": "30.00", "satisfaction": "18.00"}
    assert run.previous == before
    assert rows[a.pk].change == D("-32.00") and rows[a.pk].rank_change == -1
    assert rows[b.pk].change == D("-30.00") and rows[b.pk].rank_change == 0
    assert [e.kind for e in RunEvent.objects.filter(run=run)] == ["computed"]


def test_rerunning_a_draft_recomputes_it_and_a_published_run_is_frozen(world, hand_metrics, county_card):
    admin = world.users.city_admin
    hand_metrics["t_volume"].set("2026Q1", **{f"county_{world.county_a.pk}": 5})
    run = services.do_run(admin, county_card, "2026Q1")
    services.do_set_findings(admin, run, "甲区案件量偏低。")
    again = services.do_run(admin, county_card, "2026Q1")
    assert again.pk == run.pk and ScorecardRun.objects.count() == 1
    again.refresh_from_db()
    assert again.findings == "甲区案件量偏低。"
    services.do_publish_run(admin, again)
    with pytest.raises(TransitionError):
        services.do_publish_run(admin, again)
    with pytest.raises(TransitionError):
        services.do_set_findings(admin, again, "changed")
    fresh = services.do_run(admin, county_card, "2026Q1")
    assert fresh.pk != run.pk and fresh.status == "draft"
    services.do_publish_run(admin, fresh)
    run.refresh_from_db()
    assert run.status == "superseded"
    assert list(RunEvent.objects.filter(run=run).values_list("kind", flat=True)) == [
        "computed",
        "findings",
        "recomputed",
        "published",
        "superseded",
    ]


def test_a_run_refuses_a_wrong_period_and_outsiders(world, county_card, english):
    admin = world.users.city_admin
    for period, message in (("2026H1", "quarter"), ("2026Q5", "2026Q3"), ("2999Q1", "not started")):
        with pytest.raises(ValidationError) as exc:
            services.do_run(admin, county_card, period)
        assert message in " ".join(exc.value.message_dict["period"])
    for user in (world.users.county_admin_a, world.users.agency_admin_a, world.users.public):
        with pytest.raises(PermissionDenied):
            services.do_run(user, county_card, "2026Q1")
    assert not ScorecardRun.objects.exists()


def test_a_metric_gone_from_the_registry_is_missing_with_a_warning(world, hand_metrics, county_card):
    from zhichan.evaluation import metrics

    metrics.METRICS.pop("t_days")
    run = services.do_run(world.users.city_admin, county_card, "2026Q1")
    assert any("t_days" in w for w in run.warnings)
    assert all(r.values["days"]["raw"] is None for r in run.results.all())


def test_scorecard_weights_must_add_up_to_100(world, hand_metrics, county_card, english):
    admin = world.users.city_admin
    volume = Indicator.objects.get(code="volume")
    days = Indicator.objects.get(code="days")
    cases = [
        ([{"indicator": volume, "weight": "60"}, {"indicator": days, "weight": "30"}], "add up to 90"),
        ([{"indicator": volume, "weight": "0"}, {"indicator": days, "weight": "100"}], "Row 1"),
        ([{"indicator": volume, "weight": "50"}, {"indicator": volume, "weight": "50"}], "twice"),
        ([{"indicator": volume, "weight": "100", "rule": "target"}], "target"),
        ([], "at least one"),
    ]
    for items, fragment in cases:
        with pytest.raises(ValidationError) as exc:
            services.do_create_scorecard(admin, name="x", level="county", period_kind="quarter", items=items)
        assert fragment in " ".join(exc.value.message_dict["items"])
    with pytest.raises(ValidationError) as exc:
        services.do_create_scorecard(admin, name="", level="town", period_kind="week", items=[])
    assert {"name", "level", "period_kind", "items"} <= set(exc.value.message_dict)
    with pytest.raises(ValidationError) as exc:  # the same form sent again
        services.do_create_scorecard(
            admin,
            name="区县季度评价",
            level="county",
            period_kind="quarter",
            items=[{"indicator": volume, "weight": "100"}],
        )
    assert "name" in exc.value.message_dict
    assert Scorecard.objects.count() == 1
    with pytest.raises(PermissionDenied):
        services.do_create_scorecard(
            world.users.county_admin_a,
            name="x",
            level="county",
            period_kind="quarter",
            items=[{"indicator": volume, "weight": "100"}],
        )


def test_a_metric_that_cannot_serve_the_level_is_refused(world, hand_metrics, english):
    from zhichan.evaluation.metrics import ScopeKind

    hand_metrics["t_rate"].scope_kinds = (ScopeKind.CITY,)
    admin = world.users.city_admin
    rate = indicator(admin, "rate", "t_rate")
    with pytest.raises(ValidationError) as exc:
        services.do_create_scorecard(
            admin, name="x", level="agency", period_kind="year", items=[{"indicator": rate, "weight": "100"}]
        )
    assert "cannot be computed" in " ".join(exc.value.message_dict["items"])


def test_indicator_fields_are_checked(world, hand_metrics):
    admin = world.users.city_admin
    with pytest.raises(ValidationError) as exc:
        services.do_create_indicator(
            admin,
            code="9bad code",
            name="",
            dimension="x",
            unit="y",
            direction="z",
            source="computed",
            metric_code="no_such_metric",
        )
    assert set(exc.value.message_dict) == {"code", "name", "dimension", "unit", "direction", "metric_code"}
    ok = indicator(admin, "volume", "t_volume")
    with pytest.raises(ValidationError) as exc:
        indicator(admin, "volume", "t_volume")
    assert "code" in exc.value.message_dict
    services.do_update_indicator(admin, ok, name="案件量")
    ok.refresh_from_db()
    assert ok.name == "案件量" and ok.metric_code == "t_volume"
    with pytest.raises(PermissionDenied):
        services.do_update_indicator(world.users.county_admin_a, ok, name="x")


def test_indicator_in_use_keeps_what_it_measures(world, county_card):
    volume = Indicator.objects.get(code="volume")
    with pytest.raises(ValidationError) as exc:
        services.do_update_indicator(world.users.city_admin, volume, direction="lower")
    assert "direction" in exc.value.message_dict


# --- manual values --------------------------------------------------------------------------------


def test_manual_value_review_workflow(world, county_card):
    survey = Indicator.objects.get(code="survey")
    county = world.users.county_admin_a
    scope = f"agency:{world.centre_a.pk}"
    record, created = services.do_enter_manual_value(county, survey, scope, "2026Q1", "88.5", "问卷", [pdf()])
    assert created and record.status == "pending" and record.agency == world.centre_a
    assert record.evidence.count() == 1
    # The same submission again is the same record; a different value waits for the review.
    again, created = services.do_enter_manual_value(county, survey, scope, "2026Q1", "88.5", "问卷", [pdf()])
    assert again.pk == record.pk and not created
    with pytest.raises(ValidationError) as exc:
        services.do_enter_manual_value(world.users.city_admin, survey, scope, "2026Q1", "70", "", [pdf()])
    assert "value" in exc.value.message_dict
    # The one who entered it does not review it; others outside the county cannot see it.
    with pytest.raises(ValidationError) as exc:
        services.do_review_manual_value(county, record, "approved")
    assert "decision" in exc.value.message_dict
    for outsider in (world.users.county_admin_b, world.users.staff_a, world.users.public):
        with pytest.raises(PermissionDenied):
            services.do_review_manual_value(outsider, record, "approved")
    with pytest.raises(ValidationError) as exc:
        services.do_review_manual_value(world.users.city_admin, record, "rejected", "")
    assert "note" in exc.value.message_dict
    services.do_review_manual_value(world.users.city_admin, record, "rejected", "证明材料不清晰")
    with pytest.raises(TransitionError):
        services.do_review_manual_value(world.users.city_admin, record, "approved")
    second, _ = services.do_enter_manual_value(county, survey, scope, "2026Q1", "86", "", [pdf()])
    services.do_review_manual_value(world.users.city_admin, second, "approved")
    third, _ = services.do_enter_manual_value(county, survey, scope, "2026Q1", "87", "更正", [pdf()])
    services.do_review_manual_value(world.users.city_admin, third, "approved")
    second.refresh_from_db()
    assert second.status == "superseded"
    values = services.approved_values(
        "survey", [Scope("agency", world.centre_a.pk)], services._period("2026Q1")
    )
    assert values == {Scope("agency", world.centre_a.pk): D("87.0000")}
    kinds = list(ManualValueEvent.objects.filter(value=second).values_list("kind", flat=True))
    assert kinds == ["entered", "approved", "superseded"]


def test_manual_value_input_is_checked(world, county_card, settings):
    survey = Indicator.objects.get(code="survey")
    volume = Indicator.objects.get(code="volume")
    county = world.users.county_admin_a
    with pytest.raises(ValidationError) as exc:
        services.do_enter_manual_value(
            county, volume, f"county:{world.county_b.pk}", "2026X", "abc", "", [pdf()]
        )
    assert set(exc.value.message_dict) == {"indicator", "scope", "period", "value"}
    with pytest.raises(ValidationError) as exc:
        services.do_enter_manual_value(county, survey, f"county:{world.county_a.pk}", "2026Q1", "1", "", [])
    assert "evidence" in exc.value.message_dict
    fake = SimpleUploadedFile("fake.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError) as exc:
        services.do_enter_manual_value(
            county, survey, f"county:{world.county_a.pk}", "2026Q1", "1", "", [fake]
        )
    assert "evidence" in exc.value.message_dict
    settings.ZHICHAN_UPLOAD_MAX_MB = 0.00001
    with pytest.raises(ValidationError) as exc:
        services.do_enter_manual_value(
            county, survey, f"county:{world.county_a.pk}", "2026Q1", "1", "", [pdf()]
        )
    assert "evidence" in exc.value.message_dict
    assert not ManualValue.objects.exists()
    for user in (world.users.staff_a, world.users.public, world.users.enterprise):
        with pytest.raises(PermissionDenied):
            services.do_enter_manual_value(
                user, survey, f"agency:{world.centre_a.pk}", "2026Q1", "1", "", [pdf()]
            )
    # An agency administrator enters its own agency's values only.
    with pytest.raises(ValidationError) as exc:
        services.do_enter_manual_value(
            world.users.agency_admin_a, survey, f"agency:{world.centre_b.pk}", "2026Q1", "1", "", [pdf()]
        )
    assert "scope" in exc.value.message_dict


def test_county_admin_reviews_its_agencies_but_not_its_county(world, county_card):
    survey = Indicator.objects.get(code="survey")
    city = world.users.city_admin
    own, _ = services.do_enter_manual_value(
        city, survey, f"county:{world.county_a.pk}", "2026Q1", "5", "", [pdf()]
    )
    with pytest.raises(ValidationError):
        services.do_review_manual_value(world.users.county_admin_a, own, "approved")
    agency, _ = services.do_enter_manual_value(
        world.users.agency_admin_a, survey, f"agency:{world.centre_a.pk}", "2026Q1", "5", "", [pdf()]
    )
    assert list(services.review_queue(world.users.county_admin_a)) == [agency]
    assert list(services.review_queue(world.users.county_admin_b)) == []
    assert set(services.review_queue(city)) == {agency}  # not its own entry
    services.do_review_manual_value(world.users.county_admin_a, agency, "approved")


def test_results_are_restricted_per_role(world, hand_metrics):
    admin = world.users.city_admin
    volume = indicator(admin, "volume", "t_volume")
    card = services.do_create_scorecard(
        admin,
        name="网点",
        level="agency",
        period_kind="quarter",
        items=[{"indicator": volume, "weight": "100"}],
    )
    run = services.do_run(admin, card, "2026Q1")
    agencies = {r.agency_id for r in run.results.all()}
    assert (
        world.centre_a.pk in agencies
        and world.planned_a.pk not in agencies
        and world.closed_b.pk not in agencies
    )

    def seen(user):
        return {r.agency_id for r in ScorecardResult.objects.restrict(user, "view")}

    # A draft: only the city sees it.
    assert seen(admin) == agencies
    assert seen(world.users.county_admin_a) == set()
    services.do_publish_run(admin, run)
    assert seen(world.users.county_admin_a) == {world.centre_a.pk, world.outlet_a.pk}
    assert seen(world.users.county_admin_b) == {world.centre_b.pk}
    assert seen(world.users.staff_a) == {world.centre_a.pk}
    assert seen(world.users.agency_admin_b) == {world.centre_b.pk}
    for user in (world.users.public, world.users.enterprise, world.users.anonymous):
        assert seen(user) == set()
        assert not ScorecardRun.objects.restrict(user, "view").exists()


def test_the_drilldown_of_a_manual_figure_lists_the_values_entered(world, county_card):
    from zhichan.evaluation.scorecards.reports import run_table

    scope = Scope("county", world.county_a.pk)
    approve(world, scope, "72", period="2026Q1")
    admin = world.users.city_admin
    run = services.do_run(admin, county_card, "2026Q1")
    row = run.results.get(scope_id=world.county_a.pk)
    drill = services.drilldown(admin, run, row, "survey")
    assert [v.value for v in drill.queryset] == [D("72.0000")]
    assert drill.url(drill.queryset[0]).endswith(f"/values/{drill.queryset[0].pk}/")
    assert services.drilldown(admin, run, row, "no_such_item") is None
    # The table of the page and reports: cells in item order, subtotals in dimension order.
    table = run_table(admin, run)
    first = next(r for r in table["rows"] if r["result"].pk == row.pk)
    assert [c["item"]["code"] for c in first["cells"]] == ["volume", "days", "survey"]
    assert first["cells"][2]["raw"] == D("72")
    assert [code for code, _label in table["dimensions"]] == ["utilisation", "quality", "satisfaction"]
