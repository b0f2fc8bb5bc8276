"""The PostgreSQL backend: for deployments with several application servers sharing one database.

Documents live in their own table (ipdata.PatentSearchDoc). Substring queries are LIKE on the
*_s columns (text.substring_text; pg_trgm GIN indexes serve them), word queries tsquery
phrases on the tsvector columns (rjieba words with positions built here, so both backends
see the same words). Ranking: field weights for substring matches plus ts_rank over the
query's words; facets: one GROUP BY GROUPING SETS pass. Writes go through at once, inside
the caller's transaction; `commit` has nothing to do.
"""

from __future__ import annotations

import json
from collections import defaultdict

from django.db import connections, transaction

from zhichan.ipdata.search import documents as D
from zhichan.ipdata.search import highlight as H
from zhichan.ipdata.search import query as q
from zhichan.ipdata.search import text as T
from zhichan.ipdata.search.backends.base import Hit, SearchBackend, SearchResult, order_facets, prepare

TABLE = "ipdata_patentsearchdoc"
SUBSTRING_COLUMNS = {
    "TI": "ti_s",
    "AB": "ab_s",
    "CL": "cl_s",
    "PA": "pa_s",
    "IN": "in_s",
    "ADDR": "addr_s",
    "AG": "ag_s",
}
# Word matching: which tsvector column and weight each field lives in.
WORD_COLUMNS = {
    "TI": ("tx_w", "A"),
    "AB": ("tx_w", "B"),
    "CL": ("tx_w", "C"),
    "TX": ("tx_w", ""),
    "PA": ("meta_w", "A"),
    "IN": ("meta_w", "B"),
    "ADDR": ("meta_w", "C"),
    "AG": ("meta_w", "D"),
}
BOOSTS = {"TI": 2.0, "AB": 1.0, "CL": 0.5}
STORED_KEYS = ("title", "abstract", "applicants", "inventors", "address", "agency")
MAX_POSITION = 16383  # tsvector positions stop here
MAX_POSITIONS_PER_WORD = 256
FACET_COLUMNS = {
    "year": "year",
    "type": "patent_type",
    "county": "county_code",
    "ipc_class": "ipc_class",
    "legal_status": "legal_status",
}
COLUMNS = (
    "id",
    "stored",
    "ti_s",
    "ab_s",
    "cl_s",
    "pa_s",
    "in_s",
    "addr_s",
    "ag_s",
    "tx_w",
    "meta_w",
    "an",
    "pn",
    "ipc",
    "patent_type",
    "legal_status",
    "county_code",
    "county_name",
    "ipc_class",
    "year",
    "ad",
    "pd",
)
_CASTS = {
    "stored": "::jsonb",
    "pn": "::jsonb",
    "ipc": "::jsonb",
    "tx_w": "::tsvector",
    "meta_w": "::tsvector",
}
INSERT = (
    f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) VALUES ("  # noqa: S608 - constant names only
    + ", ".join("%s" + _CASTS.get(c, "") for c in COLUMNS)
    + ") ON CONFLICT (id) DO UPDATE SET "
    + ", ".join(f"{c} = EXCLUDED.{c}" for c in COLUMNS if c != "id")
)


