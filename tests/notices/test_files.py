"""Uploads: type from the content, size limit, private storage, downloads with safe headers."""

import importlib
import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import Resolver404, clear_url_caches, resolve

from zhichan.notices.files import check_upload, serve_private, sniff, store_upload

DOCX_TYPES = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    b'wordprocessingml.document.main+xml"/></Types>'
)
XLSX_TYPES = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    b'spreadsheetml.sheet.main+xml"/></Types>'
)


def zipped(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def png() -> bytes:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


def ole(stream_name: str) -> bytes:
    # A compound file header, then a directory entry naming the main stream in UTF-16LE.
    head = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    return head + "Root Entry".encode("utf-16-le").ljust(64, b"\x00") + stream_name.encode("utf-16-le")


SAMPLES = {
    "application/pdf": b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n",
    "image/png": png(),
    "image/jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01" + b"\x00" * 64 + b"\xff\xd9",
    "image/gif": b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
    "image/webp": b"RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00" + b"\x00" * 24,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": zipped(
        {"[Content_Types].xml": DOCX_TYPES, "word/document.xml": b"<w:document/>"}
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": zipped(
        {"[Content_Types].xml": XLSX_TYPES, "xl/workbook.xml": b"<workbook/>"}
    ),
    "application/msword": ole("WordDocument"),
    "application/vnd.ms-excel": ole("Workbook"),
    "text/plain": "申请人：张三\n联系电话：13800138000\n\t事由：展会侵权投诉\n".encode(),
    "application/ofd": zipped({"OFD.xml": b"<ofd:OFD/>", "Doc_0/Document.xml": b"<ofd:Document/>"}),
}


