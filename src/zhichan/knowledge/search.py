"""Chinese search over the knowledge base: statute articles, policies, Q&A items and service guides.

One small interface, `search(query, kinds=None, limit=10) -> list[Hit]`, over two parts:

* finding candidates is the database's job. Each record is flattened into a SearchEntry row. On
  SQLite an FTS5 table with the `trigram` tokenizer indexes those rows (exact substring matching,
  which suits Chinese without a word list, for terms of 3+ characters); shorter terms use LIKE.
  On PostgreSQL the rows carry pg_trgm GIN indexes, which serve ILIKE '%term%' for any length.
  Substring matching was chosen over tsvector-on-segmented-words because callers and statutes
  segment differently (驳回 / 驳回申请 / 被驳回): a substring always matches where a word may not.
* ranking is done here, the same on both databases: the question is cut into words with jieba
  (long pasted questions become a handful of keywords, filler words dropped), each candidate is
  scored with BM25 over those keywords (title matches count more) plus a bonus for the longest
  phrases of the question found verbatim, so ranking does not depend on the database.

The index follows the records: the loaders and services call `index_object`/`remove_object`,
and `zhichan rebuild_knowledge_index` (or `rebuild()`) brings it back in step from scratch.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse
from django.utils.html import escape

from zhichan.knowledge.models import LawStatus, SearchEntry

log = logging.getLogger(__name__)

KINDS = ("article", "policy", "qa", "guide")
MAX_TERMS = 10
MAX_CANDIDATES = 3000
SNIPPET_CHARS = 120
TITLE_WEIGHT = 3.0
PHRASE_BONUS = 2.5
CITED_SHARE = 0.5
REPEALED_FACTOR = 0.3  # a text no longer in force ranks below current ones on the same terms
K1, B = 1.2, 0.75

# Words that say how a caller asks, not what about; they would only add noise.
STOPWORDS = {
    "的",
    "了",
    "吗",
    "呢",
    "吧",
    "啊",
    "呀",
    "么",
    "嘛",
    "和",
    "与",
    "及",
    "或",
    "或者",
    "是",
    "在",
    "有",
    "被",
    "把",
    "对",
    "从",
    "向",
    "让",
    "给",
    "也",
    "都",
    "就",
    "还",
    "又",
    "很",
    "要",
    "会",
    "能",
    "可",
    "可以",
    "能否",
    "能不能",
    "可不可以",
    "是否",
    "是不是",
    "怎么",
    "怎么办",
    "怎样",
    "怎么样",
    "如何",
    "什么",
    "哪些",
    "哪个",
    "哪里",
    "多少",
    "多久",
    "为什么",
    "为何",
    "请问",
    "你好",
    "您好",
    "咨询",
    "一下",
    "我",
    "我们",
    "我的",
    "你",
    "你们",
    "您",
    "他",
    "她",
    "它",
    "他们",
    "这",
    "那",
    "这个",
    "那个",
    "这些",
    "那些",
    "一个",
    "个",
    "想",
    "想要",
    "需要",
    "应该",
    "应当",
    "该",
    "得",
    "地",
    "着",
    "过",
    "之",
    "其",
    "以",
    "为",
    "于",
    "而",
    "但",
    "但是",
    "如果",
    "因为",
    "所以",
    "吗？",
    "不",
    "没有",
    "没",
    "已经",
    "现在",
    "时候",
    "办",
    "做",
    "去",
    "来",
    "到",
    "上",
    "下",
    "中",
    "里",
    "后",
    "前",
    "等",
    "等等",
    "情况",
    "问题",
    "相关",
    "有关",
    "关于",
    "一些",
    "请",
    "谢谢",
}
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


@dataclass
class Hit:
    kind: str
    id: int
    title: str
    snippet: str  # HTML: escaped text with the matched terms in <mark>
    score: float
    url: str
    in_force: bool = True


# --- what gets indexed -------------------------------------------------------------------


def _article_doc(article):
    law = article.law
    return {
        "title": f"《{law.short_name}》{article.number}",
        "body": f"{article.text}\n{law.title} {article.chapter}",
        "url": reverse("knowledge:article", args=[article.pk]),
        "published": True,
        "in_force": law.status == LawStatus.IN_FORCE,
    }


def _policy_doc(policy):
    tags = " ".join(t.name for t in policy.tags.all())
    return {
        "title": policy.title,
        "body": f"{policy.text}\n{policy.issuing_body} {policy.document_number} {tags}",
        "url": reverse("knowledge:policy", args=[policy.pk]),
        "published": policy.published,
        "in_force": policy.status == LawStatus.IN_FORCE,
    }


def _qa_doc(qa):
    tags = " ".join(t.name for t in qa.tags.all())
    return {
        "title": qa.question,
        "body": f"{qa.answer}\n{tags}",
        "url": reverse("knowledge:qa", args=[qa.pk]),
        "published": qa.published,
    }


def _guide_doc(item):
    version = item.current
    parts = [item.name, item.summary]
    if version is not None:
        parts += [str(s) for s in version.steps]
        parts += [str(m.get("name", "")) if isinstance(m, dict) else str(m) for m in version.materials]
        parts += [version.fees, version.time_limit_note]
        for faq in version.faq or []:
            if isinstance(faq, dict):
                parts += [str(faq.get("q", "")), str(faq.get("a", ""))]
    return {
        "title": item.name,
        "body": "\n".join(p for p in parts if p),
        "url": reverse("catalog:guide", args=[item.code]),
        "published": bool(item.published and version is not None),
    }


def _kind_of(obj) -> str:
    from zhichan.catalog.models import ServiceItem
    from zhichan.knowledge.models import Article, Policy, QAItem

    for model, kind in ((Article, "article"), (Policy, "policy"), (QAItem, "qa"), (ServiceItem, "guide")):
        if isinstance(obj, model):
            return kind
    raise TypeError(f"not searchable: {type(obj).__name__}")


_DOCS = {"article": _article_doc, "policy": _policy_doc, "qa": _qa_doc, "guide": _guide_doc}


def _all_documents():
    from zhichan.catalog.models import ServiceItem
    from zhichan.knowledge.models import Article, Policy, QAItem

    for a in Article.objects.select_related("law"):
        yield "article", a.pk, _article_doc(a)
    for p in Policy.objects.prefetch_related("tags"):
        yield "policy", p.pk, _policy_doc(p)
    for q in QAItem.objects.prefetch_related("tags"):
        yield "qa", q.pk, _qa_doc(q)
    for i in ServiceItem.objects.select_related("current"):
        yield "guide", i.pk, _guide_doc(i)


def _store(kind, pk, doc) -> bool:
    """Write one entry if it differs; True when something was written."""
    return _write(SearchEntry.objects.filter(kind=kind, object_id=pk).first(), kind, pk, doc)


def _write(entry, kind, pk, doc) -> bool:
    """Create the entry (`entry` None) or change what differs; True when something was written."""
    if entry is None:
        SearchEntry.objects.create(kind=kind, object_id=pk, **doc)
        return True
    changed = [k for k, v in doc.items() if getattr(entry, k) != v]
    if changed:
        for k in changed:
            setattr(entry, k, doc[k])
        entry.save(update_fields=changed)
    return bool(changed)


def index_object(obj) -> None:
    kind = _kind_of(obj)
    _store(kind, obj.pk, _DOCS[kind](obj))


def remove_object(kind: str, pk: int) -> None:
    SearchEntry.objects.filter(kind=kind, object_id=pk).delete()


def rebuild(kinds=KINDS) -> int:
    """Bring the index in step with the records; returns how many entries were written or removed."""
    kinds = tuple(kinds)
    written = 0
    with transaction.atomic():
        # Read the stored entries once: a reload that changed nothing then writes nothing.
        stored = {(e.kind, e.object_id): e for e in SearchEntry.objects.filter(kind__in=kinds)}
        present = set()
        for kind, pk, doc in _all_documents():
            if kind not in kinds:
                continue
            present.add((kind, pk))
            written += _write(stored.get((kind, pk)), kind, pk, doc)
        stale = [e.pk for key, e in stored.items() if key not in present]
        SearchEntry.objects.filter(pk__in=stale).delete()
        written += len(stale)
    return written


def rebuild_and_count() -> int:
    """Rebuild, then the number of entries the index holds (what a restore reports)."""
    rebuild()
    optimize()
    return SearchEntry.objects.count()


def has_fts() -> bool:
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='knowledge_fts'")
        return cursor.fetchone() is not None


def optimize() -> None:
    """Rebuild the FTS5 table from its content rows (SQLite only); harmless to repeat."""
    if has_fts():
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO knowledge_fts(knowledge_fts) VALUES('rebuild')")


# --- the query ---------------------------------------------------------------------------


def _jieba():
    import jieba

    if not getattr(jieba, "_zhichan_quiet", False):
        jieba.setLogLevel(logging.WARNING)
        jieba._zhichan_quiet = True
    return jieba


def clean(query: str) -> str:
    return _PUNCT.sub(" ", query or "").strip()


def keywords(query: str) -> list[str]:
    """The words of a question that say what it is about, longest first, at most MAX_TERMS."""
    text = clean(query)
    if not text:
        return []
    compact = text.replace(" ", "")
    if len(compact) <= 2:
        return [compact]
    words = []
    for word in _words(text):
        if not word or word in STOPWORDS or (len(word) == 1 and not word.isascii()):
            continue
        if word.isascii() and len(word) < 2:
            continue
        if word not in words:
            words.append(word)
    if not words:  # a question made only of filler words: search for it as it is
        words = [compact]
    # Longer words carry more meaning; when there are too many, keep those.
    words.sort(key=len, reverse=True)
    return words[:MAX_TERMS]


def _words(text: str):
    """Precise segmentation, plus the words a long word starts or ends with (商标注册 -> 商标, 注册),
    but not those straddling its inside (标注), which change the meaning."""
    jieba = _jieba()
    for word in jieba.cut(text):
        word = word.strip()
        if not word:
            continue
        yield word
        if len(word) >= 3:
            for part in jieba.cut_for_search(word):
                if part != word and (word.startswith(part) or word.endswith(part)):
                    yield part


def phrases(query: str) -> list[str]:
    """Runs of the question between filler words (3+ characters): matching one verbatim is a strong sign."""
    text = clean(query)
    runs, current = [], ""
    for word in _jieba().cut(text):
        if word.strip() and word not in STOPWORDS:
            current += word.strip()
        else:
            if len(current) >= 3:
                runs.append(current)
            current = ""
    if len(current) >= 3:
        runs.append(current)
    return runs


def _like_escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _matching_ids(term: str, fts: bool) -> set[int]:
    with connection.cursor() as cursor:
        if fts and len(term) >= 3:
            cursor.execute(
                "SELECT rowid FROM knowledge_fts WHERE knowledge_fts MATCH %s",
                ['"' + term.replace('"', '""') + '"'],
            )
        elif connection.vendor == "postgresql":
            pattern = f"%{_like_escape(term)}%"
            cursor.execute(
                "SELECT id FROM knowledge_searchentry WHERE title ILIKE %s OR body ILIKE %s",
                [pattern, pattern],
            )
        else:
            pattern = f"%{_like_escape(term)}%"
            cursor.execute(
                "SELECT id FROM knowledge_searchentry WHERE title LIKE %s ESCAPE '\\' "
                "OR body LIKE %s ESCAPE '\\'",
                [pattern, pattern],
            )
        return {row[0] for row in cursor.fetchall()}


def _count(text: str, term: str) -> int:
    return text.lower().count(term.lower())


def snippet(text: str, terms: list[str], length: int = SNIPPET_CHARS) -> str:
    """An escaped window of `text` around the first matched term, every term in <mark>."""
    lowered = text.lower()
    positions = [lowered.find(t.lower()) for t in terms if t and lowered.find(t.lower()) >= 0]
    start = max(0, min(positions) - length // 4) if positions else 0
    window = text[start : start + length]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + length < len(text) else ""
    html = escape(window)
    marks = sorted({escape(t) for t in terms if t}, key=len, reverse=True)
    if marks:
        pattern = re.compile("|".join(re.escape(m) for m in marks), re.IGNORECASE)
        html = pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", html)
    return f"{prefix}{html}{suffix}"


def _credit_cited_articles(scored, kinds, include_unpublished):
    """An article that a matching Q&A item cites is a good answer too: it gets part of the item's score.

    The curated Q&A items thus teach the ranking which article a kind of question is about."""
    if "article" not in kinds:
        return scored
    from zhichan.knowledge.models import QAItem

    qa_scores = {e.object_id: s for s, e in scored if e.kind == "qa"}
    if not qa_scores:
        return scored
    credit: dict[int, float] = {}
    links = QAItem.articles.through.objects.filter(qaitem_id__in=qa_scores).values_list(
        "qaitem_id", "article_id"
    )
    for qa_id, article_id in links:
        credit[article_id] = max(credit.get(article_id, 0.0), CITED_SHARE * qa_scores[qa_id])
    if not credit:
        return scored
    by_article = {e.object_id: i for i, (s, e) in enumerate(scored) if e.kind == "article"}
    scored = list(scored)
    missing = [pk for pk in credit if pk not in by_article]
    entries = SearchEntry.objects.filter(kind="article", object_id__in=missing)
    if not include_unpublished:
        entries = entries.filter(published=True)
    for entry in entries:
        scored.append((0.0, entry))
        by_article[entry.object_id] = len(scored) - 1
    for article_id, extra in credit.items():
        if article_id in by_article:
            i = by_article[article_id]
            scored[i] = (scored[i][0] + extra, scored[i][1])
    return scored


def search(query: str, kinds=None, limit: int = 10, include_unpublished: bool = False) -> list[Hit]:
    """The best `limit` hits for a question, best first; only published records unless asked."""
    query = (query or "").replace("\x00", "")
    kinds = [k for k in (kinds or KINDS) if k in KINDS]
    terms = keywords(query)
    if not terms or not kinds or limit <= 0:
        return []
    fts = has_fts()
    try:
        per_term = {t: _matching_ids(t, fts) for t in terms}
    except DatabaseError:  # a query the FTS syntax refuses: fall back to LIKE, never fail the page
        log.warning("knowledge search fell back to LIKE for %r", query, exc_info=True)
        per_term = {t: _matching_ids(t, False) for t in terms}
    hits_by_id: dict[int, int] = {}
    for ids in per_term.values():
        for pk in ids:
            hits_by_id[pk] = hits_by_id.get(pk, 0) + 1
    if not hits_by_id:
        return []
    # With very common terms, prefer the rows matching the most terms.
    candidates = sorted(hits_by_id, key=lambda pk: -hits_by_id[pk])[:MAX_CANDIDATES]
    # Q&A items are scored even when not asked for: the articles they cite earn credit from them.
    scan = set(kinds) | ({"qa"} if "article" in kinds else set())
    entries = SearchEntry.objects.filter(pk__in=candidates, kind__in=scan)
    if not include_unpublished:
        entries = entries.filter(published=True)
    entries = list(entries)
    if not entries:
        return []
    total = SearchEntry.objects.count() or 1
    avg_len = max(1.0, sum(len(e.body) for e in entries) / len(entries))
    idf = {t: math.log(1 + (total - len(ids) + 0.5) / (len(ids) + 0.5)) for t, ids in per_term.items()}
    runs = [p for p in phrases(query) if p not in terms or len(p) > 4]
    exact = (query or "").strip()
    exact = exact if 3 <= len(exact) <= 100 else ""
    scored = []
    for entry in entries:
        score = 0.0
        length_norm = 1 - B + B * len(entry.body) / avg_len
        for term in terms:
            tf = _count(entry.body, term) + TITLE_WEIGHT * _count(entry.title, term)
            if tf:
                score += idf[term] * tf * (K1 + 1) / (tf + K1 * length_norm)
        for run in runs:
            if run in entry.title or run in entry.body:
                score += PHRASE_BONUS * math.log(len(run))
        if exact and (exact in entry.title or exact in entry.body):
            # The question as typed, punctuation and all (a document number, a title): a near-certain hit.
            score += 2 * PHRASE_BONUS * math.log(len(exact))
        if score > 0:
            scored.append((score if entry.in_force else score * REPEALED_FACTOR, entry))
    scored = [p for p in _credit_cited_articles(scored, kinds, include_unpublished) if p[1].kind in kinds]
    scored.sort(key=lambda pair: (-pair[0], pair[1].kind, pair[1].object_id))
    return [
        Hit(
            kind=e.kind,
            id=e.object_id,
            title=e.title,
            snippet=snippet(e.body, terms),
            score=round(s, 4),
            url=e.url,
            in_force=e.in_force,
        )
        for s, e in scored[:limit]
    ]
