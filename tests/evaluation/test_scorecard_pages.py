"""Scorecard pages: who sees what, forms with their errors, the run page, drill-down and reports."""

import io
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from zhichan.evaluation.models import Indicator, ManualValue, Scorecard, ScorecardRun
from zhichan.evaluation.scorecards import services

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def card(world, hand_metrics):
    admin = world.users.city_admin
    volume = services.do_create_indicator(
        admin,
        code="volume",
        name="受理量",
        dimension="utilisation",
        unit="count",
        direction="higher",
        source="computed",
        metric_code="t_volume",
    )
    days = services.do_create_indicator(
        admin,
        code="days",
        name="办理时长",
        dimension="quality",
        unit="days",
        direction="lower",
        source="computed",
        metric_code="t_days",
    )
    services.do_create_indicator(
        admin,
        code="survey",
        name="走访评价",
        dimension="satisfaction",
        unit="score",
        direction="higher",
        source="manual",
    )
    for agency, volume_value, days_value in (
        (world.centre_a, 30, 4),
        (world.outlet_a, 10, 2),
        (world.centre_b, 20, 8),
        (world.city_centre, 20, 6),
    ):
        hand_metrics["t_volume"].set("2026Q2", **{f"agency_{agency.pk}": volume_value})
        hand_metrics["t_days"].set("2026Q2", **{f"agency_{agency.pk}": days_value})
    return services.do_create_scorecard(
        admin,
        name="网点季度考核",
        level="agency",
        period_kind="quarter",
        items=[{"indicator": volume, "weight": "60"}, {"indicator": days, "weight": "40"}],
    )


def test_definitions_are_for_staff_and_only_the_city_changes_them(client, world, card):
    pages = [
        reverse("evaluation:indicators"),
        reverse("evaluation:scorecards"),
        reverse("evaluation:scorecard", args=[card.pk]),
    ]
    for url in pages:
        assert client.get(url).status_code == 302  # to the login
    for user in (world.users.public, world.users.enterprise):
        login(client, user)
        assert all(client.get(url).status_code == 404 for url in pages)
    login(client, world.users.county_admin_a)
    assert all(client.get(url).status_code == 200 for url in pages)
    for url in (
        reverse("evaluation:indicator_create"),
        reverse("evaluation:scorecard_create"),
        reverse("evaluation:scorecard_edit", args=[card.pk]),
        reverse("evaluation:indicator_edit", args=[Indicator.objects.first().pk]),
    ):
        assert client.get(url).status_code == 404
    assert (
        client.post(reverse("evaluation:scorecard_run", args=[card.pk]), {"period": "2026Q2"}).status_code
        == 404
    )
    assert not ScorecardRun.objects.exists()


def test_city_admin_defines_an_indicator_and_a_scorecard_with_field_errors(client, world, card, english):
    login(client, world.users.city_admin)
    response = client.post(
        reverse("evaluation:indicator_create"),
        {
            "code": "Bad Code",
            "name": "满意率",
            "dimension": "quality",
            "unit": "count",
            "direction": "higher",
            "source": "computed",
            "metric_code": "",
        },
    )
    assert response.status_code == 422
    assert b'data-field="code"' in response.content and b'data-field="metric_code"' in response.content
    response = client.post(
        reverse("evaluation:indicator_create"),
        {
            "code": "rate",
            "name": "满意率",
            "dimension": "satisfaction",
            "unit": "percent",
            "direction": "higher",
            "source": "computed",
            "metric_code": "t_rate",
            "active": "on",
        },
    )
    assert response.status_code == 302
    rate = Indicator.objects.get(code="rate")
    form = {
        "name": "区县评价",
        "level": "county",
        "period_kind": "quarter",
        "active": "on",
        "items-TOTAL_FORMS": "3",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "40",
        "items-0-indicator": str(rate.pk),
        "items-0-weight": "70",
        "items-0-rule": "minmax",
        "items-1-indicator": str(Indicator.objects.get(code="survey").pk),
        "items-1-weight": "20",
        "items-1-rule": "target",
        "items-1-target": "",
        "items-2-rule": "minmax",
    }
    response = client.post(reverse("evaluation:scorecard_create"), form)
    assert response.status_code == 422
    assert "Row 2: a target rule needs a target above 0." in response.content.decode()
    form["items-1-target"] = "90"
    response = client.post(reverse("evaluation:scorecard_create"), form)
    assert response.status_code == 422
    assert "The weights add up to 90; they must add up to 100." in response.content.decode()
    form["items-1-weight"] = "30"
    response = client.post(reverse("evaluation:scorecard_create"), form)
    assert response.status_code == 302
    made = Scorecard.objects.get(name="区县评价")
    assert [(i.indicator.code, i.weight, i.target) for i in made.items.all()] == [
        ("rate", D("70.00"), None),
        ("survey", D("30.00"), D("90.0000")),
    ]
    # The edit form shows the items; removing one re-weights only when the rest add up to 100.
    response = client.get(reverse("evaluation:scorecard_edit", args=[made.pk]))
    assert response.status_code == 200 and "满意率" in response.content.decode()


