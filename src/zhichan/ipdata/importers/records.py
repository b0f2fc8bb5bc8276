"""From the raw values of one row to a clean record dict with the model's field names.

Only the fields the row carries are in the record, so a file without an abstract column leaves
the abstracts already stored alone. Every problem of a row is collected, then RowRefused lists
them all (field, reason, value).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from zhichan.enterprises.uscc import UsccError, parse_uscc
from zhichan.ipdata import validators as v
from zhichan.ipdata.importers import mapping
from zhichan.ipdata.models import Patent, Trademark
from zhichan.ipdata.numbers import application_type, publication_type

# Similar groups are also written "0901,0902" or "0901 0902".
_GROUP_SEPARATORS = re.compile(r"[;；,，、\s]+")
_TYPE_NAMES = {"invention": "发明", "utility": "实用新型", "design": "外观设计"}


@dataclass(frozen=True)
class Problem:
    field: str
    message: str
    value: str = ""


class RowRefused(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def _max(model, field: str) -> int:
    return model._meta.get_field(field).max_length


class _Cleaner:
    def __init__(self, values: dict):
        self.values = values
        self.record: dict = {}
        self.problems: list[Problem] = []

    def has(self, field: str) -> bool:
        return field in self.values

    def raw(self, field: str):
        return self.values.get(field)

    def take(self, field: str, check, *args, target: str | None = None):
        """Run `check(raw, *args)`; store the result under `target` (default: field)."""
        if not self.has(field):
            return None
        try:
            value = check(self.raw(field), *args)
        except v.InvalidValue as exc:
            self.refuse(field, str(exc), self.raw(field))
            return None
        self.record[target or field] = value
        return value

    def refuse(self, field: str, message: str, value="") -> None:
        shown = "; ".join(map(v.text, value)) if isinstance(value, list | tuple) else v.text(value)
        self.problems.append(Problem(field, message, shown))

    def names(self, field: str, max_length: int) -> list[str] | None:
        if not self.has(field):
            return None
        names = v.split_values(self.raw(field))
        for name in names:
            if len(name) > max_length:
                self.refuse(field, _("a name is longer than %(n)d characters") % {"n": max_length}, name)
                return None
        self.record[field] = names
        return names

    def usccs(self) -> None:
        if not self.has("applicant_uscc"):
            return
        codes = []
        for raw in v.split_values(self.raw("applicant_uscc")):
            try:
                codes.append(parse_uscc(raw))
            except UsccError as exc:
                self.refuse(
                    "applicant_uscc",
                    _("invalid unified social credit code: %(reason)s") % {"reason": exc},
                    raw,
                )
        self.record["applicant_uscc"] = codes

    def done(self) -> dict:
        if self.problems:
            raise RowRefused(self.problems)
        return self.record


def _length(model, field):
    def check(raw):
        return v.bounded(raw, _max(model, field))

    return check


def patent_record(values: dict) -> dict:
    """A patent record (Patent field names, plus `applicant_uscc` for linking), or RowRefused."""
    c = _Cleaner(values)
    number = c.take("application_number", v.application_number)
    if not c.has("application_number"):
        c.refuse("application_number", _("the application number is missing"))
    for field in ("application_date", "publication_date", "grant_date"):
        c.take(field, v.parse_date)
    for field in ("publication_number", "grant_number"):
        c.take(field, v.publication_number)
    title = c.take("title", _length(Patent, "title"))
    if c.has("title") and title == "":
        c.refuse("title", _("the title is missing"))
    for field in ("abstract", "claims"):
        c.take(field, v.text)
    for field in ("address", "agency", "legal_status_text"):
        c.take(field, _length(Patent, field))
    applicants = c.names("applicants", _max(Patent, "first_applicant"))
    if applicants is not None:
        c.record["first_applicant"] = applicants[0] if applicants else ""
    c.names("inventors", 200)
    c.names("agents", 100)
    c.usccs()
    if c.has("legal_status_text") and "legal_status_text" in c.record:
        c.record["legal_status"] = mapping.legal_status(c.record["legal_status_text"])

    if c.has("ipc_codes"):
        codes = []
        for raw in v.split_values(c.raw("ipc_codes")):
            try:
                code = v.ipc_code(raw)
            except v.InvalidValue as exc:
                c.refuse("ipc_codes", str(exc), raw)
                continue
            if code not in codes:
                codes.append(code)
        c.record["ipc_codes"] = codes
    main = None
    if c.has("main_ipc") and v.text(c.raw("main_ipc")):
        main = c.take("main_ipc", v.ipc_code)
    elif c.has("ipc_codes") or c.has("main_ipc"):
        c.record["main_ipc"] = (c.record.get("ipc_codes") or [""])[0]
    if main and "ipc_codes" in c.record and main not in c.record["ipc_codes"]:
        c.record["ipc_codes"].insert(0, main)

    # The type: as written, and as the number's type digit says; they must agree.
    by_number = application_type(number) if number else None
    written = v.text(c.raw("patent_type")) if c.has("patent_type") else ""
    if written:
        named = mapping.patent_type(written)
        if named is None:
            c.refuse("patent_type", _("unknown patent type (发明, 实用新型 or 外观设计)"), written)
        elif by_number and named != by_number:
            c.refuse(
                "patent_type",
                _("the type %(written)s contradicts the application number, which is of a %(type)s")
                % {"written": written, "type": _TYPE_NAMES[by_number]},
                written,
            )
        else:
            c.record["patent_type"] = named
    elif by_number:
        c.record["patent_type"] = by_number
    kind_of = c.record.get("patent_type") or by_number
    for field in ("publication_number", "grant_number"):
        published = c.record.get(field)
        if published and kind_of and publication_type(published) != kind_of:
            c.refuse(
                field,
                _("the kind code of %(number)s is not that of a %(type)s")
                % {"number": published, "type": _TYPE_NAMES[kind_of]},
                published,
            )
    return c.done()


def trademark_record(values: dict) -> dict:
    """A trademark record (Trademark field names, plus `applicant_uscc`), or RowRefused."""
    c = _Cleaner(values)
    c.take("registration_number", v.trademark_number)
    if not c.has("registration_number"):
        c.refuse("registration_number", _("the registration number is missing"))
    name = c.take("name", _length(Trademark, "name"))
    if c.has("name") and name == "":
        c.refuse("name", _("the mark's name is missing"))
    nice = c.take("nice_class", v.nice_class)
    if not c.has("nice_class"):
        c.refuse("nice_class", _("the Nice class is missing"))
    if c.has("similar_groups"):
        groups = []
        for raw in v.split_values(c.raw("similar_groups"), separators=_GROUP_SEPARATORS):
            if nice is None:
                break
            try:
                group = v.similar_group(raw, nice)
            except v.InvalidValue as exc:
                c.refuse("similar_groups", str(exc), raw)
                continue
            if group not in groups:
                groups.append(group)
        c.record["similar_groups"] = groups
    c.take("goods", v.text)
    for field in ("application_date", "publication_date", "registration_date", "expiry_date"):
        c.take(field, v.parse_date)
    if c.has("period"):
        try:
            start, end = v.parse_period(c.raw("period"))
        except v.InvalidValue as exc:
            c.refuse("period", str(exc), c.raw("period"))
        else:
            if end and not c.record.get("expiry_date"):
                c.record["expiry_date"] = end
            if start and not c.record.get("registration_date"):
                c.record["registration_date"] = start
    applicants = c.names("applicants", _max(Trademark, "first_applicant"))
    if applicants is not None:
        c.record["first_applicant"] = applicants[0] if applicants else ""
    for field in ("address", "agency", "status_text"):
        c.take(field, _length(Trademark, field))
    if "status_text" in c.record:
        c.record["status"] = mapping.trademark_status(c.record["status_text"])
    c.usccs()
    return c.done()
