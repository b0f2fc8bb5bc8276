"""A hotline agent answers a caller from the knowledge base; a visitor looks an article up."""

import pytest
from playwright.sync_api import expect

from zhichan.accounts.models import Role, User
from zhichan.agencies.models import Agency
from zhichan.cases.models import Case
from zhichan.core.bundles import DEMO_BUNDLE, load_bundle
from zhichan.knowledge.models import Article, HotlineQuestion, Outcome

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Hotline-agent-pass-2024"


@pytest.fixture
def agent():
    load_bundle(DEMO_BUNDLE, log=lambda *a: None)
    return User.objects.create_user(
        username="hotline_agent",
        password=PASSWORD,
        role=Role.AGENCY_STAFF,
        agency=Agency.objects.order_by("pk").first(),
        display_name="热线坐席",
    )


def test_answer_a_call_from_the_knowledge_base(page, agent):
    page.goto("/accounts/login/")
    page.fill("input[name=username]", agent.username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("whoami")).to_contain_text("热线坐席")

    page.get_by_test_id("nav-hotline").first.click()
    page.wait_for_url("**/hotline/")
    # The agent types the caller's question; answers appear without submitting anything.
    page.get_by_test_id("console-question").press_sequentially("商标注册申请被驳回了怎么办", delay=20)
    article = Article.objects.get(law__short_name="商标法", ordinal=34)
    button = page.locator(f"button[data-testid=answer-with][value='article:{article.pk}']")
    expect(button).to_be_visible()
    expect(page.get_by_test_id("knowledge-snippet").first.locator("mark").first).to_be_visible()
    button.click()
    page.wait_for_url("**/hotline/")
    row = HotlineQuestion.objects.get()
    assert (row.outcome, row.article_id, row.agent_id) == (Outcome.ANSWERED_ON_SPOT, article.pk, agent.pk)
    # The answer counts as a consultation closed at first contact.
    answered = Case.objects.get(pk=row.case_id)
    assert (answered.channel, answered.status, answered.first_contact) == ("hotline", "closed", True)

    # A question the knowledge base cannot answer opens a case and is listed for the editors.
    page.get_by_test_id("console-question").fill("数据知识产权登记证书怎么用于融资")
    page.get_by_test_id("open-case").click()
    page.wait_for_url("**/requests/new/**")
    expect(page.locator("textarea[name=description]")).to_have_value("数据知识产权登记证书怎么用于融资")
    page.fill("input[name=requester_name]", "钱七")
    page.fill("input[name=requester_phone]", "13700000000")
    page.get_by_test_id("intake-submit").click()
    page.wait_for_url("**/track/*/")
    opened = Case.objects.get(requester_name="钱七")
    assert (opened.channel, opened.type, opened.status) == ("hotline", "consultation", "new")
    # The call's record points at the request the agent filed from it.
    assert HotlineQuestion.objects.get(outcome=Outcome.CASE_OPENED).case_id == opened.pk
    page.goto("/knowledge/manage/unanswered/")
    expect(page.get_by_test_id("unanswered-row")).to_contain_text("数据知识产权登记证书")


def test_visitor_finds_an_article_on_a_phone(phone_page, agent):
    page = phone_page
    page.goto("/knowledge/")
    page.fill("input[name=q]", "发明专利权的期限")
    page.get_by_test_id("knowledge-search").click()
    first = page.get_by_test_id("knowledge-hit").first
    expect(first).to_contain_text("《专利法》第四十二条")
    first.locator("a").first.click()
    expect(page.get_by_test_id("article-text")).to_contain_text("发明专利权的期限为二十年")
    page.get_by_test_id("all-articles").click()
    expect(page.get_by_test_id("law-title")).to_contain_text("中华人民共和国专利法")
