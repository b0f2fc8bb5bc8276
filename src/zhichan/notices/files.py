"""Uploads: the type is read from the content (never from the name or the browser), sizes
are bounded, files are stored in the media area (MEDIA_ROOT, or its prefix in the bucket) with
random names and served only through views that check access first.

puremagic reads the magic bytes. It cannot tell the formats that share a container apart
(every ZIP looks like DOCX, XLSX, JAR … alike; every OLE file like DOC, XLS, MSI …), so
for those this module looks inside the zip or the compound file itself; and it does not
judge text, which is checked here for valid UTF-8 without control characters.
"""

from __future__ import annotations

import io
import mimetypes
import posixpath
import re
import secrets
import zipfile
from pathlib import Path

import puremagic
from django import forms
from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation, SuspiciousOperation, ValidationError
from django.http import FileResponse, Http404
from django.utils.translation import gettext_lazy as _

from zhichan.core.files import file_store

# key: (MIME type, extension, readable name)
TYPES = {
    "pdf": ("application/pdf", "pdf", _("PDF document")),
    "png": ("image/png", "png", _("PNG image")),
    "jpeg": ("image/jpeg", "jpg", _("JPEG image")),
    "gif": ("image/gif", "gif", _("GIF image")),
    "webp": ("image/webp", "webp", _("WebP image")),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
        _("Word document (DOCX)"),
    ),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
        _("Excel workbook (XLSX)"),
    ),
    "doc": ("application/msword", "doc", _("Word 97–2003 document (DOC)")),
    "xls": ("application/vnd.ms-excel", "xls", _("Excel 97–2003 workbook (XLS)")),
    "txt": ("text/plain", "txt", _("plain text")),
    "ofd": ("application/ofd", "ofd", _("OFD document")),
}
# Recognised only to name them in the refusal.
REFUSED_NAMES = {
    "exe": _("Windows program (EXE/DLL)"),
    "elf": _("Linux program (ELF)"),
    "script": _("script"),
    "html": _("web page (HTML)"),
    "zip": _("ZIP archive"),
    "ole": _("Office 97–2003 file of another kind"),
    "rar": _("RAR archive"),
    "7z": _("7-Zip archive"),
    "svg": _("SVG image"),
    "binary": _("unrecognised binary data"),
    "empty": _("empty file"),
}
DEFAULT_TYPES = tuple(TYPES)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
DOCX_MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
XLSX_MAIN = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
_ZIP_ENTRY_READ_LIMIT = 1 << 20
_TEXT_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def allowed_types() -> tuple[str, ...]:
    value = getattr(settings, "ZHICHAN_UPLOAD_TYPES", None) or DEFAULT_TYPES
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    return tuple(value)


def max_bytes() -> int:
    return int(float(getattr(settings, "ZHICHAN_UPLOAD_MAX_MB", 20)) * 1024 * 1024)


def _read_upto(uploaded_file, limit: int) -> bytes:
    # One byte past the limit is enough to know it is too big.
    uploaded_file.seek(0)
    data = uploaded_file.read(limit + 1)
    uploaded_file.seek(0)
    return data if isinstance(data, bytes) else data.encode()


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            if "OFD.xml" in names:
                return "ofd"
            if "[Content_Types].xml" in names:
                with zf.open("[Content_Types].xml") as fh:
                    types = fh.read(_ZIP_ENTRY_READ_LIMIT)
                if DOCX_MAIN in types and "word/document.xml" in names:
                    return "docx"
                if XLSX_MAIN in types and "xl/workbook.xml" in names:
                    return "xlsx"
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError):
        return "binary"
    return "zip"


def _ole_kind(data: bytes) -> str:
    # The stream names sit in the compound file's directory, in UTF-16LE.
    if "WordDocument".encode("utf-16-le") in data:
        return "doc"
    if "Workbook".encode("utf-16-le") in data or "Book\x00".encode("utf-16-le") in data:
        return "xls"
    return "ole"


def _text_kind(data: bytes) -> str:
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "binary"
    if _TEXT_CONTROL.search(body):
        return "binary"
    head = text.lstrip()[:512].lower()
    if head.startswith("<svg") or (head.startswith("<?xml") and "<svg" in head):
        return "svg"
    if head.startswith(("<!doctype html", "<html", "<script")) or "<script" in head:
        return "html"
    if head.startswith("#!"):
        return "script"
    return "txt"


