"""Streaming readers of CSV and XLSX tables: one row at a time, never the whole file.

A reader finds the header row (an export may put title lines above it), maps the known headers
to fields through the tables in `mapping`, and yields `(row_number, {field: raw value})` with
row numbers as a spreadsheet shows them. Rows with nothing in them are passed over.
"""

from __future__ import annotations

import codecs
import csv
import io
import sys
from collections.abc import Iterator
from pathlib import Path

from django.utils.translation import gettext as _

from zhichan.ipdata.importers import mapping
from zhichan.ipdata.importers.mapping import HEADER_SEARCH_ROWS, map_headers, normalize_header

ENCODING_SAMPLE = 1 << 20  # bytes read to tell UTF-8 from GB18030
XLSX_MAGIC = b"PK\x03\x04"

# Abstracts and claims can be long; the csv module's default cell limit (128 KiB) is not enough.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


class FileProblem(Exception):
    """The file as a whole cannot be imported (unreadable, no header row): the job fails with this."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self):
        return str(self.message)


def detect_encoding(path: Path) -> str:
    """utf-8-sig when the file starts with a BOM, utf-8 when the start decodes as UTF-8, else GB18030."""
    with open(path, "rb") as fh:
        sample = fh.read(ENCODING_SAMPLE)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        # Incremental, so a character cut at the end of the sample is not taken for an error.
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


DELIMITERS = (",", "\t", ";")


def _delimiter(fh, index: dict[str, str] | None = None) -> str:
    """The delimiter under which one of the first lines reads as a header row (comma by default)."""
    head = "".join(fh.readline() for _ in range(HEADER_SEARCH_ROWS))
    fh.seek(0)
    for delimiter in DELIMITERS:
        for row in csv.reader(io.StringIO(head), delimiter=delimiter):
            if index is not None and len(map_headers(row, index)) >= 2:
                return delimiter
            if index is None and len(row) >= 2:
                return delimiter
    return ","


def _is_blank(values) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


class TableReader:
    """Common part of the CSV and XLSX readers.

    `columns` maps each recognised field to the header as written in the file (for the error
    report); `unknown` lists the headers that were not recognised.
    """

    def __init__(self, path, index: dict[str, str]):
        self.path = Path(path)
        self.index = index
        self.columns: dict[str, str] = {}
        self.unknown: list[str] = []
        self._positions: dict[int, str] = {}
        self.header_row = 0  # 1-based

    def _take_header(self, row_number: int, headers) -> bool:
        positions = map_headers(headers, self.index)
        if len(positions) < 2:
            return False
        self._positions = positions
        self.header_row = row_number
        self.columns = {field: str(headers[pos]).strip().lstrip("\ufeff") for pos, field in positions.items()}
        self.unknown = [
            str(h).strip() for i, h in enumerate(headers) if i not in positions and normalize_header(h)
        ]
        return True

    def _no_header(self) -> FileProblem:
        return FileProblem(
            _(
                "No header row found in the first %(n)d rows: "
                "the table needs known column names such as 申请号."
            )
            % {"n": HEADER_SEARCH_ROWS}
        )

    def _values(self, row) -> dict:
        width = len(row)
        return {field: (row[pos] if pos < width else None) for pos, field in self._positions.items()}

    def rows(self) -> Iterator[tuple[int, dict]]:  # pragma: no cover - subclasses
        raise NotImplementedError


class CsvReader(TableReader):
    def __init__(self, path, index):
        super().__init__(path, index)
        self.encoding = detect_encoding(self.path)

    def _open(self):
        return open(self.path, encoding=self.encoding, newline="")

    def _reader(self, fh):
        return csv.reader(fh, delimiter=_delimiter(fh, self.index))

    def rows(self) -> Iterator[tuple[int, dict]]:
        try:
            with self._open() as fh:
                reader = self._reader(fh)
                row_number = 0
                for row in reader:
                    row_number += 1
                    if not self.header_row:
                        if self._take_header(row_number, row):
                            continue
                        if row_number >= HEADER_SEARCH_ROWS:
                            raise self._no_header()
                        continue
                    if _is_blank(row):
                        continue
                    yield row_number, self._values(row)
                if not self.header_row:
                    raise self._no_header()
        except UnicodeDecodeError as exc:
            raise FileProblem(
                _("The file is not readable as %(encoding)s text near byte %(at)d.")
                % {"encoding": self.encoding, "at": exc.start}
            ) from exc
        except csv.Error as exc:
            raise FileProblem(_("The CSV file is malformed: %(error)s") % {"error": exc}) from exc


class XlsxReader(TableReader):
    """The first worksheet that has a header row, read with openpyxl in read-only mode."""

    def _workbook(self):
        from openpyxl import load_workbook

        try:
            return load_workbook(self.path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
            raise FileProblem(_("The XLSX workbook cannot be read: %(error)s") % {"error": exc}) from exc

    def rows(self) -> Iterator[tuple[int, dict]]:
        workbook = self._workbook()
        try:
            for sheet in workbook.worksheets:
                row_number = 0
                for row in sheet.iter_rows(values_only=True):
                    row_number += 1
                    if not self.header_row:
                        if self._take_header(row_number, row) or row_number < HEADER_SEARCH_ROWS:
                            continue
                        break  # no header on this sheet: try the next one
                    if _is_blank(row):
                        continue
                    yield row_number, self._values(row)
                if self.header_row:
                    return
            raise self._no_header()
        finally:
            workbook.close()


def is_xlsx(path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(4) == XLSX_MAGIC


def table_reader(path, index) -> TableReader:
    return XlsxReader(path, index) if is_xlsx(path) else CsvReader(path, index)


def first_rows(path, limit: int = HEADER_SEARCH_ROWS) -> list[list]:
    """The first rows of a table, for telling a patent table from a trademark table."""
    rows: list[list] = []
    if is_xlsx(path):
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(path, read_only=True, data_only=True)
        except Exception:  # noqa: BLE001 - a damaged workbook is judged by the import itself
            return rows
        try:
            sheet = workbook.worksheets[0] if workbook.worksheets else None
            if sheet is not None:
                rows = [list(r) for r in sheet.iter_rows(values_only=True, max_row=limit)]
        finally:
            workbook.close()
        return rows
    try:
        encoding = detect_encoding(Path(path))
        with open(path, encoding=encoding, newline="") as fh:
            index = {**mapping.PATENT_INDEX, **mapping.TRADEMARK_INDEX}
            for row in csv.reader(fh, delimiter=_delimiter(fh, index)):
                rows.append(row)
                if len(rows) >= limit:
                    break
    except (UnicodeDecodeError, csv.Error):
        pass
    return rows
