#!/usr/bin/env python3
"""Patent search at scale: the embedded engine (tantivy) against SQLite FTS5 on the same data.

For each size (default 10^6 synthetic patents from zhichan.ipdata.synthetic):

1. builds the application's search index (the tantivy backend, as `zhichan search_index
   rebuild` does, fed from the generator instead of the database) and reports build time
   (data generation excluded), size on disk, peak memory;
2. builds SQLite FTS5 over the same records: one table of rjieba-segmented words (unicode61
   tokenizer, "the same pre-segmented data") and one trigram table for substrings;
3. runs a fixed query set through the application's own search function
   (zhichan.ipdata.search.service.search_patents: parsing, the backend, highlights), without
   and with facets, and the same queries translated to FTS5 (count + top 20 by bm25 + snippets),
   interleaved, after a warm-up; prints median and p95 per query and over all queries, and
   the ratio FTS5 / engine.

    python benchmarks/search.py                     # 10^6 patents, 20 runs per query
    python benchmarks/search.py --quick             # 10^5
    python benchmarks/search.py --sizes 1000000,3000000
    python benchmarks/search.py --keep /tmp/bench   # keep the indexes (reused when present)

Everything lives in a temporary directory (removed at the end unless --keep) with its own
SQLite database; DATABASE_URL and REDIS_URL are ignored.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

SEED = 20240601
# Bumped when what a build produces changes, so that --keep rebuilds instead of reusing.
ENGINE_VERSION = "2"
FTS_VERSION = "2"
# (label, application query, FTS5 kind, FTS5 MATCH expression, extra SQL condition on p, params)
QUERIES = [  # one query a line reads best
    ("single word", "传感器", "trigram", '"传感器"', "", []),
    ("single word", "电池", "word", "电池", "", []),
    ("single word", "集尘板", "trigram", '"集尘板"', "", []),
    ("single character", "醋", "word", "醋", "", []),
    ("phrase", '"锂离子电池"', "trigram", '"锂离子电池"', "", []),
    ("phrase", '"检测装置"', "trigram", '"检测装置"', "", []),
    ("phrase", '"制备方法"', "trigram", '"制备方法"', "", []),
    ("frequent", "一种", "word", "一种", "", []),
    ("frequent", "方法", "word", "方法", "", []),
    ("frequent", "装置", "word", "装置", "", []),
    ("frequent", "检测", "word", "检测", "", []),
    ("field+date", "TI=传感器 AND AD=[2015 TO 2018]", "trigram", 'title : "传感器"', "p.ad BETWEEN ? AND ?", [20150101, 20181231]),  # noqa: E501
    ("field+date", "PA=太原理工大学 AND AD>=2020", "trigram", 'applicants : "太原理工大学"', "p.ad >= ?", [20200101]),  # noqa: E501
    ("field+type+date", "TI=电池 AND TYPE=发明 AND AD=[2010 TO 2020]", "word", "title : 电池", "p.type = ? AND p.ad BETWEEN ? AND ?", ["invention", 20100101, 20201231]),  # noqa: E501
    ("field+date", "AB=电机 AND PD>=2022-01-01", "word", "abstract : 电机", "p.pd >= ?", [20220101]),
    ("IPC+date", "IPC=E21B AND AD=[2015-01-01 TO 2019-12-31]", "sql", "", "p.id IN (SELECT id FROM p_ipc WHERE prefix = ?) AND p.ad BETWEEN ? AND ?", ["E21B", 20150101, 20191231]),  # noqa: E501
    ("boolean", "(电池 OR 电机) NOT 汽车", "word", "(电池 OR 电机) NOT 汽车", "", []),
    ("word mode", "TI~=传感器", "word", "title : 传感器", "", []),
    ("county", "COUNTY=太谷区 AND 醋", "word", "醋", "p.county = ?", ["140703"]),
    ("no text", "TYPE=发明 LS=有效", "sql", "", "p.type = ? AND p.ls = ?", ["invention", "valid"]),
]  # fmt: skip


def setup_django(data_dir: Path):
    # The application database holds only the counties; a fresh one each run (migrations change).
    for old in data_dir.glob("zhichan.sqlite3*"):
        old.unlink()
    for name in ("DATABASE_URL", "REDIS_URL", "ZHICHAN_ENV"):
        os.environ.pop(name, None)
    os.environ["ZHICHAN_DATA_DIR"] = str(data_dir)
    os.environ["ZHICHAN_SEARCH_DIR"] = str(data_dir / "search")
    os.environ["ZHICHAN_SEARCH_BACKEND"] = "tantivy"
    os.environ["ZHICHAN_LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhichan.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from zhichan.ipdata.synthetic import jinzhong_counties
    from zhichan.regions.models import Region, RegionKind

    city, _ = Region.objects.get_or_create(
        code="140700", defaults={"name": "晋中市", "kind": RegionKind.CITY}
    )
    for code, name in jinzhong_counties().items():
        Region.objects.get_or_create(
            code=code, defaults={"name": name, "kind": RegionKind.COUNTY, "parent": city}
        )


class Timed:
    """Wraps an iterator and adds up the time spent producing its items (to leave it out)."""

    def __init__(self, iterable):
        self.it = iter(iterable)
        self.seconds = 0.0

    def __iter__(self):
        return self

    def __next__(self):
        start = time.perf_counter()
        try:
            return next(self.it)
        finally:
            self.seconds += time.perf_counter() - start


def records(n: int):
    """Synthetic patents with an id and, for Jinzhong addresses, the county."""
    from zhichan.ipdata.synthetic import jinzhong_counties, patents

    counties = [(name, code) for code, name in jinzhong_counties().items()]
    for i, record in enumerate(patents(n, seed=SEED), start=1):
        record["id"] = i
        address = record["address"]
        if "晋中市" in address:
            for name, code in counties:
                if name in address:
                    record["county"], record["county_name"] = code, name
                    break
        yield record


class AnonMemory:
    """The peak of the process's anonymous memory (RssAnon) while it runs, sampled twice a second.

    Peak RSS would count the index files tantivy maps into memory, which the kernel drops when
    it needs the room; anonymous memory is what the build really holds."""

    def __init__(self):
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    @staticmethod
    def current_kb() -> int:
        try:
            for line in Path("/proc/self/status").read_text().splitlines():
                if line.startswith("RssAnon:"):
                    return int(line.split()[1])
        except OSError:
            pass
        return 0

    def _sample(self):
        while not self._stop.wait(0.5):
            self.peak_kb = max(self.peak_kb, self.current_kb())

    def __enter__(self):
        self.peak_kb = self.current_kb()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak_kb = max(self.peak_kb, self.current_kb())


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def build_engine(n: int, workers: int) -> dict:
    from zhichan.ipdata.search import service
    from zhichan.ipdata.search.documents import document_from_record

    backend = service.get_backend()
    source = Timed(records(n))
    with AnonMemory() as memory:
        started = time.perf_counter()
        backend.clear()
        count = backend.index(
            (document_from_record(r) for r in source),
            replace=False,
            workers=workers,
            progress=lambda k: k % 100_000 or print(f"  engine: {k:,} records", flush=True),
        )
        backend.commit()
        total = time.perf_counter() - started
    return {
        "docs": count,
        "seconds": total - source.seconds,
        "generation": source.seconds,
        "bytes": dir_size(backend.path),
        "segments": backend.stats()["segments"],
        "peak_anon_mb": memory.peak_kb / 1024,
    }


FTS_SCHEMA = [
    "CREATE TABLE p (id INTEGER PRIMARY KEY, ad INTEGER, pd INTEGER, type TEXT, ls TEXT, county TEXT)",
    # IPC prefixes as the engine indexes them (A, A01, A01B, A01B 1, A01B 1/00), with an index.
    "CREATE TABLE p_ipc (prefix TEXT, id INTEGER)",
    "CREATE INDEX p_ad ON p (ad)",
    "CREATE INDEX p_type_ls ON p (type, ls)",
    "CREATE INDEX p_county ON p (county)",
    "CREATE VIRTUAL TABLE fts_w USING fts5(title, abstract, claims, applicants, tokenize='unicode61')",
    "CREATE VIRTUAL TABLE fts_t USING fts5(title, abstract, claims, applicants, tokenize='trigram')",
]


def _yyyymmdd(value):
    return int(value.strftime("%Y%m%d")) if value else None


def build_fts(n: int, path: Path) -> dict:
    from zhichan.ipdata.search import text as T

    if path.exists():
        path.unlink()
    db = sqlite3.connect(path)
    db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-200000;")
    for sql in FTS_SCHEMA:
        db.execute(sql)
    source = Timed(records(n))
    from zhichan.ipdata.search.documents import ipc_prefixes

    seconds = {"p": 0.0, "word": 0.0, "trigram": 0.0}
    batch_p, batch_w, batch_t, batch_ipc = [], [], [], []

    def flush():
        for key, sql, batch in (
            ("p", "INSERT INTO p VALUES (?, ?, ?, ?, ?, ?)", batch_p),
            ("p", "INSERT INTO p_ipc VALUES (?, ?)", batch_ipc),
            (
                "word",
                "INSERT INTO fts_w (rowid, title, abstract, claims, applicants) VALUES (?, ?, ?, ?, ?)",
                batch_w,
            ),
            (
                "trigram",
                "INSERT INTO fts_t (rowid, title, abstract, claims, applicants) VALUES (?, ?, ?, ?, ?)",
                batch_t,
            ),
        ):
            start = time.perf_counter()
            db.executemany(sql, batch)
            seconds[key] += time.perf_counter() - start
            batch.clear()

    for r in source:
        texts = [r["title"], r["abstract"], r["claims"], "；".join(r["applicants"])]
        start = time.perf_counter()
        batch_w.append((r["id"], *(" ".join(T.word_tokens(t)) for t in texts)))
        seconds["word"] += time.perf_counter() - start
        start = time.perf_counter()
        batch_t.append((r["id"], *(T.normalize(t) for t in texts)))
        seconds["trigram"] += time.perf_counter() - start
        batch_p.append(
            (r["id"], _yyyymmdd(r["application_date"]), _yyyymmdd(r["publication_date"]), r["patent_type"],
             r["legal_status"], r.get("county", ""))
        )  # fmt: skip
        batch_ipc.extend((prefix, r["id"]) for prefix in ipc_prefixes(r["ipc_codes"]))
        if len(batch_p) >= 5000:
            flush()
        if r["id"] % 100_000 == 0:
            print(f"  FTS5: {r['id']:,} records", flush=True)
    flush()
    start = time.perf_counter()
    db.execute("CREATE INDEX p_ipc_prefix ON p_ipc (prefix)")
    db.commit()
    for table in ("fts_w", "fts_t"):
        db.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")  # noqa: S608
    db.commit()
    seconds["optimize"] = time.perf_counter() - start
    db.close()
    return {"seconds": seconds, "bytes": path.stat().st_size}


def fts_search(db, kind, match, where, params):
    """What a page needs from FTS5: the count and the top 20 by bm25, with snippets."""
    if kind == "sql":
        count = db.execute(f"SELECT count(*) FROM p WHERE {where}", params).fetchone()[0]  # noqa: S608
        rows = db.execute(f"SELECT id FROM p WHERE {where} ORDER BY ad DESC LIMIT 20", params).fetchall()  # noqa: S608
        return count, rows
    table = "fts_w" if kind == "word" else "fts_t"
    join = f" JOIN p ON p.id = {table}.rowid" if where else ""
    cond = f" AND {where}" if where else ""
    count = db.execute(
        f"SELECT count(*) FROM {table}{join} WHERE {table} MATCH ?{cond}",  # noqa: S608
        [match, *params],
    ).fetchone()[0]
    rows = db.execute(
        f"SELECT {table}.rowid, snippet({table}, 0, '<mark>', '</mark>', '…', 16), "  # noqa: S608
        f"snippet({table}, 1, '<mark>', '</mark>', '…', 24) FROM {table}{join} "
        f"WHERE {table} MATCH ?{cond} ORDER BY bm25({table}, 2.0, 1.0, 0.5, 1.0) LIMIT 20",
        [match, *params],
    ).fetchall()
    return count, rows


def p95(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def run_queries(fts_path: Path, runs: int) -> list[dict]:
    from zhichan.ipdata.search import service

    db = sqlite3.connect(fts_path)
    db.execute("PRAGMA cache_size=-200000")
    rows = []
    for label, query, kind, *_fts in QUERIES:
        rows.append({"label": label, "query": query, "kind": kind, "engine": [], "facets": [], "fts": []})
    # Warm-up: the first touch of each file region costs page faults, not search work.
    for row, (_l, query, kind, match, where, params) in zip(rows, QUERIES, strict=True):
        for _ in range(2):
            result = service.search_patents(query, facets=True)
            row["total"] = result.total
            row["fts_total"] = fts_search(db, kind, match, where, params)[0]
    for _ in range(runs):
        for row, (_l, query, kind, match, where, params) in zip(rows, QUERIES, strict=True):
            start = time.perf_counter()
            service.search_patents(query, facets=False)
            row["engine"].append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            service.search_patents(query, facets=True)
            row["facets"].append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            fts_search(db, kind, match, where, params)
            row["fts"].append((time.perf_counter() - start) * 1000)
    db.close()
    return rows


def report(n: int, engine: dict, fts: dict, rows: list[dict], runs: int) -> None:
    mb = 1024 * 1024
    print(f"\n=== {n:,} patents (seed {SEED}) ===")
    print(
        f"engine build: {engine['seconds']:.0f} s ({engine['docs'] / engine['seconds']:.0f} docs/s, "
        f"data generation of {engine['generation']:.0f} s not counted), "
        f"index {engine['bytes'] / mb:.0f} MB in {engine['segments']} segments, "
        f"peak anonymous memory of the process {engine.get('peak_anon_mb', 0):.0f} MB"
    )
    fs = fts["seconds"]
    print(
        f"FTS5 build: words {fs['word']:.0f} s (segmentation and insert), trigram {fs['trigram']:.0f} s, "
        f"base rows {fs['p']:.0f} s, optimize {fs['optimize']:.0f} s; database {fts['bytes'] / mb:.0f} MB"
    )
    head = (
        f"{'query':44} {'matches':>8} {'engine':>7} {'p95':>6} {'+facets':>8} {'p95':>6}"
        f" {'FTS5':>8} {'matches':>8} {'median':>7} {'p95':>6} {'ratio':>6}"
    )
    print(f"\nlatency in ms over {runs} runs each")
    print("(engine: search_patents, hits with highlights and the total; +facets: the same with the facets)")
    print(head)
    print("-" * len(head))
    for row in rows:
        e, f, s = (
            statistics.median(row["engine"]),
            statistics.median(row["facets"]),
            statistics.median(row["fts"]),
        )
        print(
            f"{_fit(row['query'], 44)} {row['total']:>8} {e:>7.1f} {p95(row['engine']):>6.1f} {f:>8.1f}"
            f" {p95(row['facets']):>6.1f} {row['kind']:>8} {row['fts_total']:>8} {s:>7.1f}"
            f" {p95(row['fts']):>6.1f} {s / e:>6.1f}"
        )
    all_e = [v for r in rows for v in r["engine"]]
    all_f = [v for r in rows for v in r["facets"]]
    all_s = [v for r in rows for v in r["fts"]]
    print("-" * len(head))
    med_e, med_f, med_s = statistics.median(all_e), statistics.median(all_f), statistics.median(all_s)
    print(
        f"{'all queries':44} {'':>8} {med_e:>7.1f} {p95(all_e):>6.1f} {med_f:>8.1f} {p95(all_f):>6.1f}"
        f" {'':>8} {'':>8} {med_s:>7.1f} {p95(all_s):>6.1f} {med_s / med_e:>6.1f}"
    )


def _fit(text: str, width: int) -> str:
    # Chinese characters take two columns.
    out, used = "", 0
    for ch in text:
        w = 2 if ord(ch) > 0x2E80 else 1
        if used + w > width:
            break
        out, used = out + ch, used + w
    return out + " " * (width - used)


def rebuild_from_database(n: int, root: Path) -> None:
    """`zhichan search_index rebuild` as deployed: N patents in the (SQLite) database, streamed out."""
    from django.conf import settings

    from zhichan.ipdata.models import Patent
    from zhichan.ipdata.search import service
    from zhichan.ipdata.synthetic import PATENT_FIELDS, patents

    settings.ZHICHAN_SEARCH_DIR = root / f"search-db-{n}"
    service.reset_backends()
    if Patent.objects.count() != n:
        Patent.objects.all().delete()
        batch = []
        for record in patents(n, seed=SEED):
            batch.append(Patent(**{k: record[k] for k in PATENT_FIELDS}))
            if len(batch) >= 5000:
                Patent.objects.bulk_create(batch)
                batch = []
        Patent.objects.bulk_create(batch)
    before = AnonMemory.current_kb() / 1024
    with AnonMemory() as memory:
        started = time.perf_counter()
        count = service.rebuild(workers=1)
        seconds = time.perf_counter() - started
    size = dir_size(service.get_backend().path) / 2**20
    peak = memory.peak_kb / 1024
    print(
        f"\nrebuild from the database ({n:,} patents, SQLite): {seconds:.0f} s, {count / seconds:.0f} docs/s"
    )
    print(f"index {size:.0f} MB; anonymous memory {before:.0f} MB before, {peak:.0f} MB at most", flush=True)


def _reuse(path: Path, version: str):
    """The figures of an earlier build kept with --keep, when it was made the same way."""
    if not path.exists():
        return None
    saved = json.loads(path.read_text())
    return saved if saved.get("version") == version else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000000", help="comma-separated numbers of patents")
    parser.add_argument("--quick", action="store_true", help="10^5 patents, 10 runs")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--workers", type=int, default=1, help="processes preparing documents")
    parser.add_argument("--keep", help="work in this directory and keep it (reuse built indexes)")
    parser.add_argument(
        "--from-db", type=int, metavar="N", help="also load N patents into the database and time a rebuild"
    )
    args = parser.parse_args()
    sizes = [100_000] if args.quick else [int(s) for s in args.sizes.split(",")]
    runs = 10 if args.quick else args.runs
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="zhichan-search-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    print(f"python {sys.version.split()[0]}, sqlite {sqlite3.sqlite_version}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}; work directory {root}")  # fmt: skip
    try:
        setup_django(root)
        from zhichan.ipdata.search import service

        for n in sizes:
            os.environ["ZHICHAN_SEARCH_DIR"] = str(root / f"search-{n}")
            from django.conf import settings

            settings.ZHICHAN_SEARCH_DIR = root / f"search-{n}"
            service.reset_backends()
            engine_saved, fts_saved = root / f"engine-{n}.json", root / f"fts-{n}.json"
            fts_path = root / f"fts-{n}.sqlite3"
            engine = _reuse(engine_saved, ENGINE_VERSION) if args.keep else None
            if engine is None:
                engine = build_engine(n, args.workers)
                print(
                    f"[{n:,}] engine built in {engine['seconds']:.0f} s; "
                    f"peak anonymous memory {engine['peak_anon_mb']:.0f} MB",
                    flush=True,
                )
                engine_saved.write_text(json.dumps(dict(engine, version=ENGINE_VERSION)))
            else:
                print(f"[{n:,}] reusing the engine index built before in {root}", flush=True)
            fts = _reuse(fts_saved, FTS_VERSION) if args.keep and fts_path.exists() else None
            if fts is None:
                fts = build_fts(n, fts_path)
                print(f"[{n:,}] FTS5 built", flush=True)
                fts_saved.write_text(json.dumps(dict(fts, version=FTS_VERSION)))
            else:
                print(f"[{n:,}] reusing the FTS5 database built before in {root}", flush=True)
            rows = run_queries(fts_path, runs)
            report(n, engine, fts, rows, runs)
            print(f"load average at the end: {os.getloadavg()[0]:.1f}", flush=True)
        if args.from_db:
            rebuild_from_database(args.from_db, root)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
