"""The search engine: substring Chinese queries, short queries, ranking for real questions, highlights."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhichan.knowledge import search, services
from zhichan.knowledge.models import Article, Policy, QAItem, SearchEntry

from .conftest import TRADEMARK_LAW

pytestmark = pytest.mark.django_db


def titles(hits):
    return [h.title for h in hits]


def test_three_character_substring_inside_a_word(laws):
    # 复审委 is no word of its own; substring matching still finds it inside 商标评审委员会's neighbours.
    hits = search.search("评审委员会", kinds=["article"], limit=50)
    assert hits and all("评审委员会" in Article.objects.get(pk=h.id).text for h in hits)
    assert "《商标法》第三十四条" in titles(hits)


def test_two_and_one_character_queries_use_the_fallback(laws):
    two = search.search("驳回", kinds=["article"], limit=100)
    assert two and all("驳回" in Article.objects.get(pk=h.id).text for h in two)
    one = search.search("罚", kinds=["article"], limit=5)
    assert len(one) == 5 and all("罚" in Article.objects.get(pk=h.id).text for h in one)


def test_nothing_found_and_empty_queries(laws):
    assert search.search("量子纠缠") == []
    assert search.search("") == [] and search.search("   ？！") == []
    assert search.search("商标", kinds=["nonsense"]) == []


def test_odd_input_does_not_fail(laws):
    for query in ['"商标"', "商标 OR 专利", "NEAR(商标", "%_\\", "商标*", "a" * 3000, "\x00商标"]:
        assert isinstance(search.search(query), list)


def test_highlight_marks_the_terms_and_escapes_the_text(laws):
    hit = search.search("商标续展", kinds=["article"])[0]
    assert "<mark>续展</mark>" in hit.snippet and "<mark>商标</mark>" in hit.snippet
    assert search.snippet("a<b>商标</b>", ["商标"]) == "a&lt;b&gt;<mark>商标</mark>&lt;/b&gt;"


def test_keywords_drop_filler_words():
    assert set(search.keywords("商标注册申请被驳回了怎么办")) == {"商标注册", "商标", "注册", "申请", "驳回"}
    assert search.keywords("商") == ["商"]


def test_article_law_and_number_are_searchable(laws):
    hits = search.search("商标法 第三十四条", kinds=["article"])
    assert hits[0].title == "《商标法》第三十四条"
    assert hits[0].url == f"/knowledge/articles/{hits[0].id}/"


def test_unpublished_records_are_not_found(world):
    qa = services.do_save_qa(
        world.users.city_admin,
        None,
        {"question": "内部草稿问题", "answer": "独一无二的答复内容", "published": False},
    )
    assert search.search("独一无二的答复") == []
    assert [h.id for h in search.search("独一无二的答复", include_unpublished=True)] == [qa.pk]


def test_index_follows_service_changes(world):
    admin = world.users.city_admin
    qa = services.do_save_qa(admin, None, {"question": "地理标志怎么申请？", "answer": "向主管部门提出。"})
    assert [h.id for h in search.search("地理标志", kinds=["qa"])] == [qa.pk]
    services.do_save_qa(admin, qa, {"question": "集体商标怎么申请？", "answer": "向主管部门提出。"})
    assert search.search("地理标志", kinds=["qa"]) == []
    assert [h.id for h in search.search("集体商标", kinds=["qa"])] == [qa.pk]
    services.do_delete_qa(admin, qa)
    assert search.search("集体商标", kinds=["qa"]) == []
    assert not SearchEntry.objects.filter(kind="qa", object_id=qa.pk).exists()


def test_rebuild_restores_a_damaged_index_and_repeating_changes_nothing(laws):
    SearchEntry.objects.filter(kind="article").delete()
    SearchEntry.objects.create(kind="policy", object_id=999999, title="旧", body="旧", url="/x/")
    assert search.search("驳回", kinds=["article"]) == []
    written = search.rebuild()
    assert written == Article.objects.count() + 1 + 0
    assert search.rebuild() == 0
    assert search.search("驳回", kinds=["article"])
    assert not SearchEntry.objects.filter(object_id=999999).exists()


def test_guides_are_indexed(world):
    search.rebuild()
    hits = search.search("商标注册申请受理", kinds=["guide"])
    assert hits[0].id == world.item.pk and hits[0].url == "/services/TM-REG/"
    # A draft item is not published and stays out of the results.
    assert search.search("甲区特色服务", kinds=["guide"]) == []


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 table exists on SQLite only")
def test_sqlite_uses_the_fts5_trigram_table(laws):
    assert search.has_fts()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM knowledge_fts WHERE knowledge_fts MATCH %s", ['"评审委员会"'])
        assert cursor.fetchone()[0] > 0
    search.optimize()  # rebuilding the FTS table keeps it consistent with its rows
    assert search.search("评审委员会", kinds=["article"])


# --- ranking on the real demo knowledge base ------------------------------------------------

REAL_QUESTIONS = [
    # (question, kinds, what must come first)
    ("商标注册申请被驳回了怎么办", ["article"], "《商标法》第三十四条"),
    ("专利费用减缴", ["qa"], "申请专利费用减缴需要符合什么条件？"),
    ("发明专利权的期限是多少年", ["article"], "《专利法》第四十二条"),
    ("有人假冒我的注册商标", ["article"], "《商标法》第六十条"),
    ("注册商标到期了怎么续展", ["article"], None),
    ("知识产权强国建设纲要", ["policy"], "知识产权强国建设纲要（2021—2035年）"),
    ("展会上发现侵权怎么投诉", ["guide"], "展会知识产权投诉"),
]


@pytest.mark.parametrize(("question", "kinds", "first"), REAL_QUESTIONS)
def test_ranking_puts_the_right_answer_first(demo, question, kinds, first):
    hits = search.search(question, kinds=kinds, limit=5)
    assert hits, question
    if first is None:  # 续展: the trademark law's or its regulation's renewal article
        assert hits[0].title in {"《商标法》第四十条", "《商标法实施条例》第三十三条"}
    else:
        assert hits[0].title == first, titles(hits)


def test_a_long_question_finds_the_article_and_its_qa_first(demo):
    hits = search.search("您好，我的商标注册申请被驳回了，我该怎么办？", limit=5)
    assert {h.title for h in hits[:2]} == {"《商标法》第三十四条", "商标注册申请被驳回了怎么办？"}


def test_fee_reduction_finds_qa_policy_and_guide(demo):
    kinds = {h.kind for h in search.search("专利费用减缴", limit=5)}
    assert {"qa", "guide", "policy"} <= kinds


def test_policy_by_document_number(demo):
    hits = search.search("国发〔2021〕20号", kinds=["policy"])
    assert hits[0].id == Policy.objects.get(document_number="国发〔2021〕20号").pk


def test_the_cited_article_of_a_matching_qa_gains(demo):
    qa = QAItem.objects.get(key="TM-REG-4")
    article = qa.articles.get()
    hits = search.search("商标注册申请被驳回了怎么办", kinds=["article"])
    assert hits[0].id == article.pk


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm on PostgreSQL only")
def test_postgresql_has_trigram_indexes(laws):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone()
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'knowledge_searchentry'")
        names = {row[0] for row in cursor.fetchall()}
    assert {"knowledge_searchentry_title_trgm", "knowledge_searchentry_body_trgm"} <= names


def test_the_periodic_task_refreshes_guides_and_repeats_harmlessly(world):
    from zhichan.knowledge.tasks import refresh_guide_index

    world.item.name = "商标注册申请受理（新名称）"
    world.item.save()
    refresh_guide_index.call_local()
    assert search.search("新名称", kinds=["guide"])[0].id == world.item.pk
    assert refresh_guide_index.call_local() == 0


SAFE_TAGS = re.compile(r"</?mark>")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text(max_size=40))
def test_any_query_gives_safe_relevant_hits(laws, query):
    hits = search.search(query, limit=5)
    terms = [t.lower() for t in search.keywords(query.replace("\x00", ""))]
    for hit in hits:
        entry = SearchEntry.objects.get(kind=hit.kind, object_id=hit.id)
        text = (entry.title + entry.body).lower()
        assert any(t in text for t in terms)
        assert "<" not in SAFE_TAGS.sub("", hit.snippet)  # only our own markup in the HTML


def test_commands(world, tmp_path):
    from .conftest import write_laws

    folder = write_laws(tmp_path / "laws", files=(TRADEMARK_LAW,))
    index = tmp_path / "index.yaml"
    index.write_text("laws: laws\n", encoding="utf-8")
    out = StringIO()
    call_command("load_knowledge", str(index), stdout=out)
    assert "knowledge laws: 74 created, 0 updated, 0 unchanged" in out.getvalue()
    assert folder.exists() and Article.objects.count() == 73
    out = StringIO()
    call_command("rebuild_knowledge_index", stdout=out)
    assert "knowledge index: 0 entries written or removed" in out.getvalue()
    index.write_text("laws: nowhere\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("load_knowledge", str(index), stdout=StringIO())


def test_publishing_a_guide_updates_the_search_at_once(world):
    from zhichan.catalog.services import do_publish, do_save_draft

    do_save_draft(
        world.users.city_admin,
        world.item,
        steps=["携带营业执照到窗口提交"],
        time_limit_days=3,
        channels=["window"],
    )
    do_publish(world.users.city_admin, world.item, "新增窗口办理说明")
    hits = search.search("营业执照到窗口", kinds=["guide"])
    assert [h.id for h in hits] == [world.item.pk]
