#!/usr/bin/env python3
"""Time and memory of importing a generated patent export, first import and re-import.

In a fresh data directory (SQLite, or PostgreSQL with --database-url, which must be an empty
database you can spare): migrations and the Jinzhong bundle, then a CSV of ROWS generated
patents (ipdata.synthetic, as Chinese databases export them), then `zhichan import_ipdata`
twice as separate processes. Prints per run: wall time, rows per second and the process's
peak resident memory.

    python benchmarks/ipdata_import.py                  # 10^5 rows
    python benchmarks/ipdata_import.py --rows 1000000   # a million rows (about 0.8 GB of CSV)
    python benchmarks/ipdata_import.py --format xlsx --rows 20000
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ZHICHAN = [sys.executable, "-m", "zhichan"]
GENERATE = (
    "import django, sys; django.setup(); from zhichan.ipdata import synthetic; "
    "records = synthetic.patents(int(sys.argv[2]), seed=11); "
    "print(synthetic.write_patent_table(sys.argv[1], records, sys.argv[3]))"
)


def env_for(data_dir: Path, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZHICHAN_")}
    env.pop("REDIS_URL", None)
    env.pop("DATABASE_URL", None)
    env.update(
        ZHICHAN_DATA_DIR=str(data_dir),
        ZHICHAN_LOG_LEVEL="ERROR",
        DJANGO_SETTINGS_MODULE="zhichan.settings",
        ZHICHAN_CITY_CODE="140700",
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def measured(argv, env) -> tuple[float, float, str]:
    """(seconds, peak resident MB, stdout) of one child process."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    output = proc.stdout.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{' '.join(argv[2:])} failed ({proc.returncode}):\n{output}")
    return seconds, usage.ru_maxrss / 1024, output.strip()


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    parser.add_argument("--database-url", default=None, help="an empty PostgreSQL database (default: SQLite)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="zhichan-bench-import-") as folder:
        data = Path(folder)
        env = env_for(data, args.database_url)
        subprocess.run([*ZHICHAN, "migrate", "-v0"], env=env, check=True)
        bundle = ROOT / "src" / "zhichan" / "demo_data" / "jinzhong"
        subprocess.run([*ZHICHAN, "load_city", str(bundle)], env=env, check=True, stdout=subprocess.DEVNULL)
        path = data / f"patents.{args.format}"
        generate = [sys.executable, "-c", GENERATE, str(path), str(args.rows), args.format]
        seconds, _rss, _out = measured(generate, env)
        size_mb = path.stat().st_size / 1048576
        print(f"generated {args.rows} rows, {size_mb:.1f} MB {args.format.upper()}, in {seconds:.1f} s")
        print(f"database: {'PostgreSQL' if args.database_url else 'SQLite'}")
        print(f"{'run':<12}{'seconds':>10}{'rows/s':>10}{'peak RSS MB':>14}  result")
        for run in ("first", "again"):
            seconds, rss, output = measured([*ZHICHAN, "import_ipdata", str(path), "--no-progress"], env)
            summary = output.splitlines()[0].split(": ", 1)[-1] if output else ""
            print(f"{run:<12}{seconds:>10.1f}{args.rows / seconds:>10.0f}{rss:>14.0f}  {summary}")


if __name__ == "__main__":
    main()
