import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhichan.ipdata import synthetic


class Command(BaseCommand):
    help = (
        "Write synthetic patent and trademark tables (patents.csv|xlsx, trademarks.csv|xlsx) and the "
        "local applicants (enterprises.csv) into a folder, for tests and benchmarks."
    )

    def add_arguments(self, parser):
        parser.add_argument("--patents", type=int, default=0, metavar="N", help="number of patent records")
        parser.add_argument(
            "--trademarks", type=int, default=0, metavar="M", help="number of trademark records"
        )
        parser.add_argument("--out", required=True, metavar="DIR", help="folder to write into (created)")
        parser.add_argument("--seed", type=int, default=0, help="same seed, same records")
        parser.add_argument("--format", choices=("csv", "xlsx"), default="csv", dest="fmt")
        parser.add_argument("--local-share", type=float, default=0.3, help="share of records in Jinzhong")

    def handle(self, *args, patents, trademarks, out, seed, fmt, local_share, **options):
        if patents < 0 or trademarks < 0:
            raise CommandError("--patents and --trademarks take a number of records, 0 or more")
        if not 0 <= local_share <= 1:
            raise CommandError("--local-share lies between 0 and 1")
        folder = Path(out)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CommandError(f"cannot create {folder}: {exc.strerror}") from exc
        count = synthetic.write_enterprises(folder / "enterprises.csv", synthetic.enterprises(seed))
        self.stdout.write(f"enterprises: {count} -> {folder / 'enterprises.csv'}")
        jobs = (
            ("patents", patents, synthetic.patents, synthetic.write_patent_table),
            ("trademarks", trademarks, synthetic.trademarks, synthetic.write_trademark_table),
        )
        for label, n, generate, write in jobs:
            if not n:
                continue
            path = folder / f"{label}.{fmt}"
            records = self._progress(label, n, generate(n, seed=seed, local_share=local_share))
            count = write(path, records, fmt=fmt)
            self.stdout.write(f"{label}: {count} -> {path}")

    def _progress(self, label, n, records):
        """Pass the records through, writing a progress line every twentieth of the run."""
        step = max(n // 20, 10_000)
        started = time.perf_counter()
        for index, record in enumerate(records, 1):
            yield record
            if index % step == 0 or index == n:
                rate = index / max(time.perf_counter() - started, 1e-9)
                self.stderr.write(f"{label}: {index}/{n} ({rate:,.0f} records/s)")