def test_run_page_ranks_links_to_drilldown_and_reports(client, world, card, english):
    login(client, world.users.city_admin)
    response = client.post(reverse("evaluation:scorecard_run", args=[card.pk]), {"period": "2026Q2"})
    run = ScorecardRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("evaluation:run", args=[run.pk])
    page = client.get(response["Location"]).content.decode()
    # volume 30/10/20/20 → 100/0/50/50 ×.6; days 4/2/8/6 → 66.67/100/0/33.33 ×.4
    # centre_a 60+26.67=86.67, outlet_a 0+40=40, city_centre 30+13.33=43.33, centre_b 30+0=30
    ranks = {r.agency_id: (r.rank, r.total) for r in run.results.all()}
    assert ranks[world.centre_a.pk] == (1, D("86.67"))
    assert ranks[world.city_centre.pk] == (2, D("43.33"))
    assert ranks[world.outlet_a.pk] == (3, D("40.00"))
    assert ranks[world.centre_b.pk] == (4, D("30.00"))
    assert page.index("甲区知识产权服务中心") < page.index("乙县商标品牌指导站")
    result = run.results.get(agency=world.centre_a)
    drill = reverse("evaluation:run_drilldown", args=[run.pk, result.pk, "volume"])
    assert drill in page
    response = client.get(drill)
    assert response.status_code == 200 and "甲区知识产权服务中心" in response.content.decode()
    assert (
        client.get(reverse("evaluation:run_drilldown", args=[run.pk, result.pk, "nope"])).status_code == 404
    )
    # Findings on the draft, then publish; the published run takes no more findings.
    assert (
        client.post(
            reverse("evaluation:run_findings", args=[run.pk]), {"findings": "甲区表现最好。"}
        ).status_code
        == 302
    )
    assert client.post(reverse("evaluation:run_publish", args=[run.pk])).status_code == 302
    run.refresh_from_db()
    assert run.status == "published" and run.findings == "甲区表现最好。"
    response = client.post(reverse("evaluation:run_findings", args=[run.pk]), {"findings": "改"})
    assert response.status_code == 422 and "can no longer change" in response.content.decode()

    docx_response = client.get(reverse("evaluation:run_report", args=[run.pk, "docx"]))
    assert docx_response.status_code == 200
    from docx import Document

    doc = Document(io.BytesIO(docx_response.content))
    ranking = doc.tables[0]
    assert [c.text for c in ranking.rows[1].cells][:2] == ["1", "甲区知识产权服务中心"]
    assert ranking.rows[1].cells[-2].text == "86.67"
    assert "甲区表现最好。" in "\n".join(p.text for p in doc.paragraphs)
    assert len(doc.inline_shapes) == 1  # the chart
    xlsx_response = client.get(reverse("evaluation:run_report", args=[run.pk, "xlsx"]))
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(xlsx_response.content))
    sheet = wb.worksheets[0]
    rows = [r for r in sheet.iter_rows(values_only=True) if r and isinstance(r[0], int)]
    assert [(r[0], r[1]) for r in rows] == [
        (1, "甲区知识产权服务中心"),
        (2, "测试市知识产权保护中心"),
        (3, "甲区开发区工作站"),
        (4, "乙县商标品牌指导站"),
    ]
    assert sheet._charts and rows[0][-3] == pytest.approx(86.67)
    assert client.get(reverse("evaluation:run_report", args=[run.pk, "pdf"])).status_code == 404


