"""Texts no longer in force are still found, but rank below current ones and are marked."""

import pytest

from zhichan.knowledge import search
from zhichan.knowledge.models import Law, LawStatus, Policy

pytestmark = pytest.mark.django_db


@pytest.fixture
def twin_policies(db):
    common = "专利转化专项资助的申请条件和兑现流程，企业按年度申报。"
    old = Policy.objects.create(
        title="旧版专利资助办法", text=common, issuing_body="市知识产权局", document_number="旧〔2019〕1号",
        status=LawStatus.REPEALED,
    )  # fmt: skip
    new = Policy.objects.create(
        title="新版专利资助办法", text=common, issuing_body="市知识产权局", document_number="新〔2025〕1号"
    )
    search.rebuild()
    return old, new


def test_repealed_policy_ranks_below_the_one_in_force(twin_policies):
    old, new = twin_policies
    found = search.search("专利转化专项资助申请条件", kinds=["policy"])
    hits = [h for h in found if h.id in (old.pk, new.pk)]
    assert [h.id for h in hits] == [new.pk, old.pk]
    assert [h.in_force for h in hits] == [True, False]


def test_articles_follow_their_law(world):
    law = Law.objects.create(title="测试条例", short_name="测试条例", status=LawStatus.REPEALED)
    article = law.articles.create(number="第一条", ordinal=1, text="植物新品种的申请人应当提交请求书。")
    search.rebuild()
    hit = next(h for h in search.search("植物新品种申请人请求书", kinds=["article"]) if h.id == article.pk)
    assert hit.in_force is False


def test_console_marks_a_repealed_text(twin_policies, client, world):
    client.force_login(world.users.staff_a)
    page = client.get("/hotline/results/", {"text": "专利转化专项资助申请条件"}).content.decode()
    assert page.count('data-testid="not-in-force"') >= 1
