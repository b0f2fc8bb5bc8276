#!/usr/bin/env python3
"""Statistics of a whole result set: the search backend's aggregation against the ORM reference.

Stores N synthetic patents (zhichan.ipdata.synthetic, the seed of benchmarks/search.py) as
Patent rows in a fresh SQLite database, each linked to its Jinzhong county, builds the tantivy
index with `service.rebuild()`, then times, interleaved and after a warm-up run:

- `aggregate`: the backend's aggregation alone (`get_backend().aggregate`, top 20);
- `landscape`: `zhichan.ipdata.statistics.landscape()`, what the pages, exports, API and reports
  call (parsing, the aggregation, the city's counties);
- `ORM`: `reference_landscape()`, the plain-ORM reference, for the queries it understands
  (IPC= and TX= terms); it also checks that both give the same figures.

    python benchmarks/aggregation.py                 # 10^5 patents, 10 runs per query
    python benchmarks/aggregation.py --size 1000000 --runs 5 --orm-runs 2

Everything lives in a temporary directory (removed at the end unless --keep); DATABASE_URL and
REDIS_URL are ignored.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from search import SEED, p95, records, setup_django  # noqa: E402 - the search benchmark's helpers

# (label, query, facet filters, whether the ORM reference understands it)
QUERIES = [
    ("IPC subclass", "IPC=A01B", {}, True),
    ("IPC class, broad", "IPC=G06", {}, True),
    ("definition", '(IPC=H01M OR IPC=H01G OR IPC=B60L) AND (TX="电池" OR TX="储能")', {}, True),
    ("keyword, frequent", 'TX="装置"', {}, True),
    ("keyword, very frequent", 'TX="一种"', {}, True),
    ("everything", "", {}, False),
    ("applicant + date", "PA=太原理工大学 AND AD>=2020", {}, False),
    ("no text", "TYPE=发明 LS=有效", {}, False),
    ("NOT + filters", "电池 NOT 汽车", {"type": ["invention"], "year": ["2019", "2020", "2021"]}, False),
]


def load_database(n: int) -> None:
    from zhichan.ipdata.models import Patent
    from zhichan.ipdata.synthetic import PATENT_FIELDS
    from zhichan.regions.models import Region

    region_ids = dict(Region.objects.values_list("code", "id"))
    started = time.perf_counter()
    batch = []
    for record in records(n):
        region = region_ids.get(record.get("county", ""))
        batch.append(Patent(**{k: record[k] for k in PATENT_FIELDS}, region_id=region))
        if len(batch) >= 5000:
            Patent.objects.bulk_create(batch)
            batch = []
    Patent.objects.bulk_create(batch)
    print(f"[{n:,}] stored in the database in {time.perf_counter() - started:.0f} s", flush=True)


def timed(fn) -> tuple[float, object]:
    started = time.perf_counter()
    value = fn()
    return (time.perf_counter() - started) * 1000, value


def run(runs: int, orm_runs: int) -> list[dict]:
    from zhichan.ipdata.search.service import get_backend, parse_query
    from zhichan.ipdata.statistics import landscape, reference_landscape

    backend = get_backend()
    rows = []
    for label, query, filters, orm in QUERIES:
        row = {"label": label, "query": query, "filters": filters, "agg": [], "ls": [], "orm": []}
        parsed = parse_query(query)
        figures = landscape(query, filters=filters)  # warm-up
        row["total"] = figures.total
        if orm:
            row["agree"] = reference_landscape(query) == figures
        for i in range(runs):
            row["agg"].append(timed(lambda p=parsed, f=filters: backend.aggregate(p, filters=f))[0])
            row["ls"].append(timed(lambda q=query, f=filters: landscape(q, filters=f))[0])
            if orm and i < orm_runs:
                row["orm"].append(timed(lambda q=query: reference_landscape(q))[0])
        rows.append(row)
        print(f"  {label}: {row['total']:,} matches", flush=True)
    return rows


def report(n: int, rows: list[dict], runs: int, orm_runs: int) -> None:
    print(f"\n{n:,} patents; median / p95 in ms ({runs} runs; ORM {orm_runs})\n")
    print("| query | matches | aggregate | landscape() | ORM reference | ORM / landscape | same figures |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        query = row["query"] or "(empty)"
        if row["filters"]:
            query += " + " + ", ".join(f"{k}={'/'.join(v)}" for k, v in row["filters"].items())
        cells = [f"`{query}`", f"{row['total']:,}"]
        for key in ("agg", "ls", "orm"):
            values = row[key]
            cells.append(f"{statistics.median(values):.1f} / {p95(values):.1f}" if values else "—")
        if row["orm"]:
            cells.append(f"{statistics.median(row['orm']) / statistics.median(row['ls']):.0f}×")
            cells.append("yes" if row["agree"] else "NO")
        else:
            cells += ["—", "—"]
        print("| " + " | ".join(cells) + " |")
    pooled_agg = [v for row in rows for v in row["agg"]]
    pooled_ls = [v for row in rows for v in row["ls"]]
    print(
        f"\nall queries: aggregate {statistics.median(pooled_agg):.1f} / {p95(pooled_agg):.1f} ms, "
        f"landscape() {statistics.median(pooled_ls):.1f} / {p95(pooled_ls):.1f} ms (median / p95)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000, help="number of patents")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--orm-runs", type=int, default=5, help="runs of the (slow) ORM reference")
    parser.add_argument("--keep", help="work in this directory and keep it")
    args = parser.parse_args()
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="zhichan-agg-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f}; seed {SEED}; work directory {root}")  # fmt: skip
    try:
        setup_django(root)
        from zhichan.ipdata.search import service

        load_database(args.size)
        started = time.perf_counter()
        service.rebuild(workers=1)
        print(f"[{args.size:,}] index built in {time.perf_counter() - started:.0f} s", flush=True)
        rows = run(args.runs, args.orm_runs)
        report(args.size, rows, args.runs, args.orm_runs)
        print(f"load average at the end: {os.getloadavg()[0]:.1f}", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