def upload(data: bytes, name="file.bin", content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.mark.parametrize("mime", sorted(SAMPLES))
def test_each_accepted_type_is_recognised_by_content(mime):
    data = SAMPLES[mime]
    # The name and the browser's claim say nothing true; the content decides.
    assert check_upload(upload(data, "upload.dat", "application/x-whatever")) == (mime, len(data))


def test_text_with_a_byte_order_mark_is_text():
    assert check_upload(upload(b"\xef\xbb\xbfhello"))[0] == "text/plain"


def test_the_file_can_be_read_again_after_the_check():
    f = upload(SAMPLES["application/pdf"])
    check_upload(f)
    assert f.read() == SAMPLES["application/pdf"]


REFUSED = {
    "exe renamed .pdf": (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 100, "Windows program"),
    "ELF program": (b"\x7fELF\x02\x01\x01" + b"\x00" * 50, "Linux program"),
    "plain zip": (zipped({"a.txt": b"hello"}), "ZIP archive"),
    "zip posing as docx": (zipped({"[Content_Types].xml": DOCX_TYPES}), "ZIP archive"),
    "html page": (b"<!DOCTYPE html><html><script>alert(1)</script></html>", "web page"),
    "svg image": (b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "SVG image"),
    "shell script": (b"#!/bin/sh\nrm -rf /\n", "script"),
    "binary noise": (bytes(range(256)) * 4, "unrecognised binary data"),
    "latin-1 text": ("caf\xe9".encode("latin-1"), "unrecognised binary data"),
    "other OLE file": (ole("PowerPoint Document"), "Office 97–2003 file of another kind"),
    "empty": (b"", "empty file"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_refused_contents_name_what_was_found(case, english):
    data, found = REFUSED[case]
    with pytest.raises(ValidationError) as exc:
        check_upload(upload(data, "scan.pdf", "application/pdf"))
    [message] = exc.value.message_dict["file"]
    assert found in message
    assert "not accepted" in message and "PDF" in message


def test_a_type_left_out_of_the_setting_is_refused(settings, english):
    settings.ZHICHAN_UPLOAD_TYPES = ["pdf", "jpeg"]
    assert check_upload(upload(SAMPLES["application/pdf"]))[0] == "application/pdf"
    with pytest.raises(ValidationError) as exc:
        check_upload(upload(SAMPLES["image/png"], "photo.png", "image/png"))
    [message] = exc.value.message_dict["file"]
    assert "PNG image" in message and "Accepted: PDF, JPG." in message


def test_an_oversized_file_is_refused_with_its_size(settings, english):
    settings.ZHICHAN_UPLOAD_MAX_MB = 1
    data = b"%PDF-1.7\n" + b"0" * (3 * 1024 * 1024 // 2)
    with pytest.raises(ValidationError) as exc:
        check_upload(upload(data))
    assert exc.value.message_dict["file"] == ["The file is 1.5 MB; the limit is 1 MB."]
    at_limit = b"%PDF-1.7\n" + b"0" * (1024 * 1024 - 9)
    assert check_upload(upload(at_limit)) == ("application/pdf", 1024 * 1024)


def test_default_limit_is_20_mb():
    assert django_settings.ZHICHAN_UPLOAD_MAX_MB == 20


def test_sniff_keeps_docx_and_xlsx_apart():
    docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert sniff(SAMPLES[docx]) == "docx"
    assert sniff(SAMPLES[xlsx]) == "xlsx"
    assert sniff(SAMPLES["application/msword"]) == "doc"
    assert sniff(SAMPLES["application/vnd.ms-excel"]) == "xls"
    assert sniff(b"PK\x03\x04 broken zip") == "binary"


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        # puremagic's table names WebP on a bare RIFF header; WAV and AVI are not WebP.
        (b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 40, "binary"),
        (b"RIFF\x24\x00\x00\x00AVI LIST" + b"\x00" * 40, "binary"),
        # A full DOS header also matches a longer signature of another program's data file.
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 100, "exe"),
        # Text that starts as an HTML comment, or ends as an SVG image, is treated as such.
        (b"<!-- note -->\nhello", "html"),
        (b"plain words then </svg>", "svg"),
        # A trailer alone makes nothing a PDF.
        (b"hello\n%%EOF\n", "txt"),
        (b'{"a": 1}', "txt"),
    ],
)
def test_sniff_edge_cases(data, kind):
    assert sniff(data) == kind


def test_magic_bytes_come_from_puremagic(monkeypatch):
    import puremagic

    from zhichan.notices import files

    assert sniff(SAMPLES["application/pdf"]) == "pdf"

    def nothing_known(data, filename=None):
        raise puremagic.PureError("Could not identify file")

    monkeypatch.setattr(files.puremagic, "magic_string", nothing_known)
    # Without puremagic's answer the same bytes are only ASCII text (and a PNG unrecognised data).
    assert sniff(SAMPLES["application/pdf"]) == "txt"
    assert sniff(SAMPLES["image/png"]) == "binary"


# Storage and download ---------------------------------------------------------------------


def test_store_upload_saves_outside_the_web_root_with_a_random_name(media):
    data = SAMPLES["application/pdf"]
    first = store_upload(upload(data, "我的申请.pdf"), "cases/attachments")
    second = store_upload(upload(data, "我的申请.pdf"), "cases/attachments")
    assert first != second
    for rel in (first, second):
        assert rel.startswith("cases/attachments/") and rel.endswith(".pdf")
        assert "申请" not in rel
        assert len(Path(rel).stem) >= 32  # 24 random bytes, URL-safe
        full = (Path(media) / rel).resolve()
        assert full.read_bytes() == data
        for public in (django_settings.STATIC_ROOT, *django_settings.STATICFILES_DIRS):
            assert Path(public).resolve() not in full.parents


def test_the_stored_extension_follows_the_content_not_the_name(media):
    rel = store_upload(upload(SAMPLES["image/png"], "evil.html"), "x")
    assert rel.endswith(".png")
    rel = store_upload(upload(SAMPLES["text/plain"], "notes.exe"), "x", content_type="text/plain")
    assert rel.endswith(".txt")


def test_store_upload_checks_the_file_when_not_told_its_type(media, english):
    with pytest.raises(ValidationError):
        store_upload(upload(REFUSED["exe renamed .pdf"][0], "scan.pdf"), "x")
    assert not Path(media).exists() or not any(Path(media).rglob("*.*"))


@pytest.mark.parametrize("folder", ["../outside", "/etc", "a/../../b", "", "a b", "cases/./x"])
def test_unsafe_folders_are_refused(media, folder):
    with pytest.raises(ValueError):
        store_upload(upload(SAMPLES["application/pdf"]), folder)


def test_serve_private_sends_an_attachment_that_is_not_sniffed(media):
    rel = store_upload(upload(SAMPLES["application/pdf"]), "cases")
    response = serve_private(rel, "答复意见.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E7%AD%94%E5%A4%8D%E6%84%8F%E8%A7%81.pdf" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == SAMPLES["application/pdf"]
    response.file_to_stream.close()


@pytest.mark.parametrize("path", ["../secret.txt", "/etc/passwd", "cases/missing.pdf", "", "cases"])
def test_serve_private_answers_404_outside_media_or_for_missing_files(media, tmp_path, path):
    (tmp_path / "secret.txt").write_text("secret")
    Path(media, "cases").mkdir(parents=True, exist_ok=True)
    with pytest.raises(Http404):
        serve_private(path, "x.txt")


def test_media_files_have_no_public_address_even_in_debug(media, settings):
    import zhichan.urls

    rel = store_upload(upload(SAMPLES["application/pdf"]), "cases")
    settings.DEBUG = True
    try:
        importlib.reload(zhichan.urls)  # the URL list as a DEBUG start-up builds it
        with pytest.raises(Resolver404):
            resolve(f"{settings.MEDIA_URL}{rel}", urlconf=zhichan.urls)
    finally:
        settings.DEBUG = False
        importlib.reload(zhichan.urls)
        clear_url_caches()


def test_checked_file_field_shows_the_refusal_at_the_field():
    from django import forms

    from zhichan.notices.files import CheckedFileField

    class AttachForm(forms.Form):
        file = CheckedFileField()

    good = AttachForm(files={"file": upload(SAMPLES["image/png"], "photo.png")})
    assert good.is_valid()
    assert good.cleaned_data["file"].checked_content_type == "image/png"

    bad = AttachForm(files={"file": upload(REFUSED["exe renamed .pdf"][0], "scan.pdf")})
    assert not bad.is_valid()
    [message] = bad.errors["file"]
    assert "Windows program" in message

    empty = AttachForm(files={})
    assert not empty.is_valid() and empty.errors["file"] == ["This field is required."]
