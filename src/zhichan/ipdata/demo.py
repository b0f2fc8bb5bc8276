"""Demo patent and trademark records: generated (ipdata.synthetic), written as the Chinese exports
are, and imported through the same path as an administrator's file.

The bundle's city.yaml asks for them with `synthetic_ipdata: {seed, patents, trademarks}`.
Running the demo again adds nothing: once records exist, this step is passed over.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.db import transaction

from zhichan.enterprises.models import Enterprise
from zhichan.enterprises.names import normalize_name
from zhichan.ipdata import services, synthetic
from zhichan.ipdata.models import ImportKind, Patent, Trademark
from zhichan.regions.models import Region


def register_enterprises(seed: int) -> int:
    """The generator's local organisations as the enterprise registry (matched on their codes)."""
    rows = synthetic.enterprises(seed=seed)
    regions = dict(Region.objects.filter(code__in={r["region_code"] for r in rows}).values_list("code", "pk"))
    known = set(Enterprise.objects.filter(uscc__in=[r["uscc"] for r in rows]).values_list("uscc", flat=True))
    new = [
        Enterprise(
            name=row["name"][:200],
            normalized_name=normalize_name(row["name"])[:200],
            uscc=row["uscc"],
            region_id=regions.get(row["region_code"]),
            address=row["address"][:300],
            industry=row["industry"][:100],
        )
        for row in rows
        if row["uscc"] not in known
    ]
    with transaction.atomic():
        Enterprise.objects.bulk_create(new, batch_size=500)
    return len(new)


def import_synthetic(seed: int = 0, patents: int = 3000, trademarks: int = 2000, log=print) -> list:
    """Generate and import the records; returns the import jobs (none when records exist already)."""
    if Patent.objects.exists() or Trademark.objects.exists():
        log("patent and trademark records exist already")
        return []
    log(f"enterprises: {register_enterprises(seed)} registered")
    jobs = []
    with tempfile.TemporaryDirectory(prefix="zhichan-demo-") as folder:
        patent_file = Path(folder) / "专利检索导出.csv"
        mark_file = Path(folder) / "商标数据.xlsx"
        synthetic.write_patent_table(patent_file, synthetic.patents(patents, seed=seed), "csv")
        synthetic.write_trademark_table(mark_file, synthetic.trademarks(trademarks, seed=seed), "xlsx")
        for kind, path in ((ImportKind.PATENT_TABLE, patent_file), (ImportKind.TRADEMARK_TABLE, mark_file)):
            job = services.do_import_file(None, kind, path)
            log(
                f"{job.original_name}: {job.created_count} created, {job.unchanged_count} unchanged, "
                f"{job.error_count} refused"
            )
            jobs.append(job)
    return jobs
