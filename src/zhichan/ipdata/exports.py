"""A landscape as an XLSX workbook: one sheet per figure, headers in the current language."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from zhichan.ipdata.charts import status_label, type_label
from zhichan.ipdata.models import PatentType
from zhichan.ipdata.statistics import Landscape


def sheets(
    ls: Landscape, title: str, *, label: str | None = None, filters: dict | None = None
) -> list[tuple[str, list[str], list[list]]]:
    """(sheet name, headers, rows) for each figure; what the workbook and its tests read.

    `label` names what `title` is (default: the industry); `filters` are the facet filters
    the figures were counted with, listed under the query.
    """
    patents = _("Patents")
    overview = [[label or _("Industry"), title], [_("Query"), ls.query]]
    chosen = {name: values for name, values in (filters or {}).items() if values}
    if chosen:
        overview.append(
            [
                _("Filters"),
                "; ".join(f"{name}={', '.join(map(str, values))}" for name, values in chosen.items()),
            ]
        )
    overview += [[_("Patents"), ls.total], [_("Linked to a county of the city"), ls.local_total]]
    return [
        (_("Overview"), [_("Figure"), _("Value")], overview),
        (
            _("Trend"),
            [_("Year"), *[type_label(t) for t in PatentType.values], _("Total")],
            [
                [year, *[counts.get(t, 0) for t in PatentType.values], sum(counts.values())]
                for year, counts in ls.by_year
            ],
        ),
        (_("Types"), [_("Type"), _("Code"), patents], [[type_label(k), k, n] for k, n in ls.by_type]),
        (
            _("Legal status"),
            [_("Legal status"), _("Code"), patents],
            [[status_label(k), k, n] for k, n in ls.by_legal_status],
        ),
        (_("IPC"), [_("IPC subclass"), patents], [[k, n] for k, n in ls.by_ipc]),
        (_("Counties"), [_("Code"), _("County"), patents], [[c, name, n] for c, name, n in ls.by_county]),
        (_("Applicants"), [_("Applicant"), patents], [[k, n] for k, n in ls.top_applicants]),
        (_("Inventors"), [_("Inventor"), patents], [[k, n] for k, n in ls.top_inventors]),
    ]


def _sheet_title(name: str, used: set[str]) -> str:
    # Excel: at most 31 characters, none of []:*?/\ , unique in the workbook.
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)[:31] or "Sheet"
    title, n = clean, 2
    while title in used:
        title = f"{clean[:28]}-{n}"
        n += 1
    used.add(title)
    return title


def _cell(value):
    # A text starting with = would be taken for a formula by spreadsheet programs.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def workbook(ls: Landscape, title: str, *, label: str | None = None, filters: dict | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for name, headers, rows in sheets(ls, title, label=label, filters=filters):
        sheet = book.create_sheet(_sheet_title(str(name), used))
        sheet.append([str(h) for h in headers])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([_cell(v) for v in row])
        for i, header in enumerate(headers):
            width = max([len(str(header))] + [len(str(row[i])) for row in rows]) + 2
            sheet.column_dimensions[sheet.cell(row=1, column=i + 1).column_letter].width = min(
                60, width * 1.6
            )
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
