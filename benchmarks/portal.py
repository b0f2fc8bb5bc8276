#!/usr/bin/env python3
"""Latency and throughput of the public portal pages and API lists, on SQLite and on PostgreSQL.

For each database: a fresh data directory, `zhichan demo --no-serve` (migrations, the Jinzhong
demo bundle, demo accounts), then gunicorn as `zhichan demo` starts it; then CLIENTS threads
send REQUESTS requests to each endpoint in turn over keep-alive connections. Prints one row per
endpoint: median and 95th percentile latency (ms), requests per second and errors (any
status other than 200, or a failed connection) for each database.

    python benchmarks/portal.py                  # both databases, 400 requests per endpoint
    python benchmarks/portal.py --quick          # 60 requests per endpoint
    python benchmarks/portal.py --only sqlite    # skip PostgreSQL

PostgreSQL comes from BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/zhichan_bench);
that database is dropped and created for the run, and dropped again at the end.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/zhichan_bench"
PAGES = ["/", "/network/", "/network/{agency}/", "/network/coverage/", "/services/", "/services/TM-REG/"]
API = ["/api/v1/regions/", "/api/v1/agencies/", "/api/v1/catalog/items", "/api/v1/agencies/coverage"]
FIRST_AGENCY = (
    "from zhichan.agencies.models import Agency; "
    "print(Agency.objects.public().order_by('pk').values_list('pk', flat=True).first() or 0)"
)


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def count(self):
        return len(self.latencies) + self.errors

    def median_ms(self):
        return statistics.median(self.latencies) * 1000 if self.latencies else None

    def p95_ms(self):
        if len(self.latencies) < 2:
            return self.median_ms()
        return statistics.quantiles(self.latencies, n=20, method="inclusive")[18] * 1000

    def rate(self):
        return self.count / self.seconds if self.seconds else 0.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def base_env(data_dir: Path, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZHICHAN_")}
    env.pop("REDIS_URL", None)
    env.pop("DATABASE_URL", None)
    env.update(ZHICHAN_DATA_DIR=str(data_dir), ZHICHAN_ENV="demo", ZHICHAN_LOG_LEVEL="ERROR")
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def recreate_pg(url: str, drop_only: bool = False) -> None:
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


class Portal:
    """gunicorn serving the portal, set up with the demo data, in its own process group."""

    def __init__(self, env, workers: int, threads: int):
        self.env, self.workers, self.threads = env, workers, threads
        self.port = free_port()
        self.proc = None

    def __enter__(self):
        zhichan = [sys.executable, "-m", "zhichan"]
        subprocess.run([*zhichan, "demo", "--no-serve"], env=self.env, check=True, stdout=subprocess.DEVNULL)
        out = subprocess.run(
            [*zhichan, "shell", "-c", FIRST_AGENCY], env=self.env, check=True, capture_output=True, text=True
        )
        self.agency = int(out.stdout.strip().splitlines()[-1])
        self.proc = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "zhichan.wsgi:application",
                "--bind", f"127.0.0.1:{self.port}",
                "--workers", str(self.workers), "--threads", str(self.threads),
                "--log-level", "warning",
            ],
            env=self.env,
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("gunicorn exited while starting")
            try:
                status, _ = request_once(self.port, "/")
                if status:
                    return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("the portal did not answer within 60 s")

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


HEADERS = {"Accept-Language": "zh-CN,zh;q=0.9", "User-Agent": "zhichan-bench"}


def request_once(port: int, path: str, conn: http.client.HTTPConnection | None = None):
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=HEADERS)
        response = conn.getresponse()
        body = response.read()
        return response.status, body
    finally:
        if own:
            conn.close()


def hammer(port: int, path: str, total: int, clients: int) -> Result:
    result = Result()
    lock = threading.Lock()
    remaining = [total]

    def take():
        with lock:
            if remaining[0] <= 0:
                return False
            remaining[0] -= 1
            return True

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        latencies, errors, statuses = [], 0, {}
        while take():
            start = time.perf_counter()
            try:
                status, _ = request_once(port, path, conn)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                status = 0
            elapsed = time.perf_counter() - start
            statuses[status] = statuses.get(status, 0) + 1
            if status == 200:
                latencies.append(elapsed)
            else:
                errors += 1
        conn.close()
        with lock:
            result.latencies.extend(latencies)
            result.errors += errors
            for status, n in statuses.items():
                result.statuses[status] = result.statuses.get(status, 0) + n

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        for future in [pool.submit(client) for _ in range(clients)]:
            future.result()
    result.seconds = time.perf_counter() - started
    return result


def run_backend(label, database_url, args) -> dict[str, Result]:
    with tempfile.TemporaryDirectory(prefix=f"zhichan-bench-{label}-") as tmp:
        env = base_env(Path(tmp), database_url)
        print(f"[{label}] setting up the demo data and starting gunicorn...", file=sys.stderr)
        with Portal(env, args.workers, args.threads) as portal:
            paths = [p.format(agency=portal.agency) for p in PAGES] + API
            results = {}
            for path in paths:
                request_once(portal.port, path)  # warm-up: templates, caches, connections
                results[path] = hammer(portal.port, path, args.requests, args.clients)
                r = results[path]
                print(
                    f"[{label}] {path}: {r.count} requests, {r.errors} errors, {r.rate():.0f} req/s",
                    file=sys.stderr,
                )
            return results


def fmt(value, spec="{:.1f}"):
    return "-" if value is None else spec.format(value)


def print_table(runs: dict[str, dict[str, Result]], paths_by_key: dict[str, str]) -> None:
    labels = list(runs)
    head = ["endpoint"]
    for label in labels:
        head += [f"{label} median ms", f"{label} p95 ms", f"{label} req/s", f"{label} errors"]
    rows = []
    for key, shown in paths_by_key.items():
        row = [shown]
        for label in labels:
            r = runs[label].get(key)
            if r is None:
                row += ["-", "-", "-", "-"]
                continue
            bad = {s: n for s, n in r.statuses.items() if s != 200}
            errors = str(r.errors)
            if bad:
                errors += " (" + ", ".join(f"{status or 'conn'}×{n}" for status, n in bad.items()) + ")"
            row += [fmt(r.median_ms()), fmt(r.p95_ms()), fmt(r.rate(), "{:.0f}"), errors]
        rows.append(row)
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows, strict=True)]
    line = "  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True))
    print(line)
    print("-" * len(line))
    for row in rows:
        print("  ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=True)))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="60 requests per endpoint instead of 400")
    parser.add_argument("--requests", type=int, help="requests per endpoint")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients (default 20)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (as `zhichan demo`)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help="run one database only")
    parser.add_argument("--json", metavar="FILE", help="also write the figures to FILE as JSON")
    args = parser.parse_args(argv)
    args.requests = args.requests or (60 if args.quick else 400)

    pg_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG)
    runs: dict[str, dict[str, Result]] = {}
    if args.only in (None, "sqlite"):
        runs["SQLite"] = run_backend("SQLite", None, args)
    if args.only in (None, "postgresql"):
        try:
            recreate_pg(pg_url)
        except Exception as exc:  # noqa: BLE001 - report and go on with what we have
            print(f"PostgreSQL skipped: cannot create {pg_url}: {exc}", file=sys.stderr)
        else:
            try:
                runs["PostgreSQL"] = run_backend("PostgreSQL", pg_url, args)
            finally:
                recreate_pg(pg_url, drop_only=True)

    first = next(iter(runs.values()), {})
    shown = {key: key for key in first}
    print(
        f"\n{args.requests} requests per endpoint, {args.clients} concurrent clients, "
        f"gunicorn {args.workers} workers x {args.threads} threads, Python {sys.version.split()[0]}\n"
    )
    print_table(runs, shown)
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    label: {
                        path: {
                            "median_ms": r.median_ms(),
                            "p95_ms": r.p95_ms(),
                            "req_per_s": r.rate(),
                            "errors": r.errors,
                            "statuses": r.statuses,
                        }
                        for path, r in results.items()
                    }
                    for label, results in runs.items()
                },
                indent=2,
            )
        )
    failed = sum(r.errors for results in runs.values() for r in results.values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
