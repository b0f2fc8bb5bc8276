"""The knowledge API: search, laws, articles, policies and Q&A CRUD, the hotline log."""

import pytest

from zhichan.knowledge import console
from zhichan.knowledge.models import Article, HotlineQuestion, Policy, QAItem

pytestmark = pytest.mark.django_db
JSON = "application/json"


def test_search(client, laws):
    data = client.get("/api/v1/knowledge/search", {"q": "驳回申请、不予公告的商标", "kind": "article"}).json()
    assert data[0]["title"] == "《商标法》第三十四条" and data[0]["kind"] == "article"
    assert "<mark>" in data[0]["snippet"] and data[0]["url"].startswith("/knowledge/articles/")
    assert client.get("/api/v1/knowledge/search", {"q": ""}).status_code == 422
    assert client.get("/api/v1/knowledge/search", {"q": "x", "kind": "law"}).status_code == 422
    assert client.get("/api/v1/knowledge/search", {"q": "x", "limit": 500}).status_code == 422


def test_laws_and_articles(client, laws):
    laws_data = client.get("/api/v1/knowledge/laws").json()
    trademark = next(law for law in laws_data if law["short_name"] == "商标法")
    assert trademark["article_count"] == 73 and trademark["status"] == "in_force"
    page = client.get(f"/api/v1/knowledge/laws/{trademark['id']}/articles", {"limit": 5, "offset": 33}).json()
    assert page["count"] == 73 and page["items"][0]["number"] == "第三十四条"
    one = client.get(f"/api/v1/knowledge/articles/{page['items'][0]['id']}").json()
    assert one["law"] == "商标法" and one["ordinal"] == 34
    assert client.get("/api/v1/knowledge/articles/999999").status_code == 404
    assert client.get("/api/v1/knowledge/laws/999999").status_code == 404


def test_policy_crud_and_access(client, world):
    body = {
        "title": "甲区政策",
        "issuing_body": "甲区人民政府",
        "text": "正文",
        "tags": ["专利"],
        "region_id": world.county_a.pk,
        "issued_on": "2024-05-01",
    }
    assert client.post("/api/v1/knowledge/policies", body, content_type=JSON).status_code == 401
    client.force_login(world.users.staff_a)
    assert client.post("/api/v1/knowledge/policies", body, content_type=JSON).status_code == 404
    client.force_login(world.users.county_admin_a)
    created = client.post("/api/v1/knowledge/policies", body, content_type=JSON)
    assert created.status_code == 201
    data = created.json()
    assert (data["region_code"], data["tags"], data["issued_on"]) == ("990102", ["专利"], "2024-05-01")
    pk = data["id"]
    changed = client.put(
        f"/api/v1/knowledge/policies/{pk}", {**body, "status": "repealed"}, content_type=JSON
    )
    assert changed.status_code == 200 and changed.json()["status"] == "repealed"
    bad = client.put(f"/api/v1/knowledge/policies/{pk}", {**body, "title": ""}, content_type=JSON)
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "title"
    client.force_login(world.users.county_admin_b)
    assert client.put(f"/api/v1/knowledge/policies/{pk}", body, content_type=JSON).status_code == 404
    assert Policy.objects.get(pk=pk).status == "repealed"
    client.logout()
    assert [p["title"] for p in client.get("/api/v1/knowledge/policies").json()["items"]] == ["甲区政策"]
    assert client.get(f"/api/v1/knowledge/policies/{pk}").status_code == 200


def test_qa_crud(client, laws, world):
    article = Article.objects.get(law__short_name="商标法", ordinal=34)
    client.force_login(world.users.city_admin)
    body = {
        "question": "驳回后多久内复审？",
        "answer": "十五日内。",
        "articles": [article.pk],
        "service_item_id": world.item.pk,
        "tags": ["商标"],
        "published": False,
    }
    created = client.post("/api/v1/knowledge/qa", body, content_type=JSON)
    assert created.status_code == 201
    data = created.json()
    assert data["articles"] == [article.pk] and data["service_item"] == "TM-REG" and not data["published"]
    pk = data["id"]
    client.logout()
    assert client.get(f"/api/v1/knowledge/qa/{pk}").status_code == 404  # unpublished
    client.force_login(world.users.county_admin_a)
    assert client.delete(f"/api/v1/knowledge/qa/{pk}").status_code == 404  # not theirs
    client.force_login(world.users.city_admin)
    bad = client.post("/api/v1/knowledge/qa", {**body, "articles": [999999]}, content_type=JSON)
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "articles"
    assert (
        client.put(f"/api/v1/knowledge/qa/{pk}", {**body, "published": True}, content_type=JSON).status_code
        == 200
    )
    assert client.delete(f"/api/v1/knowledge/qa/{pk}").status_code == 204
    assert not QAItem.objects.exists()


def test_hotline_log_and_record(client, world):
    body = {
        "text": "商标怎么注册",
        "outcome": "answered_on_spot",
        "ref_kind": "guide",
        "ref_id": world.item.pk,
        "token": "tok-1",
    }
    assert client.post("/api/v1/knowledge/hotline", body, content_type=JSON).status_code == 401
    client.force_login(world.users.public)
    assert client.post("/api/v1/knowledge/hotline", body, content_type=JSON).status_code == 404
    assert client.get("/api/v1/knowledge/hotline").json()["items"] == []
    client.force_login(world.users.staff_a)
    first = client.post("/api/v1/knowledge/hotline", body, content_type=JSON)
    again = client.post("/api/v1/knowledge/hotline", body, content_type=JSON)
    assert first.status_code == again.status_code == 201 and first.json()["id"] == again.json()["id"]
    assert first.json()["guide_id"] == world.item.pk and first.json()["answered"] is True
    missing_ref = {**body, "token": None, "ref_id": None}
    assert client.post("/api/v1/knowledge/hotline", missing_ref, content_type=JSON).status_code == 422
    client.post("/api/v1/knowledge/hotline", {"text": "地理标志", "outcome": "unanswered"}, content_type=JSON)
    assert HotlineQuestion.objects.count() == 2
    log = client.get("/api/v1/knowledge/hotline", {"outcome": "unanswered"}).json()
    assert [r["text"] for r in log["items"]] == ["地理标志"]
    console.record_unanswered(world.users.staff_b, "乙县的问题")
    client.force_login(world.users.staff_a)
    texts = {r["text"] for r in client.get("/api/v1/knowledge/hotline").json()["items"]}
    assert texts == {"商标怎么注册", "地理标志"}
