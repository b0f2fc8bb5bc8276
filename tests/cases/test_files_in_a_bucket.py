"""Case attachments with ZHICHAN_FILE_STORE=s3: uploaded through the pages into the bucket,
downloaded only through the access-checked views, swept when orphaned."""

import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from zhichan.cases import services, tasks
from zhichan.cases.models import CaseAttachment, case_files

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%%EOF\n"


def keys(bucket) -> list[str]:
    return sorted(o.key for o in bucket.objects.all())


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_attachments_go_to_the_bucket_through_the_pages_and_come_back_through_the_checked_views(
    client, world, case_a, s3_store, settings
):
    staff = world.users.staff_a
    services.do_accept(staff, case_a)
    services.do_request_supplement(staff, case_a, "请上传商标注册证")
    # The requester's page.
    sent = client.post(
        case_a.tracking_path,
        {"action": "supplement", "text": "见附件", "files": SimpleUploadedFile("证书.pdf", PDF)},
    )
    assert sent.status_code == 302
    theirs = CaseAttachment.objects.get(case=case_a)
    # The staff page.
    client.force_login(staff)
    replied = client.post(
        f"/cases/{case_a.pk}/",
        {"action": "reply", "message": "已处理", "files": SimpleUploadedFile("答复.pdf", PDF + b"reply")},
    )
    assert replied.status_code == 302
    ours = CaseAttachment.objects.exclude(pk=theirs.pk).get(case=case_a)
    assert keys(s3_store) == sorted(f"zhichan/case-files/{a.file.name}" for a in (theirs, ours))
    assert not settings.ZHICHAN_CASE_FILES_ROOT.exists()  # nothing written to local disk
    # Downloads: staff of the case, the requester by token; others are not told it exists.
    staff_url = f"/api/v1/cases/{case_a.pk}/attachments/{ours.pk}"
    download = client.get(staff_url)
    assert download.status_code == 200 and body(download) == PDF + b"reply"
    assert download["Content-Disposition"].startswith("attachment;")
    track_url = f"/api/v1/cases/track/{case_a.tracking_token}/attachments/{theirs.pk}"
    assert body(Client().get(track_url)) == PDF
    other = Client()
    other.force_login(world.users.staff_b)
    assert other.get(staff_url).status_code == 404
    assert Client().get(staff_url).status_code == 404
    # A row whose object is gone answers 404, not an error.
    s3_store.Object(f"zhichan/case-files/{ours.file.name}").delete()
    assert client.get(staff_url).status_code == 404


def test_a_failed_attach_leaves_no_object_and_the_sweep_removes_old_orphans(
    world, case_a, s3_store, monkeypatch
):
    class Boom(Exception):
        pass

    real = services._attach

    def attach_then_fail(*args, **kwargs):
        real(*args, **kwargs)
        assert keys(s3_store), "the object was stored before the failure"
        raise Boom

    monkeypatch.setattr(services, "_attach", attach_then_fail)
    with pytest.raises(Boom):
        services.do_attach(world.users.staff_a, case_a, [SimpleUploadedFile("1.pdf", PDF)])
    assert keys(s3_store) == [] and not CaseAttachment.objects.exists()
    monkeypatch.undo()

    kept = services.do_attach(world.users.staff_a, case_a, [SimpleUploadedFile("1.pdf", PDF)])[0]
    case_files.save(f"{case_a.pk}/orphan.pdf", ContentFile(PDF))  # as if a crash came before the row
    assert tasks.remove_orphan_files() == 0  # too recent to judge
    assert tasks.remove_orphan_files(now=time.time() + 2 * 86400) == 1
    assert keys(s3_store) == [f"zhichan/case-files/{kept.file.name}"]
    kept.refresh_from_db()
    assert kept.file.read() == PDF
