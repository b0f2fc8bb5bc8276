"""Finance pages: each renders for its readers, forms reach the services, the pledge flag shows."""

import io
import re

import pytest
from openpyxl import load_workbook

from tests.finance.conftest import apply, approved
from zhichan.custody import services as custody_services
from zhichan.finance import services
from zhichan.finance.models import LoanProduct, PledgeApplication


def test_public_pages(client, world, fin):
    assert client.get("/finance/").status_code == 200
    page = client.get("/finance/products/").content.decode()
    assert "知识产权质押贷" in page
    assert client.get(f"/finance/products/{fin.product.pk}/").status_code == 200
    assert client.get("/finance/applications/").status_code == 302  # log in first
    for method in ("income", "cost", "market"):
        assert client.get(f"/finance/valuation/?method={method}").status_code == 200


def test_valuation_page_shows_value_assumptions_and_refusals(client, db):
    page = client.post(
        "/finance/valuation/",
        {
            "method": "income",
            "revenues": "1000000, 1200000\n1400000",
            "royalty_rate": "5",
            "tax_rate": "25",
            "discount_rate": "10",
            "economic_life_years": "3",
        },
    ).content.decode()
    assert 'data-value="110725.02"' in page and "not an appraisal" in page and "Royalty rate" in page
    page = client.post(
        "/finance/valuation/",
        {
            "method": "income",
            "revenues": "1000",
            "royalty_rate": "150",
            "tax_rate": "25",
            "discount_rate": "0",
            "economic_life_years": "1",
        },
    ).content.decode()
    assert 'data-field="royalty_rate"' in page and 'data-field="discount_rate"' in page
    assert "valuation-result" not in page
    page = client.post(
        "/finance/valuation/", {"method": "market", "comparables": "A | 300000 | 1.1 0.9\nB | 400000 | 0.8"}
    ).content.decode()
    assert 'data-value="308500.00"' in page


def test_enterprise_applies_through_the_page(client, world, fin):
    client.force_login(world.users.enterprise)
    data = {"patents": [fin.p1.pk], "amount": "1000000", "term_months": "24", "purpose": "购买设备"}
    page = client.post("/finance/applications/new/", {**data, "match": ""}).content.decode()
    assert "matched-products" in page and "知识产权质押贷" in page and "乙县专利贷" not in page
    page = client.post(
        "/finance/applications/new/", {**data, "amount": "10", "product": fin.product.pk, "submit": ""}
    )
    assert not PledgeApplication.objects.exists()
    response = client.post("/finance/applications/new/", {**data, "product": fin.product.pk, "submit": ""})
    application = PledgeApplication.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/finance/applications/{application.pk}/"
    assert client.get(response["Location"]).status_code == 200


def test_bank_staff_move_the_application_through_pages(client, world, fin):
    application = apply(world, fin)
    client.force_login(fin.users.bank_b)
    assert client.get(f"/finance/applications/{application.pk}/").status_code == 404
    assert client.post(f"/finance/applications/{application.pk}/review/").status_code == 404
    client.force_login(fin.users.bank_a)
    page = client.get(f"/finance/applications/{application.pk}/").content.decode()
    assert 'data-testid="action-review"' in page
    client.post(f"/finance/applications/{application.pk}/review/")
    client.post(f"/finance/applications/{application.pk}/approve/", {"note": "同意"})
    # An illegal move from the page is a message, not a 500.
    response = client.post(f"/finance/applications/{application.pk}/review/", follow=True)
    assert response.status_code == 200 and "cannot become" in response.content.decode()
    client.post(
        f"/finance/applications/{application.pk}/register/",
        {"registration_number": "Y2026", "registered_on": "2026-01-02"},
    )
    application.refresh_from_db()
    assert application.status == "registered"
    pledge = application.pledge
    assert client.get(f"/finance/pledges/{pledge.pk}/").status_code == 200
    assert "Y2026" in client.get("/finance/pledges/").content.decode()


def test_pledge_flag_on_patent_trademark_and_custody_pages(client, world, fin):
    patent_url = f"/ipdata/patents/{fin.p1.application_number}/"
    assert 'data-testid="pledge-flag"' not in client.get(patent_url).content.decode()
    application = approved(world, fin, trademarks=[fin.mark])
    services.do_register_pledge(fin.users.bank_a, application, registration_number="Y1")
    assert 'data-testid="pledge-flag"' in client.get(patent_url).content.decode()
    page = client.get(f"/ipdata/trademarks/{fin.mark.registration_number}/").content.decode()
    assert 'data-testid="pledge-flag"' in page
    assert (
        'data-testid="pledge-flag"'
        not in client.get(f"/ipdata/patents/{fin.p2.application_number}/").content.decode()
    )
    custody = custody_services.do_create_custody(
        world.users.staff_a, agency=world.centre_a, enterprise=fin.firm, starts_on="2026-01-01"
    )
    client.force_login(world.users.staff_a)
    page = client.get(f"/custody/{custody.pk}/").content.decode()
    assert page.count('data-testid="pledge-flag"') == 2  # p1 and the mark, not p2 nor the lapsed one


