"""ZHICHAN_FILE_STORE=s3: every file area in a bucket of a real S3-compatible server on loopback.

The same code paths as on disk: a rolled-back block leaves no object, the sweep lists, dates and
deletes through the storage API, private uploads are streamed by the app, never linked to.
"""

import time

import pytest
import requests
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from zhichan.core.files import atomic_with_files, file_store, local_copy, stored_names, sweep_orphans
from zhichan.core.s3 import TrackedS3Storage

PDF = b"%PDF-1.4\n%%EOF\n"


class Boom(Exception):
    pass


def keys(bucket) -> list[str]:
    return sorted(o.key for o in bucket.objects.all())


def test_every_area_switches_together_with_private_objects_under_the_prefix(s3_store, settings):
    from zhichan.cases.models import case_files
    from zhichan.custody.models import custody_files
    from zhichan.notices.files import private_storage

    stores = {
        "media": default_storage,
        "private": private_storage(),
        "case": case_files,
        "custody": custody_files,
    }
    for label, storage in stores.items():
        storage.save(f"{label}/a.pdf", ContentFile(PDF))
        assert isinstance(getattr(storage, "_wrapped", storage), TrackedS3Storage)
    assert keys(s3_store) == [
        "zhichan/case-files/case/a.pdf",
        "zhichan/custody-files/custody/a.pdf",
        "zhichan/media/media/a.pdf",
        "zhichan/media/private/a.pdf",
    ]
    for obj in s3_store.objects.all():
        grants = obj.Acl().grants
        assert not [g for g in grants if g["Grantee"].get("URI", "").endswith("/AllUsers")]
    # No signed link is ever made: the address alone does not open a private object.
    url = case_files.url("case/a.pdf")
    assert "Signature" not in url and "X-Amz-" not in url
    # A name in use is never overwritten: the second file gets a name of its own.
    again = case_files.save("case/a.pdf", ContentFile(b"other"))
    assert again != "case/a.pdf" and case_files.open("case/a.pdf").read() == PDF


def test_a_rolled_back_block_leaves_no_object_and_a_committed_one_keeps_it(s3_store, db):
    storage = file_store("ZHICHAN_CASE_FILES_ROOT")
    with pytest.raises(Boom), atomic_with_files():
        storage.save("1/gone.pdf", ContentFile(PDF))
        assert keys(s3_store) == ["zhichan/case-files/1/gone.pdf"]
        raise Boom
    assert keys(s3_store) == []
    with atomic_with_files():
        kept = storage.save("1/kept.pdf", ContentFile(PDF))
    assert keys(s3_store) == [f"zhichan/case-files/{kept}"]


def test_the_sweep_lists_dates_and_deletes_through_the_storage_api(s3_store):
    storage = file_store("ZHICHAN_CASE_FILES_ROOT")
    for name in ("1/kept.pdf", "1/orphan.pdf", "2/deep/orphan.pdf"):
        storage.save(name, ContentFile(PDF))
    assert list(stored_names(storage)) == ["1/kept.pdf", "1/orphan.pdf", "2/deep/orphan.pdf"]
    seen = []

    def referenced(names):
        seen.extend(names)
        return {"1/kept.pdf"} & set(names)

    # Fresh objects stay: a row may be about to name them.
    assert sweep_orphans(storage, referenced, older_than=86400) == 0
    later = time.time() + 2 * 86400
    assert sweep_orphans(storage, referenced, older_than=86400, now=later) == 2
    assert keys(s3_store) == ["zhichan/case-files/1/kept.pdf"]
    assert sweep_orphans(storage, referenced, older_than=86400, now=later) == 0
    assert "1/kept.pdf" in seen


def test_private_uploads_are_streamed_from_the_bucket_and_nothing_leaves_the_area(
    s3_store, tmp_path, settings
):
    from zhichan.notices.files import serve_private, store_upload

    settings.MEDIA_ROOT = tmp_path / "media"
    name = store_upload(SimpleUploadedFile("x.pdf", PDF), "evidence")
    assert keys(s3_store) == [f"zhichan/media/{name}"]
    assert not settings.MEDIA_ROOT.exists()  # nothing on local disk
    response = serve_private(name, "证据.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content) == PDF
    # The store's own address answers nobody without the keys.
    direct = f"{settings.ZHICHAN_S3_ENDPOINT_URL}/{s3_store.name}/zhichan/media/{name}"
    assert requests.get(direct, timeout=10).status_code == 403
    file_store("ZHICHAN_CASE_FILES_ROOT").save("secret.pdf", ContentFile(PDF))
    for path in ("../case-files/secret.pdf", "evidence/missing.pdf", "", "evidence"):
        with pytest.raises(Http404):
            serve_private(path, "x.pdf")


def test_code_that_reads_by_path_gets_a_local_copy(s3_store):
    storage = file_store("MEDIA_ROOT")
    storage.save("imports/a.csv", ContentFile(b"a,b\n1,2\n"))
    with local_copy(storage, "imports/a.csv") as path:
        assert path.suffix == ".csv" and path.read_bytes() == b"a,b\n1,2\n"
    assert not path.exists()
    with pytest.raises(FileNotFoundError), local_copy(storage, "imports/missing.csv"):
        pass