# puremagic's answers (MIME type, else extension) that name one of our kinds.
_MAGIC_MIME = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpeg",
    "image/gif": "gif",
    "image/webp": "webp",
    "application/vnd.microsoft.portable-executable": "exe",
    "application/x-msdownload": "exe",
    "application/x-dosexec": "exe",
    "application/x-executable": "elf",
    "application/x-elf": "elf",
    "application/x-sharedlib": "elf",
    "application/x-rar-compressed": "rar",
    "application/vnd.rar": "rar",
    "application/x-rar": "rar",
    "application/x-7z-compressed": "7z",
    "text/html": "html",
    "image/svg+xml": "svg",
}
_MAGIC_EXTENSION = {
    ".pdf": "pdf",
    ".png": "png",
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".gif": "gif",
    ".webp": "webp",
    ".exe": "exe",
    ".dll": "exe",
    ".sys": "exe",
    ".rar": "rar",
    ".7z": "7z",
}
# Signatures puremagic matches without a type of its own, or that are containers to look into.
_ZIP_MAGIC = b"PK\x03\x04"
_ELF_MAGIC = b"\x7fELF"
# An accepted kind needs puremagic to have matched its whole signature from the first byte:
# its table also names WebP on a bare "RIFF", which every WAV and AVI file starts with.
_SIGNATURE_BYTES = {"pdf": 4, "png": 8, "jpeg": 3, "gif": 6, "webp": 12}


def _magic_matches(data: bytes) -> list:
    try:
        return list(puremagic.magic_string(data))
    except (puremagic.PureError, ValueError):  # nothing known, or empty
        return []


def _match_kind(match, data: bytes) -> str | None:
    byte_match = bytes(getattr(match, "byte_match", b"") or b"")
    offset = getattr(match, "offset", 0) or 0
    at_start = offset >= 0 and data.startswith(byte_match)
    if at_start and byte_match.startswith(_ZIP_MAGIC):
        return _zip_kind(data)
    if at_start and byte_match.startswith(OLE_MAGIC[:4]) and data.startswith(OLE_MAGIC):
        return _ole_kind(data)
    if at_start and byte_match.startswith(_ELF_MAGIC):
        return "elf"
    mime = str(getattr(match, "mime_type", "") or "").lower()
    extension = str(getattr(match, "extension", "") or "").lower()
    kind = _MAGIC_MIME.get(mime) or _MAGIC_EXTENSION.get(extension)
    if kind in TYPES and (
        offset < 0  # a trailer alone accepts nothing
        or len(byte_match) < _SIGNATURE_BYTES.get(kind, 0)
        or not data.startswith(byte_match)
    ):
        return None
    return kind


def sniff(data: bytes) -> str:
    """The kind of `data` by its content: a key of TYPES, or of REFUSED_NAMES."""
    if not data:
        return "empty"
    # Highest confidence first; the first answer that names one of our kinds decides.
    for match in _magic_matches(data):
        kind = _match_kind(match, data)
        if kind is not None:
            return kind
    return _text_kind(data)


def type_name(kind: str) -> str:
    if kind in TYPES:
        return str(TYPES[kind][2])
    return str(REFUSED_NAMES.get(kind, REFUSED_NAMES["binary"]))


def _size(uploaded_file) -> int | None:
    size = getattr(uploaded_file, "size", None)
    return int(size) if size is not None else None


def check_upload(uploaded_file, *, kinds=None, limit: int | None = None) -> tuple[str, int]:
    """(MIME type, size in bytes) of an acceptable upload; ValidationError({"file": …}) otherwise.

    `kinds` narrows the accepted kinds (keys of TYPES) below the configured ones, `limit` the
    size in bytes below ZHICHAN_UPLOAD_MAX_MB.
    """
    limit = max_bytes() if limit is None else min(limit, max_bytes())
    size = _size(uploaded_file)
    if size is not None and size > limit:
        raise _too_big(size, limit)
    data = _read_upto(uploaded_file, limit)
    if len(data) > limit:
        raise _too_big(size if size is not None else len(data), limit)
    kind = sniff(data)
    allowed = allowed_types()
    if kinds is not None:
        allowed = tuple(k for k in allowed if k in kinds)
    if kind not in TYPES or kind not in allowed:
        accepted = ", ".join(str(TYPES[k][1]).upper() for k in allowed if k in TYPES)
        raise ValidationError(
            {
                "file": [
                    _(
                        "This file's content is a %(found)s, which is not accepted"
                        " (whatever its name says). Accepted: %(accepted)s."
                    )
                    % {"found": type_name(kind), "accepted": accepted}
                ]
            }
        )
    return TYPES[kind][0], len(data)


