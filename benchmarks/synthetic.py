"""How fast the synthetic IP data generator runs, and how much memory it holds.

    .venv/bin/python benchmarks/synthetic.py                 # 200 000 records of each kind
    .venv/bin/python benchmarks/synthetic.py --records 1000000 --repeat 1 --write

Prints records per second of CPU time (process time, so other load on the machine counts
less), best of --repeat runs, for generation alone and, with --write, for generation plus
the CSV writer; and the peak resident memory of the process.
"""

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhichan.settings")

from zhichan.ipdata import synthetic  # noqa: E402


def timed(fn):
    start_cpu, start_wall = time.process_time(), time.perf_counter()
    fn()
    return time.process_time() - start_cpu, time.perf_counter() - start_wall


def drain(records):
    for _ in records:
        pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--write", action="store_true", help="also time writing CSV files")
    args = parser.parse_args()
    n = args.records
    drain(synthetic.patents(10))  # load the data files once
    drain(synthetic.trademarks(10))
    rows = []
    jobs = [
        ("patents", lambda: drain(synthetic.patents(n, seed=1))),
        ("trademarks", lambda: drain(synthetic.trademarks(n, seed=1))),
    ]
    if args.write:
        folder = Path(tempfile.mkdtemp())
        patents_csv, trademarks_csv = folder / "patents.csv", folder / "trademarks.csv"
        jobs += [
            ("patents + CSV", lambda: synthetic.write_patent_table(patents_csv, synthetic.patents(n))),
            (
                "trademarks + CSV",
                lambda: synthetic.write_trademark_table(trademarks_csv, synthetic.trademarks(n)),
            ),
        ]
    for label, job in jobs:
        best_cpu, best_wall = min(timed(job) for _ in range(args.repeat))
        rows.append((label, n / best_cpu, n / best_wall))
    print(f"{'':18}{'records/s (CPU)':>17}{'records/s (wall)':>18}")
    for label, cpu, wall in rows:
        print(f"{label:18}{cpu:17,.0f}{wall:18,.0f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory: {peak:,.0f} MiB (n = {n:,})")


if __name__ == "__main__":
    main()
