import json

import pytest

from zhichan.core.dataload import DataFileError
from zhichan.knowledge.loaders import chinese_number, load_laws, load_policies, load_qa, parse_law
from zhichan.knowledge.models import Article, Law, Policy, QAItem, SearchEntry

from .conftest import NATIONAL, TRADEMARK_LAW, write_laws

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("一", 1),
        ("十", 10),
        ("十一", 11),
        ("二十", 20),
        ("七十三", 73),
        ("一百", 100),
        ("一百零八", 108),
        ("一百一十五", 115),
        ("一百四十九", 149),
    ],
)
def test_chinese_numbers(text, number):
    assert chinese_number(text) == number


def test_trademark_law_has_73_articles():
    law = parse_law(NATIONAL / TRADEMARK_LAW)
    assert law.title == "中华人民共和国商标法"
    assert len(law.articles) == 73
    assert [a["ordinal"] for a in law.articles] == list(range(1, 74))
    art34 = law.articles[33]
    assert art34["number"] == "第三十四条" and art34["text"].startswith("对驳回申请、不予公告的商标")
    assert art34["chapter"] == "第三章 商标注册的审查和核准"
    assert "第四次修正" in law.preamble


def test_every_statute_splits_like_the_reference_articles_file():
    """The Markdown split gives the same articles as the published articles.jsonl, text included."""
    reference: dict[str, list[dict]] = {}
    source = NATIONAL / "articles.jsonl"
    for line in source.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        reference.setdefault(row["law"], []).append(row)
    for name, rows in reference.items():
        parsed = parse_law(NATIONAL / f"{name}.md")
        assert [a["number"] for a in parsed.articles] == [r["article"] for r in rows], name
        assert parsed.articles[-1]["text"].replace("\n", "") == rows[-1]["text"].replace("\n", ""), name


def test_load_and_reload_changes_nothing(world, tmp_path):
    folder = write_laws(tmp_path / "laws")
    first = load_laws(folder)
    assert first.created == 2 + 73 + 149 and first.updated == 0
    trademark = Law.objects.get(short_name="商标法")
    assert trademark.articles.count() == 73 and trademark.issuing_body == "测试机关"
    assert str(trademark.issued_on) == "2019-04-23"
    again = load_laws(folder)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2 + 73 + 149)


def test_changed_article_is_updated(world, tmp_path):
    folder = write_laws(tmp_path / "laws", files=(TRADEMARK_LAW,))
    load_laws(folder)
    path = folder / TRADEMARK_LAW
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "商标局应当书面通知商标注册申请人", "商标局应当及时书面通知商标注册申请人"
        ),
        encoding="utf-8",
    )
    result = load_laws(folder)
    assert result.updated == 1 and result.created == 0
    assert "商标局应当及时书面通知" in Article.objects.get(law__short_name="商标法", ordinal=34).text


def test_bad_laws_file_saves_nothing(world, tmp_path):
    folder = write_laws(
        tmp_path / "laws",
        yaml_text=(
            f"- file: {TRADEMARK_LAW}\n  short_name: 商标法\n  issued_on: 2019-13-45\n"
            "- file: missing.md\n  short_name: 缺失\n"
            f"- file: {TRADEMARK_LAW}\n  short_name: 商标法\n  colour: red\n"
        ),
    )
    with pytest.raises(DataFileError) as exc:
        load_laws(folder)
    text = str(exc.value)
    assert "line 1, issued_on: not a date" in text
    assert "line 4, file: no such file: missing.md" in text
    assert "line 6, short_name: already on line 1" in text
    assert "line 6, colour: unknown key(s)" in text
    assert not Law.objects.exists() and not Article.objects.exists()


def test_statute_out_of_order_names_its_line(world, tmp_path):
    folder = tmp_path / "laws"
    folder.mkdir()
    (folder / "x.md").write_text(
        "# 测试法\n\n## 第一章\n\n第一条 甲。\n\n第三条 乙。\n\n第二条 丙。\n", encoding="utf-8"
    )
    (folder / "laws.yaml").write_text("- file: x.md\n  short_name: 测试法\n", encoding="utf-8")
    with pytest.raises(DataFileError) as exc:
        load_laws(folder)
    assert "line 9, x.md: article: 第二条 out of order" in str(exc.value)


