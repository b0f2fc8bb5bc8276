"""The embedded backend: a tantivy index in a directory (settings.ZHICHAN_SEARCH_DIR).

Each text field is indexed three ways (see text.py):

    <f>_u   character tokens, frequencies only      substring queries of one token
    <f>_b   character bigrams, with positions       substring queries of two or more tokens
    <f>_w   rjieba words, with positions            word matching (TI~=电池)

for f in ti (title), ab (abstract), cl (claims), pa (applicants), in (inventors), addr
(address), ag (agency and agents). Keywords (numbers, type, legal status, county, IPC
prefixes) are raw terms; dates, the application year and the facet values are fast fields.
Stored: one JSON blob per document with what results and highlights show. Applicant and
inventor names (stripped, each once per document) are raw fast fields too, for the top lists
of `aggregate`.

One writer at a time (tantivy's lock file; a second writer waits for the first); searchers
reload when a commit lands, also one made by another process.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import multiprocessing
import threading
import time
from collections import deque
from pathlib import Path

import tantivy

from zhichan.ipdata.search import documents as D
from zhichan.ipdata.search import highlight as H
from zhichan.ipdata.search import query as q
from zhichan.ipdata.search import text as T
from zhichan.ipdata.search.backends.base import (
    AGGREGATE_TOP,
    FACET_SIZE,
    Aggregation,
    Hit,
    SearchBackend,
    SearchResult,
    check_top,
    distinct_names,
    order_facets,
    prepare,
    ranked,
)

log = logging.getLogger(__name__)

SCHEMA_VERSION = "2"  # 2: applicant and inventor names as fast fields
TEXT_GROUPS = {"TI": "ti", "AB": "ab", "CL": "cl", "PA": "pa", "IN": "in", "ADDR": "addr", "AG": "ag"}
# Title matches count most, claims least (TX is the three together).
BOOSTS = {"TI": 2.0, "AB": 1.0, "CL": 0.5}
KEYWORD_FIELDS = {
    "AN": "an",
    "PN": "pn",
    "TYPE": "type",
    "LS": "ls",
    "COUNTY": "county",
    "IPCCLASS": "ipc_class",
    # Exact names: not in the query language; statistics.local_applicants builds these terms.
    "APPLICANT": "pa_name",
    "INVENTOR": "in_name",
}
DATE_FIELDS = {"AD": "ad", "PD": "pd"}
STORED_KEYS = ("title", "abstract", "applicants", "inventors", "address", "agency")
FACET_FIELDS = {
    "year": "year",
    "type": "type",
    "county": "county_code",
    "ipc_class": "ipc_class",
    "legal_status": "ls",
}
WRITER_HEAP = 256_000_000
CHUNK = 500
PROGRESS_EVERY = 10_000
LOCK_WAIT_SECONDS = 60
# Terms aggregations of the top lists: values each index segment hands on, first try and most.
# Handing on every value costs (10^5 distinct inventors: 0.7 s), so a list starts small and is
# asked again with more while tantivy reports a possible counting error; past SEGMENT_SIZE
# distinct names in one segment the top lists may be approximate (docs/search.md).
FIRST_SEGMENT_SIZE = 2_000
SEGMENT_SIZE = 200_000
NAME_FIELDS = {"applicants": "pa_name", "inventors": "in_name"}


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_integer_field("id", indexed=True, fast=True)
    for group in TEXT_GROUPS.values():
        sb.add_text_field(f"{group}_u", tokenizer_name="whitespace", index_option="freq")
        sb.add_text_field(f"{group}_b", tokenizer_name="whitespace", index_option="position")
        sb.add_text_field(f"{group}_w", tokenizer_name="whitespace", index_option="position")
    # Title, abstract and claims once more as one field: a TX term is one posting walk, not three.
    sb.add_text_field("tx_u", tokenizer_name="whitespace", index_option="freq")
    sb.add_text_field("tx_b", tokenizer_name="whitespace", index_option="position")
    for name in ("an", "pn", "county", "ipc"):
        sb.add_text_field(name, tokenizer_name="raw", index_option="basic")
    for name in ("type", "ls", "county_code", "ipc_class", *NAME_FIELDS.values()):
        sb.add_text_field(name, tokenizer_name="raw", index_option="basic", fast=True)
    sb.add_unsigned_field("year", indexed=True, fast=True)
    sb.add_date_field("ad", indexed=True, fast=True)
    sb.add_date_field("pd", indexed=True, fast=True)
    sb.add_bytes_field("stored", stored=True)
    return sb.build()


def _datetime(value: dt.date) -> dt.datetime:
    return dt.datetime(value.year, value.month, value.day)


# Between two values of a field: filler tokens that keep a phrase (whose bigrams may lie up to
# two positions apart, see text.bigram_plan) from running from one value into the next.
FILLER = " | | "


def _text_fields(values: list[str]) -> tuple[str, str, str]:
    """The unigram, bigram and word strings of a field's values."""
    unigrams, pairs, words = [], [], []
    for value in values:
        norm = T.normalize(value)
        tokens = T.char_tokens(norm, normalized=True)
        if not tokens:
            continue
        unigrams.append(" ".join(tokens))
        if len(tokens) > 1:
            pairs.append(" ".join(T.bigrams(tokens)))
        words.append(" ".join(T.word_tokens(norm, normalized=True)))
    return " ".join(unigrams), FILLER.join(pairs), FILLER.join(words)


