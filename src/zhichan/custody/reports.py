"""The yearly portfolio report of a custody, as DOCX and XLSX.

For one calendar year: the rights in custody, each deadline due that year with its outcome
(the action recorded, missed when its last day has passed without one, or still open), the
actions recorded that year, and the annual fees and renewals due the next year. Fees and
renewals carry their official amount, and the late surcharge if paid on the day the report is
made while in the grace period (no fee reduction applied).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from zhichan.custody import services
from zhichan.custody.models import Custody, CustodyAction
from zhichan.ipdata.models import Patent
from zhichan.watch import deadlines as dl

MET = "met"
MISSED = "missed"
OPEN = "open"
ABANDONED = "abandoned"


@dataclass
class Report:
    custody: Custody
    year: int
    rights: list[list] = field(default_factory=list)
    deadlines: list[list] = field(default_factory=list)
    actions: list[list] = field(default_factory=list)
    next_year: list[list] = field(default_factory=list)
    counts: dict = field(default_factory=dict)

    @property
    def title(self):
        return _("Portfolio report %(year)d: %(enterprise)s") % {
            "year": self.year,
            "enterprise": self.custody.enterprise.name,
        }


def _right_row(record) -> list:
    if isinstance(record, Patent):
        return [
            _("Patent"),
            record.application_number,
            record.title,
            record.get_patent_type_display(),
            record.get_legal_status_display(),
        ]
    return [
        _("Trademark"),
        record.registration_number,
        record.name,
        str(record.nice_class),
        record.get_status_display(),
    ]


def build(custody: Custody, year: int, today: dt.date | None = None) -> Report:
    today = today or services.today()
    report = Report(custody=custody, year=year)
    rights = services.rights_of(custody)
    report.rights = [_right_row(r) for r in rights.values()]
    actions = {(a.right_key, a.deadline_key): a for a in CustodyAction.objects.filter(custody=custody)}
    outcomes = {MET: 0, MISSED: 0, OPEN: 0, ABANDONED: 0}
    labels = {MET: _("Met"), MISSED: _("Missed"), OPEN: _("Open"), ABANDONED: _("Abandoned")}
    check = dl.workday_checker()
    for record, deadline in services.custody_deadlines(custody, check):
        fee = services.fee_amounts(record, deadline, today, check)
        amount = "" if fee["amount_yuan"] is None else fee["amount_yuan"]
        surcharge = "" if fee["surcharge_yuan"] is None else fee["surcharge_yuan"]
        if deadline.due.year == year + 1 and deadline.actionable:
            report.next_year.append(
                [deadline.right_number, str(deadline.label), deadline.due, deadline.grace_ends or "", amount]
            )
        if deadline.due.year != year or not deadline.actionable or not custody.covers(deadline.due):
            continue
        done = actions.get((deadline.right_key, deadline.key))
        if done is not None:
            outcome = ABANDONED if done.action == "abandoned" else MET
        elif deadline.last_day < today:
            outcome = MISSED
        else:
            outcome = OPEN
        outcomes[outcome] += 1
        report.deadlines.append(
            [
                deadline.right_number,
                str(deadline.label),
                deadline.due,
                deadline.grace_ends or "",
                str(labels[outcome]),
                done.done_on if done else "",
                amount,
                "" if done is not None else surcharge,
                deadline.basis,
            ]
        )
    for done in CustodyAction.objects.filter(custody=custody, done_on__year=year).select_related("actor"):
        report.actions.append(
            [
                done.right_key.split(":", 1)[-1],
                done.deadline_key,
                done.get_action_display(),
                done.done_on,
                str(done.actor or ""),
                done.note,
            ]
        )
    report.counts = {str(labels[k]): v for k, v in outcomes.items()}
    return report


def _headers():
    return {
        "rights": [_("Type"), _("Number"), _("Title or mark"), _("Kind or class"), _("Status")],
        "deadlines": [
            _("Number"),
            _("Deadline"),
            _("Due"),
            _("Grace ends"),
            _("Outcome"),
            _("Done on"),
            _("Fee (yuan)"),
            _("Surcharge if paid today (yuan)"),
            _("Legal basis"),
        ],
        "actions": [_("Number"), _("Deadline"), _("Action"), _("Done on"), _("By"), _("Note")],
        "next_year": [_("Number"), _("Deadline"), _("Due"), _("Grace ends"), _("Fee (yuan)")],
    }


def _sections(report: Report):
    heads = _headers()
    return [
        (_("Rights in custody"), heads["rights"], report.rights),
        (_("Deadlines of the year"), heads["deadlines"], report.deadlines),
        (_("Actions of the year"), heads["actions"], report.actions),
        (_("Due next year"), heads["next_year"], report.next_year),
    ]


def _cell(value) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def to_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    summary = book.create_sheet(_("Summary")[:31])
    summary.append([report.title])
    summary.append([_("Agency"), report.custody.agency.name])
    summary.append([_("Period"), f"{report.custody.starts_on} – {report.custody.ends_on or ''}"])
    for label, count in report.counts.items():
        summary.append([label, count])
    for title, head, rows in _sections(report):
        sheet = book.create_sheet(str(title)[:31])
        sheet.append([str(h) for h in head])
        for row in rows:
            sheet.append([v if isinstance(v, int | dt.date) else str(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_docx(report: Report) -> bytes:
    from docx import Document

    doc = Document()
    doc.core_properties.title = report.title
    doc.core_properties.language = "zh-CN"
    doc.add_heading(report.title, level=0)
    doc.add_paragraph(f"{_('Agency')}: {report.custody.agency.name}")
    doc.add_paragraph(f"{_('Period')}: {report.custody.starts_on} – {report.custody.ends_on or ''}")
    doc.add_paragraph("; ".join(f"{label}: {count}" for label, count in report.counts.items()))
    for title, head, rows in _sections(report):
        doc.add_heading(str(title), level=1)
        if not rows:
            doc.add_paragraph(_("None."))
            continue
        table = doc.add_table(rows=1, cols=len(head))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, head, strict=True):
            cell.text = str(text)
        for row in rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, row, strict=True):
                cell.text = _cell(value)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
