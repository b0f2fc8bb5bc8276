"""Cell values of patent and trademark records: each function returns the clean value or raises
InvalidValue with a message that names the reason.

Values arrive as text from CSV and XML, and as numbers, dates or datetimes from XLSX cells.
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext as _

from zhichan.ipdata.numbers import NumberError, parse_application_number, parse_publication_number

EARLIEST = dt.date(1950, 1, 1)
LATEST = dt.date(2100, 12, 31)
EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 is 1900-01-01 (Excel's 1900 leap-year bug included)
NICE_CLASSES = range(1, 46)


class InvalidValue(ValueError):
    """A value that is not acceptable; str() is the reason, for the error report."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self):
        return str(self.message)


def text(value) -> str:
    """A cell as text: numbers from spreadsheets without a trailing ".0", spaces trimmed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).replace("\x00", "").replace("\u3000", " ").strip()


# --- dates ------------------------------------------------------------------------------------

_DATE_FORMS = (
    re.compile(r"^(\d{4})[-./](\d{1,2})[-./](\d{1,2})$"),  # 2015-04-13, 2015.04.13, 2015/4/13
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),  # 20150413
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),  # 2015年4月13日
)
_TIME_PART = re.compile(r"[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")


def _in_range(day: dt.date) -> dt.date:
    if not EARLIEST <= day <= LATEST:
        raise InvalidValue(
            _("date %(date)s is outside %(first)s–%(last)s")
            % {"date": day.isoformat(), "first": EARLIEST.year, "last": LATEST.year}
        )
    return day


def excel_serial(number) -> dt.date:
    """An Excel serial day number (days since 1899-12-30) as a date."""
    if isinstance(number, float) and not number.is_integer():
        number = int(number)  # a time of day: the date is the whole part
    if not isinstance(number, int | float) or isinstance(number, bool) or number < 1:
        raise InvalidValue(_("not a date: %(value)s") % {"value": number})
    try:
        return _in_range(EXCEL_EPOCH + dt.timedelta(days=int(number)))
    except OverflowError as exc:
        raise InvalidValue(_("not a date: %(value)s") % {"value": number}) from exc


def parse_date(value) -> dt.date | None:
    """A date from the written forms (2015-04-13, 2015.04.13, 2015/4/13, 20150413, 2015年4月13日),
    a date or datetime cell, or an Excel serial number; None for an empty cell."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return _in_range(value.date())
    if isinstance(value, dt.date):
        return _in_range(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if isinstance(value, int) or value.is_integer():
            as_text = str(int(value))
            if len(as_text) == 8:  # 20150413 typed as a number
                return parse_date(as_text)
        return excel_serial(value)
    raw = text(value)
    if not raw:
        return None
    written = _TIME_PART.sub("", raw).strip()
    for form in _DATE_FORMS:
        match = form.match(written)
        if match:
            year, month, day = (int(part) for part in match.groups())
            try:
                day_found = dt.date(year, month, day)
            except ValueError as exc:
                raise InvalidValue(_("no such day: %(value)s") % {"value": raw}) from exc
            return _in_range(day_found)
    raise InvalidValue(_("not a date (write e.g. 2015-04-13 or 20150413): %(value)s") % {"value": raw})


_PERIOD = re.compile(r"^(.+?)\s*(?:至|到|~|～|—|–|--|\s-\s)\s*(.+)$")


def parse_period(value) -> tuple[dt.date | None, dt.date | None]:
    """A term written "2016-04-14至2026-04-13" (至, 到, ~ or a dash between): (start, end)."""
    raw = text(value)
    if not raw:
        return None, None
    match = _PERIOD.match(raw)
    if not match:
        raise InvalidValue(_("not a period (write e.g. 2016-04-14至2026-04-13): %(value)s") % {"value": raw})
    start, end = (parse_date(part) for part in match.groups())
    if start and end and end < start:
        raise InvalidValue(_("the period ends before it starts: %(value)s") % {"value": raw})
    return start, end


# --- numbers ----------------------------------------------------------------------------------


def application_number(value) -> str:
    raw = text(value)
    if not raw:
        raise InvalidValue(_("the application number is missing"))
    try:
        return parse_application_number(raw)
    except NumberError as exc:
        raise InvalidValue(_("invalid application number: %(reason)s") % {"reason": exc}) from exc


def publication_number(value) -> str:
    """Canonical "CN104805195A", or "" for an empty cell."""
    raw = text(value)
    if not raw:
        return ""
    try:
        return parse_publication_number(raw)
    except NumberError as exc:
        raise InvalidValue(_("invalid publication number: %(reason)s") % {"reason": exc}) from exc


_TRADEMARK_NUMBER = re.compile(r"^G?\d{1,10}$")


def trademark_number(value) -> str:
    """A trademark application/registration number: up to 10 digits (G and digits for an
    international registration designating China)."""
    raw = re.sub(r"\s", "", text(value)).upper()
    if not raw:
        raise InvalidValue(_("the registration number is missing"))
    if not _TRADEMARK_NUMBER.match(raw):
        raise InvalidValue(
            _("invalid registration number (digits, or G and digits): %(value)s") % {"value": raw}
        )
    return raw


# --- classifications --------------------------------------------------------------------------

_IPC = re.compile(r"^([A-H])(\d{2})([A-Z])(\d{1,4})/(\d{2,6})$")
_IPC_VERSION = re.compile(r"\(\d{4}\.\d{2}\)$|\[\d{4}\.\d{2}\]$")


def ipc_code(value) -> str:
    """An IPC code as "A01B 1/00": section A–H, 2-digit class, subclass letter, main group of
    1–4 digits, "/", subgroup of 2–6 digits. "A01B1/00", "A01B0001/00" and a trailing
    version such as "(2006.01)" are accepted."""
    raw = text(value)
    compact = _IPC_VERSION.sub("", re.sub(r"\s", "", raw).upper())
    match = _IPC.match(compact)
    if not match:
        raise InvalidValue(
            _("not an IPC code (section A–H, class, subclass, group/subgroup, e.g. A01B 1/00): %(value)s")
            % {"value": raw}
        )
    section, klass, subclass, group, subgroup = match.groups()
    group = group.lstrip("0")
    if not group:
        raise InvalidValue(_("IPC main group 0 does not exist: %(value)s") % {"value": raw})
    return f"{section}{klass}{subclass} {group}/{subgroup}"


def nice_class(value) -> int:
    """A Nice class 1..45 ("9", "09", "第9类", 9.0)."""
    raw = text(value)
    match = re.fullmatch(r"(?:第\s*)?(\d{1,2})\s*(?:类)?", raw)
    number = int(match.group(1)) if match else None
    if number not in NICE_CLASSES:
        raise InvalidValue(_("not a Nice class (1 to 45): %(value)s") % {"value": raw})
    return number


def similar_group(value, nice: int) -> str:
    """A similar-group code of class `nice`: 4 digits, the first two the class ("0901" in class 9)."""
    raw = text(value)
    if not re.fullmatch(r"\d{4}", raw):
        raise InvalidValue(_("not a similar-group code (4 digits, e.g. 0901): %(value)s") % {"value": raw})
    if int(raw[:2]) != nice:
        raise InvalidValue(
            _("similar group %(group)s is not in class %(nice)d") % {"group": raw, "nice": nice}
        )
    return raw


# --- several values in one cell ---------------------------------------------------------------

_SEPARATORS = re.compile(r"[;；]")


def split_values(value, separators: re.Pattern = _SEPARATORS) -> list[str]:
    """Values separated by ";" or "；", trimmed, empty ones and repeats left out, in order."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        parts = [text(v) for v in value]
    else:
        parts = [part.strip() for part in separators.split(text(value))]
    seen: dict[str, None] = {}
    for part in parts:
        if part and part not in seen:
            seen[part] = None
    return list(seen)


def bounded(value, max_length: int) -> str:
    """Text that fits a column of `max_length` characters, or InvalidValue."""
    cleaned = text(value)
    if len(cleaned) > max_length:
        raise InvalidValue(
            _("longer than %(n)d characters (%(length)d)") % {"n": max_length, "length": len(cleaned)}
        )
    return cleaned
