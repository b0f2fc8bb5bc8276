"""A step that fails after storing a file leaves no file; the worker's sweep removes orphans."""

import os
import time

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from zhichan.cases import services, tasks
from zhichan.cases.models import CaseAttachment, CaseEvent, Status

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%%EOF\n"


class Boom(Exception):
    pass


def stored_files():
    root = settings.ZHICHAN_CASE_FILES_ROOT
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def fail_after_attaching(monkeypatch):
    real = services._attach

    def attach_then_fail(*args, **kwargs):
        real(*args, **kwargs)
        assert stored_files(), "the file was stored before the failure"
        raise Boom

    monkeypatch.setattr(services, "_attach", attach_then_fail)


def test_a_failed_reply_leaves_no_file_and_no_row(world, case_a, monkeypatch):
    services.do_accept(world.users.staff_a, case_a)
    fail_after_attaching(monkeypatch)
    with pytest.raises(Boom):
        services.do_reply(world.users.staff_a, case_a, "答复", files=[SimpleUploadedFile("答复.pdf", PDF)])
    assert stored_files() == []
    assert not CaseAttachment.objects.exists()
    case_a.refresh_from_db()
    assert case_a.status == Status.ACCEPTED


def test_a_failed_supplement_leaves_no_file(world, case_a, monkeypatch):
    services.do_request_supplement(world.users.staff_a, case_a, "请补充")
    fail_after_attaching(monkeypatch)
    with pytest.raises(Boom):
        services.do_add_supplement(
            None, case_a, "见附件", token=case_a.tracking_token, files=[SimpleUploadedFile("a.pdf", PDF)]
        )
    assert stored_files() == []
    assert not CaseEvent.objects.filter(case=case_a, kind="supplement").exists()


def test_a_failing_second_row_takes_the_first_file_with_it(world, case_a, monkeypatch):
    real_create = CaseAttachment.objects.create
    calls = []

    def create(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            raise Boom  # the first file and row exist; the second row fails
        return real_create(**kwargs)

    monkeypatch.setattr(CaseAttachment.objects, "create", create)
    files = [SimpleUploadedFile("1.pdf", PDF), SimpleUploadedFile("2.pdf", PDF)]
    with pytest.raises(Boom):
        services.do_attach(world.users.staff_a, case_a, files)
    assert len(calls) == 2
    assert stored_files() == []
    assert not CaseAttachment.objects.exists()


def test_a_successful_attach_keeps_its_files(world, case_a):
    done = services.do_attach(world.users.staff_a, case_a, [SimpleUploadedFile("1.pdf", PDF)])
    assert stored_files() == [done[0].file.name]


def _age(path, seconds):
    moment = time.time() - seconds
    os.utime(path, (moment, moment))


def test_the_sweep_removes_an_old_orphan_and_keeps_referenced_and_recent_files(world, case_a):
    kept = services.do_attach(world.users.staff_a, case_a, [SimpleUploadedFile("1.pdf", PDF)])[0]
    root = settings.ZHICHAN_CASE_FILES_ROOT
    orphan = root / str(case_a.pk) / "orphan.pdf"
    orphan.write_bytes(PDF)
    recent = root / str(case_a.pk) / "recent.pdf"
    recent.write_bytes(PDF)
    for path in (orphan, root / kept.file.name):
        _age(path, 2 * 86400)
    assert tasks.remove_orphan_files() == 1
    assert stored_files() == sorted([kept.file.name, f"{case_a.pk}/recent.pdf"])
    assert tasks.remove_orphan_files() == 0  # twice: nothing more
    assert tasks.orphan_files.call_local() == 0  # the worker's periodic task runs the same sweep
    kept.refresh_from_db()
    assert kept.file.read() == PDF