def _lexeme(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(parts: list[tuple[str, list[str]]]) -> str:
    """A tsvector from (weight, values) parts: words of each value with positions, values apart.

    Position gaps between values keep a phrase from matching across two applicants, as the
    tantivy backend's multi-valued fields do.
    """
    positions: dict[str, list[str]] = defaultdict(list)
    pos = 1
    for weight, values in parts:
        for value in values:
            for word in T.word_tokens(value):
                entry = positions[word]
                if len(entry) < MAX_POSITIONS_PER_WORD:
                    entry.append(f"{min(pos, MAX_POSITION)}{weight}")
                pos += 1
            pos += 1  # the gap
    return " ".join(f"{_lexeme(w)}:{','.join(p)}" for w, p in positions.items())


def tsquery_literal(words: list[str], weight: str = "") -> str:
    suffix = f":{weight}" if weight else ""
    return " <-> ".join(_lexeme(w) + suffix for w in words)


def row_of(doc: dict) -> tuple:
    stored = {key: doc[key] for key in STORED_KEYS if doc.get(key)}
    agencies = [v for v in [doc["agency"], *doc["agents"]] if v]
    ad = doc["application_date"]
    return (
        doc["id"],
        json.dumps(stored, ensure_ascii=False),
        T.substring_text(doc["title"]),
        T.substring_text(doc["abstract"]),
        T.substring_text(doc["claims"]),
        T.substring_text(doc["applicants"]),
        T.substring_text(doc["inventors"]),
        T.substring_text(doc["address"]),
        T.substring_text(agencies),
        tsvector_literal([("A", [doc["title"]]), ("B", [doc["abstract"]]), ("C", [doc["claims"]])]),
        tsvector_literal(
            [("A", doc["applicants"]), ("B", doc["inventors"]), ("C", [doc["address"]]), ("D", agencies)]
        ),
        doc["application_number"],
        json.dumps(D.publication_keys(doc)),
        json.dumps(D.ipc_prefixes(doc["ipc_codes"] or ([doc["main_ipc"]] if doc["main_ipc"] else []))),
        doc["patent_type"],
        doc["legal_status"],
        doc["county"],
        doc["county_name"],
        D.ipc_class(doc),
        ad.year if ad else None,
        ad,
        doc["publication_date"],
    )


class PostgresBackend(SearchBackend):
    name = "postgres"
    batch_size = 500

    def __init__(self, using: str = "default"):
        self.using = using

    @property
    def connection(self):
        return connections[self.using]

    def _check(self):
        if self.connection.vendor != "postgresql":
            raise RuntimeError("the postgres search backend needs a PostgreSQL database (DATABASE_URL)")

    # --- writing ---------------------------------------------------------------------------

    def index(self, docs, *, replace: bool = True) -> int:
        self._check()
        n = 0
        batch = []
        with transaction.atomic(using=self.using), self.connection.cursor() as cursor:
            for doc in docs:
                batch.append(row_of(doc))
                if len(batch) >= self.batch_size:
                    cursor.executemany(INSERT, batch)
                    n += len(batch)
                    batch = []
            if batch:
                cursor.executemany(INSERT, batch)
                n += len(batch)
        return n

    def delete(self, ids) -> int:
        self._check()
        ids = [int(i) for i in ids]
        with self.connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE id = ANY(%s)", [ids])  # noqa: S608
            return cursor.rowcount

    def clear(self) -> None:
        self._check()
        with self.connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608

    def commit(self) -> None:
        """Rows are visible when the caller's transaction commits."""

    # --- reading ---------------------------------------------------------------------------

    def count(self) -> int:
        self._check()
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {TABLE}")  # noqa: S608
            return cursor.fetchone()[0]

    def stats(self) -> dict:
        self._check()
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*), pg_total_relation_size('{TABLE}') FROM {TABLE}")  # noqa: S608
            count, size = cursor.fetchone()
        return {"backend": self.name, "table": TABLE, "documents": count, "bytes": size}

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
        self._check()
        parsed, node = prepare(query, filters, sort, offset, limit)
        where, params = Compiler().compile(node)
        with self.connection.cursor() as cursor:
            facet_counts = None
            if facets:
                facet_counts, total = self._facets(cursor, where, params)
            else:
                cursor.execute(f"SELECT count(*) FROM {TABLE} WHERE {where}", params)  # noqa: S608
                total = cursor.fetchone()[0]
            hits = []
            if limit and total > offset:
                score_sql, score_params = score_expression(parsed)
                if sort == "relevance":
                    order = "score DESC, id"
                elif sort == "newest":
                    order = "ad DESC NULLS LAST, id"
                else:
                    order = "ad ASC NULLS LAST, id"
                cursor.execute(
                    f"SELECT id, stored, {score_sql} AS score FROM {TABLE} WHERE {where} "  # noqa: S608
                    f"ORDER BY {order} LIMIT %s OFFSET %s",
                    [*score_params, *params, limit, offset],
                )
                needles = H.needles_by_field(parsed) if highlight else None
                for id_, stored, score in cursor.fetchall():
                    hit = Hit(id=int(id_), score=float(score) if sort == "relevance" else 0.0)
                    if highlight:
                        if isinstance(stored, str):
                            stored = json.loads(stored)
                        hit.highlights = H.highlights(stored or {}, needles)
                    hits.append(hit)
        return SearchResult(
            total=total,
            hits=hits,
            facets=order_facets(facet_counts) if facet_counts is not None else {},
            offset=offset,
            limit=limit,
        )

    def _facets(self, cursor, where, params):
        cols = list(FACET_COLUMNS.values())
        sets = ", ".join(f"({c})" for c in cols)
        cursor.execute(
            f"SELECT {', '.join(cols)}, GROUPING({', '.join(cols)}), count(*) FROM {TABLE} "  # noqa: S608
            f"WHERE {where} GROUP BY GROUPING SETS ({sets}, ())",
            params,
        )
        counts = {name: {} for name in FACET_COLUMNS}
        total = 0
        n = len(cols)
        for row in cursor.fetchall():
            *values, grouping, count = row
            if grouping == (1 << n) - 1:
                total = count
                continue
            # GROUPING() has a 0 bit for the one column grouped on (the first column is the top bit).
            index = next(i for i in range(n) if not grouping & (1 << (n - 1 - i)))
            value = values[index]
            if value is None or value == "":
                continue
            counts[list(FACET_COLUMNS)[index]][value] = count
        return counts, total