def test_statute_without_title_or_articles(world, tmp_path):
    folder = tmp_path / "laws"
    folder.mkdir()
    (folder / "x.md").write_text("没有标题\n", encoding="utf-8")
    (folder / "laws.yaml").write_text("- file: x.md\n  short_name: 测试法\n", encoding="utf-8")
    with pytest.raises(DataFileError) as exc:
        load_laws(folder)
    assert "title: missing" in str(exc.value) and "no article" in str(exc.value)


def test_policies_load_reload_and_errors(world, tmp_path):
    path = tmp_path / "policies.yaml"
    path.write_text(
        "- key: p1\n  title: 测试政策\n  issuing_body: 测试市人民政府\n  document_number: 测政发〔2024〕1号\n"
        "  issued_on: 2024-01-02\n  summary: true\n  tags: [专利, 资助]\n  region: '990102'\n"
        "  text: 全文。\n",
        encoding="utf-8",
    )
    assert load_policies(path).created == 1
    policy = Policy.objects.get(key="p1")
    assert policy.region == world.county_a and policy.is_summary
    assert sorted(t.name for t in policy.tags.all()) == ["专利", "资助"]
    again = load_policies(path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    path.write_text(path.read_text(encoding="utf-8").replace("[专利, 资助]", "[专利]"), encoding="utf-8")
    assert load_policies(path).updated == 1

    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "- key: p2\n  title: ''\n  issuing_body: x\n  status: maybe\n  region: '000000'\n  text: t\n",
        encoding="utf-8",
    )
    with pytest.raises(DataFileError) as exc:
        load_policies(bad)
    text = str(exc.value)
    assert "p2: title: required" in text and "p2: status: must be one of" in text
    assert "p2: region: unknown region code 000000" in text
    assert not Policy.objects.filter(key="p2").exists()


def test_qa_links_articles_and_service(laws, tmp_path):
    path = tmp_path / "qa.yaml"
    path.write_text(
        "- key: q1\n  service: TM-REG\n  question: 被驳回怎么办？\n  answer: 可以申请复审。\n"
        "  articles: [商标法 第三十四条]\n  tags: [商标]\n",
        encoding="utf-8",
    )
    assert load_qa(path).created == 1
    qa = QAItem.objects.get(key="q1")
    assert qa.service_item.code == "TM-REG"
    assert [str(a) for a in qa.articles.all()] == ["《商标法》第三十四条"]
    assert load_qa(path).unchanged == 1

    path.write_text(
        "- key: q2\n  service: NOPE\n  question: x\n  answer: y\n  articles: [商标法 第九百条]\n",
        encoding="utf-8",
    )
    with pytest.raises(DataFileError) as exc:
        load_qa(path)
    assert "q2: service: unknown catalogue item NOPE" in str(exc.value)
    assert "q2: articles: unknown article 商标法 第九百条" in str(exc.value)
    assert not QAItem.objects.filter(key="q2").exists()


def test_unreadable_yaml(world, tmp_path):
    path = tmp_path / "qa.yaml"
    path.write_text("- key: [unclosed\n", encoding="utf-8")
    with pytest.raises(DataFileError) as exc:
        load_qa(path)
    assert "cannot read" in str(exc.value)


def test_demo_bundle_loads_and_reloads_unchanged(demo):
    from zhichan.core.bundles import DEMO_BUNDLE
    from zhichan.knowledge.loaders import load_knowledge

    assert Law.objects.count() == 15 and Article.objects.count() == 781
    assert Article.objects.filter(law__short_name="商标法").count() == 73
    assert QAItem.objects.count() >= 40 and Policy.objects.count() >= 5
    per_service = QAItem.objects.values_list("service_item__code", flat=True)
    codes = set(per_service)
    assert len(codes) == 20  # every catalogue service has answers
    entries = SearchEntry.objects.count()
    results = load_knowledge(DEMO_BUNDLE / "knowledge" / "index.yaml", log=lambda *a: None)
    assert all(r.created == 0 and r.updated == 0 for r in results.values())
    assert SearchEntry.objects.count() == entries
