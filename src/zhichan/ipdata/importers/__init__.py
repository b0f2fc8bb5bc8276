"""Importers of patent and trademark records: which reader and which checks for each kind of file.

    reader = open_reader(kind, path)      # .rows() yields (row number, {field: raw value})
    spec = SPECS[kind]                    # the model, its key field, the row checks

`detect_format` and `guess_kind` read only the start of a file.
"""

from __future__ import annotations

import codecs
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from zhichan.ipdata.importers import mapping, records
from zhichan.ipdata.importers.tables import FileProblem, first_rows, table_reader
from zhichan.ipdata.importers.xml import XmlReader
from zhichan.ipdata.models import ImportKind, Patent, Trademark

HEAD_BYTES = 64 * 1024
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
FORMATS = {"csv": "csv", "xlsx": "xlsx", "xml": "xml"}  # format -> stored file extension
KIND_FORMATS = {
    ImportKind.PATENT_TABLE: ("csv", "xlsx"),
    ImportKind.PATENT_XML: ("xml",),
    ImportKind.TRADEMARK_TABLE: ("csv", "xlsx"),
}


@dataclass(frozen=True)
class Spec:
    model: type
    key: str  # the number records are matched on
    convert: object  # values -> record dict, or records.RowRefused
    required: tuple[str, ...]  # columns a table must have


SPECS = {
    ImportKind.PATENT_TABLE: Spec(
        Patent, "application_number", records.patent_record, ("application_number",)
    ),
    ImportKind.PATENT_XML: Spec(Patent, "application_number", records.patent_record, ()),
    ImportKind.TRADEMARK_TABLE: Spec(
        Trademark, "registration_number", records.trademark_record, ("registration_number", "nice_class")
    ),
}


def field_label(kind: str, field: str) -> str:
    """The canonical header of a field, for the error report when the file has no header (XML)."""
    table = mapping.TRADEMARK_HEADERS if kind == ImportKind.TRADEMARK_TABLE else mapping.PATENT_HEADERS
    return table.get(field, (field,))[0]


class UnknownFormat(Exception):
    """The content is none of CSV, XLSX or XML; str() says what it seems to be."""


def _is_text(head: bytes) -> bool:
    body = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
    if b"\x00" in body:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(body, final=False)
            return True
        except UnicodeDecodeError:
            continue
    return False


def detect_format(fileobj) -> str:
    """ "csv", "xlsx" or "xml" from the content of a seekable binary file; UnknownFormat otherwise."""
    fileobj.seek(0)
    head = fileobj.read(HEAD_BYTES)
    fileobj.seek(0)
    if isinstance(head, str):
        head = head.encode()
    if not head:
        raise UnknownFormat(pgettext("the file is ...", "empty"))
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(fileobj) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError, RuntimeError) as exc:
            raise UnknownFormat(_("a damaged ZIP or XLSX file")) from exc
        finally:
            fileobj.seek(0)
        if "xl/workbook.xml" in names:
            return "xlsx"
        raise UnknownFormat(_("a ZIP archive, not an XLSX workbook"))
    if head.startswith(OLE_MAGIC):
        raise UnknownFormat(_("an Excel 97–2003 (XLS) file; save it as XLSX or CSV"))
    if not _is_text(head):
        raise UnknownFormat(_("binary data, not a table or XML"))
    body = head.lstrip(b"\xef\xbb\xbf").lstrip().lower()
    if body.startswith(b"<"):
        if (
            body.startswith((b"<!doctype html", b"<html"))
            or b"<svg" in body[:512]
            or b"<script" in body[:512]
        ):
            raise UnknownFormat(_("a web page, not XML records"))
        return "xml"
    return "csv"


def detect_path_format(path) -> str:
    with open(path, "rb") as fh:
        return detect_format(fh)


def guess_kind(path) -> str | None:
    """The import kind of a file: XML is patents; a table by its headers."""
    try:
        found = detect_path_format(path)
    except UnknownFormat:
        return None
    if found == "xml":
        return ImportKind.PATENT_XML
    trademark_only = {mapping.normalize_header(h) for h in mapping.TRADEMARK_ONLY}
    for row in first_rows(path):
        headers = {mapping.normalize_header(cell) for cell in row}
        if headers & trademark_only and len(mapping.map_headers(row, mapping.TRADEMARK_INDEX)) >= 2:
            return ImportKind.TRADEMARK_TABLE
        if "application_number" in mapping.map_headers(row, mapping.PATENT_INDEX).values():
            return ImportKind.PATENT_TABLE
    return None


def open_reader(kind: str, path):
    """The reader for `kind`; FileProblem when the file's format does not fit the kind."""
    try:
        found = detect_path_format(path)
    except UnknownFormat as exc:
        raise FileProblem(_("The file is %(what)s.") % {"what": exc}) from exc
    if found not in KIND_FORMATS[kind]:
        raise FileProblem(
            _("A %(kind)s import needs a %(formats)s file; this one is %(found)s.")
            % {
                "kind": ImportKind(kind).label,
                "formats": " / ".join(f.upper() for f in KIND_FORMATS[kind]),
                "found": found.upper(),
            }
        )
    if kind == ImportKind.PATENT_XML:
        return XmlReader(path)
    index = mapping.TRADEMARK_INDEX if kind == ImportKind.TRADEMARK_TABLE else mapping.PATENT_INDEX
    return table_reader(Path(path), index)


__all__ = ["SPECS", "FileProblem", "UnknownFormat", "detect_format", "guess_kind", "open_reader"]