def test_county_admin_sees_its_own_rows_and_drilldowns_only(client, world, card):
    admin = world.users.city_admin
    run = services.do_run(admin, card, "2026Q2")
    b_row = run.results.get(agency=world.centre_b)
    a_row = run.results.get(agency=world.centre_a)
    login(client, world.users.county_admin_a)
    assert client.get(reverse("evaluation:run", args=[run.pk])).status_code == 404  # a draft
    services.do_publish_run(admin, run)
    page = client.get(reverse("evaluation:run", args=[run.pk])).content.decode()
    assert "甲区知识产权服务中心" in page and "乙县商标品牌指导站" not in page
    assert (
        client.get(reverse("evaluation:run_drilldown", args=[run.pk, a_row.pk, "volume"])).status_code == 200
    )
    assert (
        client.get(reverse("evaluation:run_drilldown", args=[run.pk, b_row.pk, "volume"])).status_code == 404
    )
    docx = client.get(reverse("evaluation:run_report", args=[run.pk, "docx"])).content
    from docx import Document

    text = "\n".join(c.text for t in Document(io.BytesIO(docx)).tables for r in t.rows for c in r.cells)
    assert "甲区知识产权服务中心" in text and "乙县商标品牌指导站" not in text
    login(client, world.users.staff_b)
    assert (
        client.get(reverse("evaluation:run_drilldown", args=[run.pk, b_row.pk, "volume"])).status_code == 200
    )
    assert (
        client.get(reverse("evaluation:run_drilldown", args=[run.pk, a_row.pk, "volume"])).status_code == 404
    )
    for user in (world.users.public, world.users.enterprise):
        login(client, user)
        assert client.get(reverse("evaluation:run", args=[run.pk])).status_code == 404
        assert client.get(reverse("evaluation:run_report", args=[run.pk, "docx"])).status_code == 404
    client.logout()
    assert client.get(reverse("evaluation:run", args=[run.pk])).status_code == 302


def test_manual_value_entry_review_and_evidence_pages(client, world, card, english):
    survey = Indicator.objects.get(code="survey")
    login(client, world.users.county_admin_a)
    url = reverse("evaluation:manual_new")
    response = client.post(
        url,
        {"indicator": survey.pk, "scope": f"agency:{world.centre_a.pk}", "period": "2026Q2", "value": "92"},
    )
    assert response.status_code == 422 and b'data-field="evidence"' in response.content
    response = client.post(
        url,
        {
            "indicator": survey.pk,
            "scope": f"agency:{world.centre_a.pk}",
            "period": "2026Q2",
            "value": "92",
            "note": "走访 12 家企业",
            "evidence": SimpleUploadedFile("走访记录.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    record = ManualValue.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert "走访记录.pdf" in page and 'data-testid="review-form"' not in page  # not the one who entered it
    evidence = record.evidence.get()
    download = client.get(reverse("evaluation:manual_evidence", args=[record.pk, evidence.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    login(client, world.users.county_admin_b)
    assert client.get(reverse("evaluation:manual_detail", args=[record.pk])).status_code == 404
    assert client.get(reverse("evaluation:manual_evidence", args=[record.pk, evidence.pk])).status_code == 404
    assert (
        client.post(
            reverse("evaluation:manual_review", args=[record.pk]), {"decision": "approved"}
        ).status_code
        == 404
    )
    login(client, world.users.city_admin)
    queue = client.get(reverse("evaluation:manual_queue")).content.decode()
    assert reverse("evaluation:manual_detail", args=[record.pk]) in queue
    response = client.post(reverse("evaluation:manual_review", args=[record.pk]), {"decision": "rejected"})
    assert response.status_code == 422 and b'data-field="note"' in response.content
    response = client.post(reverse("evaluation:manual_review", args=[record.pk]), {"decision": "approved"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == "approved" and record.reviewed_by == world.users.city_admin
    assert client.get(reverse("evaluation:manual_values")).status_code == 200
    login(client, world.users.public)
    assert client.get(reverse("evaluation:manual_values")).status_code == 404
    assert client.get(url).status_code == 404