def check_uploads(files, field: str = "files") -> list[tuple]:
    """check_upload() for each file: [(file, content type, size)], or a ValidationError at
    `field` naming the file refused."""
    checked = []
    for uploaded in files or []:
        try:
            content_type, size = check_upload(uploaded)
        except ValidationError as exc:
            name = getattr(uploaded, "name", "") or "file"
            raise ValidationError(
                {field: [f"{name}: {m}" for m in exc.message_dict.get("file", exc.messages)]}
            ) from exc
        checked.append((uploaded, content_type, size))
    return checked


def _too_big(size: int, limit: int) -> ValidationError:
    return ValidationError(
        {
            "file": [
                _("The file is %(size).1f MB; the limit is %(limit).0f MB.")
                % {"size": size / 1048576, "limit": limit / 1048576}
            ]
        }
    )


def private_storage():
    # The media area without a public address; tracked, so a rollback removes its files.
    return file_store("MEDIA_ROOT")


_FOLDER_PART = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _clean_folder(folder: str) -> str:
    text = str(folder).replace("\\", "/")
    parts = [p for p in text.split("/") if p]
    if text.startswith("/") or not parts or not all(_FOLDER_PART.fullmatch(p) for p in parts):
        raise ValueError(f"not a safe upload folder: {folder!r}")
    return "/".join(parts)


def extension_for(content_type: str) -> str:
    for mime, ext, _name in TYPES.values():
        if mime == content_type:
            return ext
    return (mimetypes.guess_extension(content_type) or ".bin").lstrip(".")


def store_upload(uploaded_file, folder: str, *, content_type: str | None = None) -> str:
    """Save in the media area under <folder>/ with a random name; returns the stored name.

    The extension comes from the checked content type (check_upload's answer, or sniffed
    again when not given), never from the uploader's file name.
    """
    folder = _clean_folder(folder)
    if content_type is None:
        content_type, _size_ = check_upload(uploaded_file)
    name = f"{folder}/{secrets.token_urlsafe(24)}.{extension_for(content_type)}"
    uploaded_file.seek(0)
    return private_storage().save(name, uploaded_file)


def _open_private(path: str):
    """The stored upload opened through the storage (a folder or a bucket); 404 when the name
    leaves the media area or names no file."""
    normal = posixpath.normpath("/" + str(path).replace("\\", "/")).lstrip("/")
    if not normal or normal == ".":
        raise Http404
    storage = private_storage()
    try:
        local = Path(storage.path(normal)).resolve()
    except NotImplementedError:
        local = None
    except SuspiciousFileOperation as exc:
        raise Http404 from exc
    if local is not None and Path(storage.location).resolve() not in local.parents:
        raise Http404  # a link out of the folder
    try:
        return storage.open(normal, "rb"), normal
    except (FileNotFoundError, IsADirectoryError, SuspiciousOperation) as exc:
        raise Http404 from exc


def serve_private(path: str, download_name: str, *, content_type: str | None = None) -> FileResponse:
    """A stored upload as a download. Call only after checking the user may see its record."""
    handle, name = _open_private(path)
    if content_type is None:
        content_type = TYPES.get(sniff(handle.read()), ("application/octet-stream",))[0]
        handle.seek(0)
    filename = download_name or posixpath.basename(name)
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


class CheckedFileField(forms.FileField):
    """A form field that runs check_upload; the cleaned file carries `.checked_content_type`.

    The refusal appears at the field like any other form error.
    """

    def clean(self, data, initial=None):
        uploaded = super().clean(data, initial)
        if uploaded and uploaded is not initial:
            try:
                content_type, _size = check_upload(uploaded)
            except ValidationError as exc:
                raise ValidationError(exc.message_dict["file"]) from exc
            uploaded.checked_content_type = content_type
        return uploaded