def score_expression(parsed: q.Query) -> tuple[str, list]:
    """Field-weighted substring hits plus ts_rank over the words of the query's positive terms."""
    parts, params = [], []
    words = []
    for node in parsed.positive_texts():
        codes = q.TX_PARTS if node.field == "TX" else (node.field,)
        if node.word:
            column, weight = WORD_COLUMNS[node.field]
            literal = tsquery_literal(T.word_tokens(node.text), weight)
            parts.append(f"ts_rank({column}, %s::tsquery)")
            params.append(literal)
        else:
            pattern = "%" + T.substring_pattern(T.char_tokens(node.text)) + "%"
            for code in codes:
                parts.append(
                    f"(CASE WHEN {SUBSTRING_COLUMNS[code]} LIKE %s THEN {BOOSTS.get(code, 1.0)} ELSE 0 END)"
                )
                params.append(pattern)
        if node.field in ("TX", "TI", "AB", "CL"):
            words.extend(T.word_tokens(node.text))
    if words:
        parts.append("ts_rank(tx_w, %s::tsquery)")
        params.append(" | ".join(_lexeme(w) for w in dict.fromkeys(words)))
    return (" + ".join(parts) if parts else "0"), params


class Compiler:
    """The query tree as a WHERE clause with parameters."""

    def compile(self, node: q.Node) -> tuple[str, list]:
        params: list = []
        return self._node(node, params), params

    def _node(self, node, params) -> str:
        if isinstance(node, q.MatchAll):
            return "TRUE"
        if isinstance(node, q.And):
            return "(" + " AND ".join(self._node(c, params) for c in node.children) + ")"
        if isinstance(node, q.Or):
            return "(" + " OR ".join(self._node(c, params) for c in node.children) + ")"
        if isinstance(node, q.Not):
            return f"(NOT {self._node(node.child, params)})"
        if isinstance(node, q.Text):
            return self._text(node, params)
        if isinstance(node, q.Keyword):
            return self._keyword(node, params)
        if isinstance(node, q.Prefix):
            params.append(json.dumps([node.value]))
            return "(ipc @> %s::jsonb)"
        if isinstance(node, q.DateRange):
            column = {"AD": "ad", "PD": "pd"}[node.field]
            conds = []
            if node.start:
                conds.append(f"{column} >= %s")
                params.append(node.start)
            if node.end:
                conds.append(f"{column} <= %s")
                params.append(node.end)
            # A record without the date matches no range, and NOT of a range includes it.
            return f"COALESCE({' AND '.join(conds) or column + ' IS NOT NULL'}, FALSE)"
        raise TypeError(f"unknown query node {node!r}")  # pragma: no cover

    def _text(self, node: q.Text, params) -> str:
        if node.word:
            column, weight = WORD_COLUMNS[node.field]
            params.append(tsquery_literal(T.word_tokens(node.text), weight))
            return f"({column} @@ %s::tsquery)"
        pattern = "%" + T.substring_pattern(T.char_tokens(node.text)) + "%"
        codes = q.TX_PARTS if node.field == "TX" else (node.field,)
        conds = []
        for code in codes:
            conds.append(f"{SUBSTRING_COLUMNS[code]} LIKE %s")
            params.append(pattern)
        return "(" + " OR ".join(conds) + ")"

    def _keyword(self, node: q.Keyword, params) -> str:
        field, value = node.field, node.value
        if field == "AN":
            params.append(value)
            return "(an = %s)"
        if field == "PN":
            params.append(json.dumps([value]))
            return "(pn @> %s::jsonb)"
        if field == "TYPE":
            params.append(value)
            return "(patent_type = %s)"
        if field == "LS":
            params.append(value)
            return "(legal_status = %s)"
        if field == "COUNTY":
            params.extend([value, value])
            return "(county_code = %s OR county_name = %s)"
        if field == "YEAR":
            params.append(int(value))
            return "COALESCE(year = %s, FALSE)"
        if field == "IPCCLASS":
            params.append(value)
            return "(ipc_class = %s)"
        raise TypeError(f"unknown keyword field {field}")  # pragma: no cover
