"""Deadlines on the record pages, the enterprise page and through the API; the holiday calendar."""

import datetime as dt
from types import SimpleNamespace

import pytest

from zhichan.core.models import WorkdayOverride
from zhichan.core.workdays import forget_overrides
from zhichan.watch import deadlines as dl


@pytest.fixture(autouse=True)
def _english(english):
    pass


def test_patent_page_lists_its_annual_fees_and_term(client, portfolio):
    patent = portfolio["invention"]
    body = client.get(f"/ipdata/patents/{patent.application_number}/").content.decode()
    assert 'data-testid="deadline-list"' in body
    assert 'data-kind="annual_fee"' in body and 'data-kind="patent_term_end"' in body
    assert "专利法实施细则 第一百一十五条" in body


def test_lapsed_patent_page_has_no_deadlines(client, portfolio):
    body = client.get(f"/ipdata/patents/{portfolio['lapsed'].application_number}/").content.decode()
    assert 'data-testid="deadline-row"' not in body
    assert "No deadlines ahead." in body


def test_trademark_page_lists_its_renewal(client, portfolio):
    body = client.get("/ipdata/trademarks/88000001/").content.decode()
    assert 'data-kind="tm_renewal"' in body


def test_enterprise_page_lists_upcoming_deadlines_of_its_portfolio(client, portfolio):
    body = client.get(f"/enterprises/{portfolio['enterprise'].pk}/").content.decode()
    rows = body.count('data-testid="deadline-row"')
    # The next annual fee (in about 40 days) and the renewal (within 100 days); not the far term end.
    assert rows == 2
    assert 'data-kind="annual_fee"' in body and 'data-kind="tm_renewal"' in body
    assert 'data-kind="patent_term_end"' not in body


def test_api_patent_deadlines(client, portfolio):
    patent = portfolio["invention"]
    response = client.get(f"/api/v1/deadlines/patents/{patent.application_number}")
    assert response.status_code == 200
    data = response.json()
    kinds = {d["kind"] for d in data}
    assert kinds == {"annual_fee", "patent_term_end"}
    fee = next(d for d in data if d["kind"] == "annual_fee")
    assert fee["surcharge"] is True and fee["grace_ends"] > fee["due"]
    assert fee["actionable"] is True


def test_api_unknown_records_are_404(client, world):
    assert client.get("/api/v1/deadlines/patents/nonsense").status_code == 404
    assert client.get("/api/v1/deadlines/patents/202010000001.X").status_code == 404
    assert client.get("/api/v1/deadlines/trademarks/99999999").status_code == 404
    assert client.get("/api/v1/deadlines/enterprises/999999").status_code == 404


def test_api_trademark_and_enterprise_deadlines(client, portfolio):
    data = client.get("/api/v1/deadlines/trademarks/88000001").json()
    assert {d["kind"] for d in data} == {"tm_renewal", "tm_nonuse"}
    firm = portfolio["enterprise"]
    data = client.get(f"/api/v1/deadlines/enterprises/{firm.pk}?days=60").json()
    assert [d["kind"] for d in data] == ["annual_fee"]
    assert client.get(f"/api/v1/deadlines/enterprises/{firm.pk}?days=-1").status_code == 422


def test_working_day_overrides_move_the_roll_forward(db):
    # 2031-03-10 is a Monday; declared a holiday, the fee moves to Tuesday.
    patent = SimpleNamespace(
        application_number="202010000001.X",
        application_date=dt.date(2020, 3, 10),
        grant_date=dt.date(2022, 5, 1),
        patent_type="invention",
        legal_status="valid",
    )
    fee = next(d for d in dl.patent_deadlines(patent) if d.key == "annual_fee:12")
    assert fee.due == dt.date(2031, 3, 10)
    WorkdayOverride.objects.create(date=dt.date(2031, 3, 10), is_workday=False, note="test")
    forget_overrides()
    fee = next(d for d in dl.patent_deadlines(patent) if d.key == "annual_fee:12")
    assert fee.statutory == dt.date(2031, 3, 10)
    assert fee.due == dt.date(2031, 3, 11)
