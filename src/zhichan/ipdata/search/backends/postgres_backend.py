"""The PostgreSQL backend: for deployments with several application servers sharing one database.

Documents live in their own table (ipdata.PatentSearchDoc). Substrings of three or more
characters are LIKE on the *_s columns (text.substring_text; pg_trgm GIN indexes serve them);
one or two characters, which trigrams cannot serve, are lexemes of the character tsvectors
(*_c: every character token and bigram); word queries are tsquery phrases on the word
tsvectors (*_w: rjieba words with positions built here, so both backends see the same words).
Ranking: field weights for substring matches, ts_rank for word matches; facets: one
GROUP BY GROUPING SETS pass; aggregate(): that pass with (year, type) as one more set, and
a GROUP BY over the name arrays for each top list. Writes go through at once, inside the caller's transaction;
`commit` has nothing to do.
"""

from __future__ import annotations

import json
from collections import defaultdict

from django.db import connections, transaction

from zhichan.ipdata.search import documents as D
from zhichan.ipdata.search import highlight as H
from zhichan.ipdata.search import query as q
from zhichan.ipdata.search import text as T
from zhichan.ipdata.search.backends.base import (
    AGGREGATE_TOP,
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
# Substrings of one or two character tokens: the character tsvectors, same columns and weights.
CHAR_COLUMNS = {code: (column.replace("_w", "_c"), weight) for code, (column, weight) in WORD_COLUMNS.items()}
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
    "tx_c",
    "meta_c",
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
    "applicant_names",
    "inventor_names",
)
_CASTS = {
    "stored": "::jsonb",
    "applicant_names": "::jsonb",
    "inventor_names": "::jsonb",
    "pn": "::jsonb",
    "ipc": "::jsonb",
    "tx_w": "::tsvector",
    "meta_w": "::tsvector",
}
INSERT = (
    f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) VALUES ("  # noqa: S608 - constant names only  # nosec B608  # constant table and column names; values are parameters
    + ", ".join("%s" + _CASTS.get(c, "") for c in COLUMNS)
    + ") ON CONFLICT (id) DO UPDATE SET "  # nosec B608  # constant column names
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


def char_tsvector_literal(parts: list[tuple[str, list[str]]]) -> str:
    """Each character token and each bigram (text.bigrams) at the token's position, weighted.

    Values lie apart (a bigram never spans two), as in the tantivy backend's fields.
    """
    positions: dict[str, list[str]] = defaultdict(list)
    pos = 1
    for weight, values in parts:
        for value in values:
            previous = None
            for token in T.char_tokens(value):
                for lexeme in (token, previous + token) if previous else (token,):
                    entry = positions[lexeme]
                    if len(entry) < MAX_POSITIONS_PER_WORD:
                        entry.append(f"{min(pos, MAX_POSITION)}{weight}")
                previous = token
                pos += 1
            pos += 1
    return " ".join(f"{_lexeme(w)}:{','.join(p)}" for w, p in positions.items())


def short_substring(tokens: list[str]) -> str | None:
    """The one lexeme of the character tsvectors that is a substring of one or two tokens."""
    if len(tokens) == 1:
        return tokens[0]
    if len(tokens) == 2:
        return tokens[0] + tokens[1]
    return None


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
        char_tsvector_literal([("A", [doc["title"]]), ("B", [doc["abstract"]]), ("C", [doc["claims"]])]),
        char_tsvector_literal(
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
        json.dumps(distinct_names(doc["applicants"]), ensure_ascii=False),
        json.dumps(distinct_names(doc["inventors"]), ensure_ascii=False),
    )


# One pass for every count but the top name lists; {where} is the compiled query (values are
# parameters).
AGGREGATE_SQL = (
    "SELECT year, patent_type, legal_status, county_code, ipc_class, "
    "GROUPING(year, patent_type, legal_status, county_code, ipc_class), count(*) "
    "FROM {table} WHERE {where} GROUP BY GROUPING SETS "
    "((year, patent_type), (patent_type), (legal_status), (county_code), (ipc_class), ())"
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
            cursor.execute(f"DELETE FROM {TABLE} WHERE id = ANY(%s)", [ids])  # noqa: S608  # nosec B608  # constant table name; ids are a parameter
            return cursor.rowcount

    def clear(self) -> None:
        self._check()
        with self.connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608  # nosec B608  # constant table name

    def commit(self) -> None:
        """Rows are visible when the caller's transaction commits."""

    # --- reading ---------------------------------------------------------------------------

    def count(self) -> int:
        self._check()
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {TABLE}")  # noqa: S608  # nosec B608  # constant table name
            return cursor.fetchone()[0]

    def stats(self) -> dict:
        self._check()
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*), pg_total_relation_size('{TABLE}') FROM {TABLE}")  # noqa: S608  # nosec B608  # constant table name
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
                cursor.execute(f"SELECT count(*) FROM {TABLE} WHERE {where}", params)  # noqa: S608  # nosec B608  # WHERE from Compiler: constant columns, every value a parameter
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
                    f"SELECT id, stored, {score_sql} AS score FROM {TABLE} WHERE {where} "  # noqa: S608  # nosec B608  # Compiler/score_expression SQL: constant columns, values are parameters
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

    def aggregate(self, query, *, filters=None, top=AGGREGATE_TOP) -> Aggregation:
        self._check()
        top = check_top(top)
        _parsed, node = prepare(query, filters, "relevance", 0, 0)
        where, params = Compiler().compile(node)
        out = Aggregation(total=0)
        with self.connection.cursor() as cursor:
            cursor.execute(AGGREGATE_SQL.format(table=TABLE, where=where), params)
            ipcs = {}
            for year, ptype, status, county, ipc, grouping, count in cursor.fetchall():
                if grouping == 0b11111:
                    out.total = count
                elif grouping == 0b00111:
                    if year is not None and ptype:
                        out.by_year_type.setdefault(int(year), {})[ptype] = count
                elif grouping == 0b10111:
                    if ptype:
                        out.by_type[ptype] = count
                elif grouping == 0b11011:
                    out.by_legal_status[status] = count
                elif grouping == 0b11101:
                    if county:
                        out.by_county[county] = count
                elif ipc:
                    ipcs[ipc] = count
            out.by_ipc = ranked(ipcs, top)
            for attr, column in (("top_applicants", "applicant_names"), ("top_inventors", "inventor_names")):
                cursor.execute(
                    f"SELECT e.name, count(*) AS n FROM (SELECT {column} FROM {TABLE} WHERE {where}) d "  # noqa: S608  # nosec B608  # column from a fixed pair, WHERE from Compiler; values are parameters
                    f"CROSS JOIN LATERAL jsonb_array_elements_text(d.{column}) AS e(name) "
                    'GROUP BY e.name ORDER BY n DESC, e.name COLLATE "C" LIMIT %s',
                    [*params, top],
                )
                setattr(out, attr, [(name, count) for name, count in cursor.fetchall()])
        return out

    def _facets(self, cursor, where, params):
        cols = list(FACET_COLUMNS.values())
        sets = ", ".join(f"({c})" for c in cols)
        cursor.execute(
            f"SELECT {', '.join(cols)}, GROUPING({', '.join(cols)}), count(*) FROM {TABLE} "  # noqa: S608  # nosec B608  # constant facet columns, WHERE from Compiler; values are parameters
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
    """The rank of a matching row: ts_rank for word terms; for substring terms, which field holds
    them (title 2, abstract 1, claims 0.5, as the tantivy backend boosts them).

    Kept to plain string tests on the row: ranking runs over every match, and ts_rank over the
    long character vectors of a frequent term (一种) would cost a second per 10^5 matches.
    """
    parts, params = [], []
    for node in parsed.positive_texts():
        if node.word:
            column, weight = WORD_COLUMNS[node.field]
            parts.append(f"ts_rank({column}, %s::tsquery)")
            params.append(tsquery_literal(T.word_tokens(node.text), weight))
            continue
        pattern = "%" + T.substring_pattern(T.char_tokens(node.text)) + "%"
        for code in q.TX_PARTS if node.field == "TX" else (node.field,):
            parts.append(
                f"(CASE WHEN {SUBSTRING_COLUMNS[code]} LIKE %s THEN {BOOSTS.get(code, 1.0)} ELSE 0 END)"
            )
            params.append(pattern)
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
        tokens = T.char_tokens(node.text)
        lexeme = short_substring(tokens)
        if lexeme is not None:
            column, weight = CHAR_COLUMNS[node.field]
            params.append(tsquery_literal([lexeme], weight))
            return f"({column} @@ %s::tsquery)"
        pattern = "%" + T.substring_pattern(tokens) + "%"
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
        if field in ("APPLICANT", "INVENTOR"):
            params.append(json.dumps([value], ensure_ascii=False))
            column = "applicant_names" if field == "APPLICANT" else "inventor_names"
            return f"({column} @> %s::jsonb)"
        raise TypeError(f"unknown keyword field {field}")  # pragma: no cover
