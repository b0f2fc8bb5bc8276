"""Public knowledge pages and the administrators' management pages."""

import pytest

from zhichan.knowledge import services
from zhichan.knowledge.models import Article, Policy, QAItem

pytestmark = pytest.mark.django_db


def test_public_search_page(client, laws):
    html = client.get("/knowledge/").content.decode()
    assert "中华人民共和国商标法" in html  # the list of laws when nothing is asked
    html = client.get("/knowledge/", {"q": "商标注册申请被驳回"}).content.decode()
    assert 'data-testid="knowledge-hit"' in html and "《商标法》第三十四条" in html and "<mark>" in html
    assert "answer-with" not in html  # the answer buttons are the console's
    html = client.get("/knowledge/", {"q": "量子纠缠"}).content.decode()
    assert 'data-testid="knowledge-none"' in html
    only = client.get("/knowledge/", {"q": "驳回", "kind": "policy"}).content.decode()
    assert "《商标法》" not in only


def test_article_page_links_to_the_law(client, laws):
    article = Article.objects.get(law__short_name="商标法", ordinal=34)
    html = client.get(f"/knowledge/articles/{article.pk}/").content.decode()
    assert "中华人民共和国商标法 第三十四条" in html and "对驳回申请、不予公告的商标" in html
    assert f'href="/knowledge/laws/{article.law_id}/#a34"' in html
    assert "第三十三条" in html and "第三十五条" in html  # previous and next
    law_html = client.get(f"/knowledge/laws/{article.law_id}/").content.decode()
    assert law_html.count('data-testid="law-article"') == 73
    assert client.get("/knowledge/articles/999999/").status_code == 404


def test_policy_and_qa_pages_hide_unpublished(client, world):
    admin = world.users.city_admin
    policy = services.do_save_policy(
        admin, None, {"title": "公开政策", "issuing_body": "x", "text": "正文", "is_summary": True}
    )
    draft = services.do_save_policy(
        admin, None, {"title": "草稿", "issuing_body": "x", "text": "y", "published": False}
    )
    qa = services.do_save_qa(admin, None, {"question": "问？", "answer": "答。", "published": False})
    html = client.get(f"/knowledge/policies/{policy.pk}/").content.decode()
    assert "公开政策" in html and 'data-testid="policy-summary-note"' in html
    assert client.get(f"/knowledge/policies/{draft.pk}/").status_code == 404
    assert client.get(f"/knowledge/qa/{qa.pk}/").status_code == 404
    client.force_login(admin)
    assert client.get(f"/knowledge/policies/{draft.pk}/").status_code == 200
    assert client.get(f"/knowledge/qa/{qa.pk}/").status_code == 200


@pytest.mark.parametrize("role", ["public", "staff_a", "agency_admin_a"])
def test_management_pages_are_for_administrators(client, world, role):
    client.force_login(getattr(world.users, role))
    for url in ("/knowledge/manage/", "/knowledge/manage/policies/new/", "/knowledge/manage/qa/new/"):
        assert client.get(url).status_code == 404
    response = client.post(
        "/knowledge/manage/policies/new/",
        {"title": "t", "issuing_body": "x", "text": "y", "status": "in_force"},
    )
    assert response.status_code == 404 and not Policy.objects.exists()


def test_county_admin_creates_and_edits_a_policy(client, world):
    client.force_login(world.users.county_admin_a)
    form = client.get("/knowledge/manage/policies/new/").content.decode()
    assert "甲区" in form and "乙县" not in form  # only their own regions to choose from
    response = client.post(
        "/knowledge/manage/policies/new/",
        {
            "title": "甲区专利资助办法",
            "issuing_body": "甲区市场监督管理局",
            "document_number": "甲市监〔2024〕3号",
            "issued_on": "2024-03-01",
            "status": "in_force",
            "region": "",
            "tags": "专利，资助",
            "text": "全文……",
            "published": "on",
        },
    )
    policy = Policy.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/knowledge/policies/{policy.pk}/"
    assert policy.region == world.county_a and sorted(t.name for t in policy.tags.all()) == ["专利", "资助"]
    manage = client.get("/knowledge/manage/").content.decode()
    assert "甲区专利资助办法" in manage
    bad = client.post(
        f"/knowledge/manage/policies/{policy.pk}/",
        {"title": "", "issuing_body": "x", "text": "y", "status": "in_force"},
    )
    assert bad.status_code == 422 and 'data-field="title"' in bad.content.decode()
    policy.refresh_from_db()
    assert policy.title == "甲区专利资助办法"
    client.force_login(world.users.county_admin_b)
    assert client.get(f"/knowledge/manage/policies/{policy.pk}/").status_code == 404


def test_city_admin_writes_a_qa_item_citing_an_article(client, laws, world):
    article = Article.objects.get(law__short_name="商标法", ordinal=34)
    client.force_login(world.users.city_admin)
    prefilled = client.get("/knowledge/manage/qa/new/", {"question": "地理标志怎么申请"}).content.decode()
    assert 'value="地理标志怎么申请"' in prefilled
    response = client.post(
        "/knowledge/manage/qa/new/",
        {
            "question": "驳回复审的期限是多久？",
            "answer": "十五日。",
            "articles": f"{article.pk}",
            "service_item": world.item.pk,
            "tags": "商标",
            "published": "on",
        },
    )
    qa = QAItem.objects.get()
    assert response.status_code == 302
    assert list(qa.articles.all()) == [article] and qa.service_item == world.item
    bad = client.post("/knowledge/manage/qa/new/", {"question": "x", "answer": "y", "articles": "abc"})
    assert bad.status_code == 422 and "Article ids are numbers" in bad.content.decode()
    bad = client.post("/knowledge/manage/qa/new/", {"question": "x", "answer": "y", "articles": "999999"})
    assert bad.status_code == 422 and "does not exist" in bad.content.decode()
    huge = client.post("/knowledge/manage/qa/new/", {"question": "x", "answer": "y", "articles": "9" * 30})
    assert huge.status_code == 422
    assert QAItem.objects.count() == 1
    html = client.get(f"/knowledge/articles/{article.pk}/").content.decode()
    assert "驳回复审的期限是多久？" in html  # the article lists the questions it answers