def _add(pairs: list, group: str, strings: tuple[str, str, str]) -> None:
    for suffix, value in zip(("_u", "_b", "_w"), strings, strict=True):
        if value:
            pairs.append((group + suffix, value))


def prepare_document(doc: dict) -> list[tuple[str, object]]:
    """The (field, value) pairs of a document: all the text work, in a form cheap to pickle
    (a rebuild prepares documents in worker processes)."""
    pairs: list[tuple[str, object]] = [("id", doc["id"])]
    parts = [_text_fields([doc[key]]) for key in ("title", "abstract", "claims")]
    for group, strings in zip(("ti", "ab", "cl"), parts, strict=True):
        _add(pairs, group, strings)
    # The combined field: the same strings again, the three values kept apart.
    pairs.append(("tx_u", " ".join(p[0] for p in parts if p[0])))
    pairs.append(("tx_b", FILLER.join(p[1] for p in parts if p[1])))
    _add(pairs, "addr", _text_fields([doc["address"]]))
    _add(pairs, "pa", _text_fields(doc["applicants"]))
    _add(pairs, "in", _text_fields(doc["inventors"]))
    _add(pairs, "ag", _text_fields([doc["agency"], *doc["agents"]]))
    if doc["application_number"]:
        pairs.append(("an", doc["application_number"]))
    pairs.extend(("pn", key) for key in D.publication_keys(doc))
    pairs.extend(("county", key) for key in D.county_keys(doc))
    codes = doc["ipc_codes"] or ([doc["main_ipc"]] if doc["main_ipc"] else [])
    pairs.extend(("ipc", prefix) for prefix in D.ipc_prefixes(codes))
    if doc["patent_type"]:
        pairs.append(("type", doc["patent_type"]))
    pairs.append(("ls", doc["legal_status"]))
    if doc["county"]:
        pairs.append(("county_code", doc["county"]))
    for key, name in NAME_FIELDS.items():
        pairs.extend((name, value) for value in distinct_names(doc[key]))
    ipc_class = D.ipc_class(doc)
    if ipc_class:
        pairs.append(("ipc_class", ipc_class))
    if doc["application_date"]:
        pairs.append(("ad", _datetime(doc["application_date"])))
        pairs.append(("year", doc["application_date"].year))
    if doc["publication_date"]:
        pairs.append(("pd", _datetime(doc["publication_date"])))
    stored = {key: doc[key] for key in STORED_KEYS if doc.get(key)}
    pairs.append(("stored", json.dumps(stored, ensure_ascii=False).encode()))
    return pairs


_ADDERS = {
    "id": tantivy.Document.add_integer,
    "year": tantivy.Document.add_unsigned,
    "ad": tantivy.Document.add_date,
    "pd": tantivy.Document.add_date,
    "stored": tantivy.Document.add_bytes,
}
_add_text = tantivy.Document.add_text


def build(pairs) -> tantivy.Document:
    out = tantivy.Document()
    for name, value in pairs:
        _ADDERS.get(name, _add_text)(out, name, value)
    return out


def to_tantivy(doc: dict) -> tantivy.Document:
    return build(prepare_document(doc))


def _prepare_chunk(docs: list[dict]) -> list:
    return [prepare_document(doc) for doc in docs]