def test_product_pages_for_the_bank(client, world, fin):
    client.force_login(world.users.enterprise)
    assert client.get("/finance/products/new/").status_code == 404
    client.force_login(fin.users.bank_a)
    response = client.post(
        "/finance/products/new/",
        {
            "institution": fin.bank_a.pk,
            "name": "新产品",
            "amount_min": "10",
            "amount_max": "5",
            "term_min_months": "1",
            "term_max_months": "12",
            "rate_min": "3",
            "rate_max": "4",
            "ip_types": ["patent"],
        },
    )
    assert response.status_code == 200 and 'data-field="amount_max"' in response.content.decode()
    response = client.post(
        "/finance/products/new/",
        {
            "institution": fin.bank_a.pk,
            "name": "新产品",
            "amount_min": "10",
            "amount_max": "50",
            "term_min_months": "1",
            "term_max_months": "12",
            "rate_min": "3",
            "rate_max": "4",
            "ip_types": ["patent"],
        },
    )
    product = LoanProduct.objects.get(name="新产品")
    assert response.status_code == 302 and not product.published
    assert client.get(f"/finance/products/{fin.product_b.pk}/edit/").status_code == 404
    assert client.get(f"/finance/products/{product.pk}/edit/").status_code == 200


def test_insurance_pages(client, world, fin):
    client.force_login(fin.users.insurer)
    response = client.post(
        "/finance/insurance/new/",
        {
            "insurer": fin.insurer.pk,
            "enterprise": fin.firm.pk,
            "policy_number": "P-9",
            "kind": "enforcement",
            "patent_numbers": fin.p1.application_number,
            "sum_insured": "100000",
            "premium": "2000",
            "starts_on": "2026-01-01",
            "ends_on": "2026-12-31",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    policy_url = response["Location"]
    client.force_login(world.users.enterprise)
    response = client.post(
        policy_url + "claim/", {"filed_on": "2026-01-05", "amount_claimed": "5000", "description": "x"}
    )
    assert response.status_code == 302
    page = client.get(policy_url).content.decode()
    assert 'data-testid="claim-row" data-status="filed"' in page


@pytest.mark.parametrize("year", ["", "?year=2026"])
def test_statistics_and_export(client, world, fin, year):
    application = approved(world, fin, patents=[fin.p2])
    services.do_register_pledge(
        fin.users.bank_a, application, registration_number="Y1", registered_on="2026-03-01"
    )
    client.force_login(world.users.city_admin)
    page = client.get("/finance/statistics/" + year).content.decode()
    assert "echarts.min.js" in page and "finance-chart-data" in page and "甲银行" in page
    assert "H Electricity" in page  # p2's main IPC is H04L
    response = client.get("/finance/statistics.xlsx" + year)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert ("甲银行", 1, 1000000.0) in rows
    client.force_login(fin.users.bank_b)
    assert "甲银行" not in client.get("/finance/statistics/").content.decode()


def test_a_resent_application_form_creates_one_application(client, world, fin):
    client.force_login(world.users.enterprise)
    form = client.get("/finance/applications/new/").content.decode()
    key = re.search(r'name="submission_key" value="([^"]+)"', form).group(1)
    data = {
        "patents": [fin.p1.pk], "amount": "1000000", "term_months": "24", "purpose": "购买设备",
        "product": fin.product.pk, "submit": "", "submission_key": key,
    }  # fmt: skip
    first = client.post("/finance/applications/new/", data)
    second = client.post("/finance/applications/new/", data)
    assert first["Location"] == second["Location"]
    assert PledgeApplication.objects.count() == 1


def test_the_enterprise_withdraws_through_the_page(client, world, fin):
    application = apply(world, fin)
    client.force_login(fin.users.bank_a)
    assert (
        'data-testid="withdraw-form"'
        not in client.get(f"/finance/applications/{application.pk}/").content.decode()
    )
    assert client.post(f"/finance/applications/{application.pk}/withdraw/").status_code == 404
    client.force_login(world.users.enterprise)
    page = client.get(f"/finance/applications/{application.pk}/").content.decode()
    assert 'data-testid="withdraw-form"' in page
    client.post(f"/finance/applications/{application.pk}/withdraw/", {"note": "不再需要"})
    application.refresh_from_db()
    assert application.status == "withdrawn"
    page = client.get(f"/finance/applications/{application.pk}/").content.decode()
    assert 'data-testid="withdraw-form"' not in page and "Submitted →" in page


def test_pledge_actions_report_success_and_refusal_as_messages(client, world, fin):
    from django.contrib.messages import get_messages

    application = approved(world, fin)
    pledge = services.do_register_pledge(fin.users.bank_a, application, registration_number="Y9")
    client.force_login(fin.users.bank_b)
    assert client.post(f"/finance/pledges/{pledge.pk}/release/").status_code == 404
    client.force_login(fin.users.bank_a)
    done = client.post(f"/finance/pledges/{pledge.pk}/release/", {"note": "已还款"}, follow=True)
    assert done.redirect_chain == [(f"/finance/pledges/{pledge.pk}/", 302)]
    assert [str(m) for m in get_messages(done.wsgi_request)] == ["Saved."]
    pledge.refresh_from_db()
    assert pledge.status == "released"
    refused = client.post(f"/finance/pledges/{pledge.pk}/default/", {"note": "x"}, follow=True)
    assert refused.status_code == 200
    [message] = [str(m) for m in get_messages(refused.wsgi_request)]
    assert "cannot become" in message
    pledge.refresh_from_db()
    assert pledge.status == "released" and pledge.events.filter(kind="defaulted").count() == 0
