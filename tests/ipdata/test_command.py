"""`zhichan import_ipdata`: the same import as the pages, run here with a progress bar."""

import io

import pytest
from django.core.management import CommandError, call_command

from zhichan.ipdata.models import ImportJob, Patent

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_ipdata", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_imports_with_a_progress_bar_and_prints_the_counts(jinzhong, fixture):
    out, err = run(fixture("patents.csv"))
    job = ImportJob.objects.get()
    assert job.kind == "patent_table" and job.created_by is None
    assert "8 rows — 5 created, 0 updated, 0 unchanged, 3 refused" in out
    assert f"/ipdata/imports/{job.pk}/errors.csv" in out
    assert "8/8" in err  # tqdm's bar
    assert Patent.objects.count() == 5
    out, _err = run(fixture("patents.csv"), "--no-progress", "--kind", "patent_table")
    assert "0 created, 0 updated, 5 unchanged, 3 refused" in out


def test_records_the_user(world, jinzhong, fixture):
    run(fixture("trademarks.csv"), "--user", "city_admin", "--no-progress")
    assert ImportJob.objects.get().created_by == world.users.city_admin
    with pytest.raises(CommandError, match="no user"):
        run(fixture("trademarks.csv"), "--user", "nobody")


def test_a_failed_import_is_an_error(jinzhong, fixture, tmp_path):
    with pytest.raises(CommandError, match="failed: A Patents, bibliographic XML"):
        run(fixture("patents.csv"), "--kind", "patent_xml", "--no-progress")
    assert ImportJob.objects.get().status == "failed"
    with pytest.raises(CommandError, match="No such file"):
        run(tmp_path / "missing.csv")
    unknown = tmp_path / "x.csv"
    unknown.write_text("姓名\n甲\n", encoding="utf-8")
    with pytest.raises(CommandError, match="give --kind"):
        run(unknown)