def _chunks(iterable, size):
    chunk = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class TantivyBackend(SearchBackend):
    name = "tantivy"

    def __init__(self, path, *, writer_heap: int = WRITER_HEAP, writer_threads: int = 0):
        self.path = Path(path)
        self.writer_heap = writer_heap
        self.writer_threads = writer_threads
        self.schema = build_schema()
        self._writer = None
        self._lock = threading.RLock()
        self.tindex = self._open()
        self._meta_seen = self._meta_version()

    # --- opening ---------------------------------------------------------------------------

    def _open(self) -> tantivy.Index:
        self.path.mkdir(parents=True, exist_ok=True)
        marker = self.path / "zhichan-schema"
        if (self.path / "meta.json").exists():
            version = marker.read_text().strip() if marker.exists() else ""
            if version != SCHEMA_VERSION:
                raise RuntimeError(
                    f"the search index in {self.path} was built by another version; "
                    "run `zhichan search_index rebuild`"
                )
            index = tantivy.Index.open(str(self.path))
        else:
            index = tantivy.Index(self.schema, path=str(self.path), reuse=False)
            marker.write_text(SCHEMA_VERSION)
        index.config_reader(reload_policy="commit")
        return index

    def _meta_version(self) -> bytes:
        # The commit point itself: file times are too coarse for two commits in a few ms.
        try:
            return (self.path / "meta.json").read_bytes()
        except FileNotFoundError:
            return b""

    def searcher(self) -> tantivy.Searcher:
        """A searcher on the latest commit, also one another process made (the reader's own
        reload follows commits with a delay; reading meta.json per search makes it immediate)."""
        version = self._meta_version()
        if version != self._meta_seen:
            self._meta_seen = version
            self.tindex.reload()
        return self.tindex.searcher()

    # --- writing ---------------------------------------------------------------------------

    def _get_writer(self):
        if self._writer is None:
            deadline = time.monotonic() + LOCK_WAIT_SECONDS
            while True:
                try:
                    self._writer = self.tindex.writer(self.writer_heap, self.writer_threads)
                    break
                except ValueError as exc:
                    if "LockBusy" not in str(exc) or time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)  # another process is writing; tantivy allows one writer
        return self._writer

    def index(self, docs, *, replace: bool = True, workers: int = 1, progress=None) -> int:
        """Add (or, with replace, add or replace) documents; `workers` > 1 prepares them in
        that many processes, for a rebuild. `progress(n)` is called now and then."""
        if workers > 1:
            return self._index_parallel(docs, replace=replace, workers=workers, progress=progress)
        n = 0
        with self._lock:
            writer = self._get_writer()
            for doc in docs:
                if replace:
                    writer.delete_documents_by_term("id", doc["id"])
                writer.add_document(to_tantivy(doc))
                n += 1
                if progress and n % PROGRESS_EVERY == 0:
                    progress(n)
        return n

    def _index_parallel(self, docs, *, replace, workers, progress) -> int:
        # Fork before the writer starts its threads; at most 2 chunks per worker in flight, so
        # memory stays bounded however many documents stream in.
        n = 0
        with self._lock, multiprocessing.get_context("fork").Pool(workers) as pool:
            writer = self._get_writer()
            pending: deque = deque()

            def drain_one():
                nonlocal n
                for pairs in pending.popleft().get():
                    if replace:
                        writer.delete_documents_by_term("id", pairs[0][1])
                    writer.add_document(build(pairs))
                    n += 1
                    if progress and n % PROGRESS_EVERY == 0:
                        progress(n)

            for chunk in _chunks(docs, CHUNK):
                pending.append(pool.apply_async(_prepare_chunk, (chunk,)))
                if len(pending) >= 2 * workers:
                    drain_one()
            while pending:
                drain_one()
        return n

    def delete(self, ids) -> int:
        n = 0
        with self._lock:
            writer = self._get_writer()
            for id_ in ids:
                writer.delete_documents_by_term("id", int(id_))
                n += 1
        return n

    def clear(self) -> None:
        with self._lock:
            self._get_writer().delete_all_documents()

    def commit(self) -> None:
        with self._lock:
            if self._writer is None:
                return
            writer, self._writer = self._writer, None
            writer.commit()
            writer.wait_merging_threads()  # also releases the writer lock
        self.tindex.reload()

    def rollback(self) -> None:
        with self._lock:
            if self._writer is not None:
                writer, self._writer = self._writer, None
                writer.rollback()
                del writer

    def close(self) -> None:
        self.rollback()

    # --- reading ---------------------------------------------------------------------------

    def count(self) -> int:
        return self.searcher().num_docs

    def stats(self) -> dict:
        searcher = self.searcher()
        size = sum(p.stat().st_size for p in self.path.iterdir() if p.is_file())
        return {
            "backend": self.name,
            "path": str(self.path),
            "documents": searcher.num_docs,
            "segments": searcher.num_segments,
            "bytes": size,
        }

    def search(
        self,
        query,
        *,
        filters=None,
        sort="relevance",
        offset=0,
        limit=20,
        facets=False,
        highlight=False,
    ) -> SearchResult:
        parsed, node = prepare(query, filters, sort, offset, limit)
        tq = self.compile(node)
        searcher = self.searcher()
        kwargs = {}
        if sort != "relevance":
            kwargs = {
                "order_by_field": "ad",
                "order": tantivy.Order.Desc if sort == "newest" else tantivy.Order.Asc,
            }
        facet_counts = None
        if facets:
            # One pass over the matches counts them and every facet; the top hits need no count.
            aggs = self._facet_aggs()
            result = searcher.aggregate(tq, aggs)
            total = int(result["total"]["value"])
            facet_counts = {
                name: {_facet_key(name, b["key"]): b["doc_count"] for b in result[name]["buckets"]}
                for name in FACET_FIELDS
            }
            top = searcher.search(tq, limit, count=False, offset=offset, **kwargs) if limit else None
        else:
            # tantivy wants at least one hit; a count only (limit 0) drops it.
            top = searcher.search(tq, limit or 1, count=True, offset=offset, **kwargs)
            total = top.count
            top = top if limit else None
        hits = []
        if top is not None and top.hits:
            addresses = [address for _score, address in top.hits]
            ids = searcher.fast_field_values("id", addresses)
            needles = H.needles_by_field(parsed) if highlight else None
            for (score, address), id_ in zip(top.hits, ids, strict=True):
                hit = Hit(id=int(id_), score=float(score) if sort == "relevance" else 0.0)
                if highlight:
                    blob = searcher.doc(address).get_first("stored")
                    hit.highlights = H.highlights(json.loads(blob) if blob else {}, needles)
                hits.append(hit)
        return SearchResult(
            total=total,
            hits=hits,
            facets=order_facets(facet_counts) if facet_counts is not None else {},
            offset=offset,
            limit=limit,
        )

    def aggregate(self, query, *, filters=None, top=AGGREGATE_TOP) -> Aggregation:
        top = check_top(top)
        _parsed, node = prepare(query, filters, "relevance", 0, 0)
        tq = self.compile(node)
        searcher = self.searcher()
        size = max(2 * top, 100)
        aggs = {
            "total": {"value_count": {"field": "id"}},
            "year": {
                "terms": {"field": "year", "size": 1_000, "segment_size": 1_000},
                "aggs": {"type": {"terms": {"field": "type", "size": 10}}},
            },
            "type": {"terms": {"field": "type", "size": 10}},
            "ls": {"terms": {"field": "ls", "size": 10}},
            "county": {"terms": {"field": "county_code", "size": 65_000, "segment_size": 65_000}},
        }
        lists = (("ipc", "ipc_class"), *NAME_FIELDS.items())
        for key, fast_field in lists:
            aggs[key] = _top_terms(fast_field, size, max(size, FIRST_SEGMENT_SIZE))
        result = searcher.aggregate(tq, aggs)
        tops = {
            key: self._top_list(searcher, tq, key, fast_field, result[key], size, top)
            for key, fast_field in lists
        }
        return Aggregation(
            total=int(result["total"]["value"]),
            by_year_type={
                int(b["key"]): {t["key"]: t["doc_count"] for t in b["type"]["buckets"]}
                for b in result["year"]["buckets"]
            },
            by_type=_counts(result["type"]),
            by_legal_status=_counts(result["ls"]),
            by_county=_counts(result["county"]),
            by_ipc=tops["ipc"],
            top_applicants=tops["applicants"],
            top_inventors=tops["inventors"],
        )

    @staticmethod
    def _top_list(searcher, tq, key, fast_field, result, size, top) -> list[tuple[str, int]]:
        segment_size = max(size, FIRST_SEGMENT_SIZE)
        while True:
            buckets = result["buckets"]
            if len(buckets) >= size and _tie_at_cut(buckets, top):
                # The cut fell inside a run of equal counts: a name that ties with the last one
                # shown (ties go by name) could be missing.
                size *= 8
                segment_size = max(segment_size, size)
            elif result.get("doc_count_error_upper_bound") and segment_size < SEGMENT_SIZE:
                # A segment's cut may have left out counts of a listed name.
                segment_size = min(10 * segment_size, SEGMENT_SIZE)
            else:
                return ranked({b["key"]: b["doc_count"] for b in buckets}, top)
            result = searcher.aggregate(tq, {key: _top_terms(fast_field, size, segment_size)})[key]

    @staticmethod
    def _facet_aggs() -> dict:
        aggs = {"total": {"value_count": {"field": "id"}}}
        for name, fast_field in FACET_FIELDS.items():
            # Sizes above the number of distinct values make the counts exact.
            size = 65_000 if name in FACET_SIZE else 1_000
            aggs[name] = {"terms": {"field": fast_field, "size": size, "segment_size": size}}
        return aggs

    # --- the query tree in tantivy terms ------------------------------------------------------

    def compile(self, node: q.Node) -> tantivy.Query:
        Occur, Query = tantivy.Occur, tantivy.Query
        if isinstance(node, q.MatchAll):
            return Query.all_query()
        if isinstance(node, q.Text):
            return self._text(node)
        if isinstance(node, q.Keyword):
            if node.field == "YEAR":
                return Query.term_query(self.schema, "year", int(node.value))
            return Query.term_query(self.schema, KEYWORD_FIELDS[node.field], node.value)
        if isinstance(node, q.Prefix):
            return Query.term_query(self.schema, "ipc", node.value)
        if isinstance(node, q.DateRange):
            return Query.range_query(
                self.schema,
                DATE_FIELDS[node.field],
                tantivy.FieldType.Date,
                _datetime(node.start) if node.start else tantivy.MIN_DATETIME,
                _datetime(node.end) if node.end else tantivy.MAX_DATETIME,
            )
        if isinstance(node, q.And):
            clauses = []
            for child in node.children:
                if isinstance(child, q.Not):
                    clauses.append((Occur.MustNot, self.compile(child.child)))
                else:
                    clauses.append((Occur.Must, self.compile(child)))
            if all(occur == Occur.MustNot for occur, _ in clauses):
                clauses.append((Occur.Must, Query.all_query()))
            return Query.boolean_query(clauses)
        if isinstance(node, q.Or):
            return Query.boolean_query([(Occur.Should, self.compile(child)) for child in node.children])
        if isinstance(node, q.Not):
            return Query.boolean_query(
                [(Occur.Must, Query.all_query()), (Occur.MustNot, self.compile(node.child))]
            )
        raise TypeError(f"unknown query node {node!r}")  # pragma: no cover

    def _text(self, node: q.Text) -> tantivy.Query:
        if node.field == "TX" and not node.word:
            # Match (and count) on the combined field; a title match adds to the score.
            Occur = tantivy.Occur
            title = tantivy.Query.boost_query(self._text_on("ti", node), BOOSTS["TI"])
            return tantivy.Query.boolean_query(
                [(Occur.Must, self._text_on("tx", node)), (Occur.Should, title)]
            )
        codes = q.TX_PARTS if node.field == "TX" else (node.field,)
        parts = []
        for code in codes:
            sub = self._text_on(TEXT_GROUPS[code], node)
            boost = BOOSTS.get(code, 1.0)
            parts.append(tantivy.Query.boost_query(sub, boost) if boost != 1.0 else sub)
        if len(parts) == 1:
            return parts[0]
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, part) for part in parts])

    def _text_on(self, group: str, node: q.Text) -> tantivy.Query:
        Query = tantivy.Query
        if node.word:
            words = T.word_tokens(node.text)
            if len(words) == 1:
                return Query.term_query(self.schema, f"{group}_w", words[0])
            return Query.phrase_query(self.schema, f"{group}_w", words)
        tokens = T.char_tokens(node.text)
        if len(tokens) == 1:
            return Query.term_query(self.schema, f"{group}_u", tokens[0])
        if len(tokens) == 2:
            return Query.term_query(self.schema, f"{group}_b", tokens[0] + tokens[1])
        return Query.phrase_query(self.schema, f"{group}_b", T.bigram_plan(tokens))


def _top_terms(fast_field: str, size: int, segment_size: int) -> dict:
    return {"terms": {"field": fast_field, "size": size, "segment_size": max(size, segment_size)}}


def _tie_at_cut(buckets: list[dict], top: int) -> bool:
    counts = sorted((b["doc_count"] for b in buckets), reverse=True)
    return len(counts) > top and counts[top - 1] == counts[-1]


def _counts(result: dict) -> dict:
    return {b["key"]: b["doc_count"] for b in result["buckets"]}


def _facet_key(name, key):
    return int(key) if name == "year" else key
