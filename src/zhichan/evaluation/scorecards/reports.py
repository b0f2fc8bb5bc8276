"""The evaluation report of a scorecard run: DOCX (python-docx) and XLSX (openpyxl).

Both hold the rows the asking user may see (views.run_table): the ranking with each item's
value and score, the per-dimension subtotals, the change from the previous period, the
method and the findings. The DOCX carries a bar chart of the totals drawn with matplotlib in
the CJK report font (ZHICHAN_REPORT_FONT, as the other reports); without a CJK font the bars
are labelled by rank and the table beside it carries the names. The XLSX has a native bar chart.
"""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from zhichan.evaluation.metrics import ScopeKind, Unit
from zhichan.evaluation.models.scorecards import ScorecardResult


def _arrow(change) -> str:
    if change is None:
        return ""
    return "▲" if change > 0 else "▼" if change < 0 else "＝"


def run_table(user, run) -> dict:
    """The run's rows `user` may see, laid out for the page and the reports."""
    results = list(
        ScorecardResult.objects.restrict(user, "view")
        .filter(run=run)
        .select_related("county")
        .order_by("rank", "scope_name")
    )
    dims = run.dimensions()
    units = dict(Unit.choices)
    rows = []
    for result in results:
        cells = []
        for item in run.items:
            value = result.values.get(item["code"], {})
            cells.append(
                {
                    "item": item,
                    "raw": None if value.get("raw") is None else Decimal(value["raw"]).normalize(),
                    "score": value.get("score"),
                    "weighted": value.get("weighted"),
                }
            )
        rows.append(
            {
                "result": result,
                "cells": cells,
                "subtotals": [result.subtotals.get(code, "0.00") for code, _label in dims],
                "change": result.change,
                "arrow": _arrow(result.change),
                "rank_change": result.rank_change,
            }
        )
    items = [{**item, "unit_label": units.get(item["unit"], item["unit"])} for item in run.items]
    # Agency runs also rank each agency among its county's agencies.
    by_county = run.level == ScopeKind.AGENCY
    return {"rows": rows, "dimensions": dims, "items": items, "by_county": by_county}


# The chart shows at most this many scopes (the best by rank); the tables show all.
CHART_ROWS = 30


def _level(run) -> str:
    return str(dict(ScopeKind.choices).get(run.level, run.level))


def method_lines(run) -> list[str]:
    lines = [
        _("Scored: %(level)s, period %(period)s, %(n)d indicators.")
        % {"level": _level(run), "period": run.period, "n": len(run.items)},
        _(
            "Each raw value becomes a score from 0 to 100 across the scored scopes: min–max "
            "(best 100, worst 0, all equal 100; for “lower is better” reversed) or against a target "
            "value. A missing value scores 0. Weighted score = score × weight / 100; the total is the "
            "sum of the weighted scores (weights add up to 100). Equal totals share a rank."
        ),
    ]
    if run.level == ScopeKind.AGENCY:
        lines.append(
            _("Rank in county: each agency's rank among the agencies of its county, by the same rule.")
        )
    if run.previous_id:
        lines.append(_("Change: against the run of %(period)s.") % {"period": run.previous.period})
    for item in run.items:
        rule = _("min–max") if item["rule"] == "minmax" else _("target %(t)s") % {"t": item["target"]}
        direction = _("lower is better") if item["direction"] == "lower" else _("higher is better")
        lines.append(f"{item['name']} ({item['code']}): {_('weight')} {item['weight']}, {rule}, {direction}")
    return lines


def _county_headers(table) -> list[str]:
    """Agency runs: the rank within the county and the county, after the name."""
    return [_("Rank in county"), _("County")] if table.get("by_county") else []


def _county_cells(table, result, none="—") -> list:
    if not table.get("by_county"):
        return []
    return [
        none if result.county_rank is None else result.county_rank,
        result.county.name if result.county_id else none,
    ]


def _headers(table) -> list[str]:
    return [
        _("Rank"), _("Name"), *_county_headers(table), *[item["name"] for item in table["items"]],
        _("Total"), _("Change"),
    ]  # fmt: skip


def _ranking_rows(table) -> list[list]:
    rows = []
    for row in table["rows"]:
        result = row["result"]
        cells = []
        for cell in row["cells"]:
            cells.append("—" if cell["raw"] is None else f"{cell['raw']} ({cell['score']})")
        change = "" if row["change"] is None else f"{row['arrow']} {row['change']}"
        rows.append(
            [result.rank, result.scope_name, *_county_cells(table, result), *cells, str(result.total), change]
        )
    return rows


def _chart_png(table) -> bytes | None:
    rows = table["rows"][:CHART_ROWS]
    if not rows:
        return None
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from zhichan.ipdata import charts

    font = charts.cjk_font()
    labels = charts.Labels(font)
    names = [labels(r["result"].scope_name, f"#{r['result'].rank}") for r in rows]
    totals = [float(r["result"].total) for r in rows]
    with charts.font_context(font):
        fig = Figure(figsize=(7, max(2.0, 0.32 * len(rows) + 0.8)), layout="constrained")
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        positions = list(range(len(rows)))[::-1]
        ax.barh(positions, totals, color="#2f6db3")
        ax.set_yticks(positions, names)
        ax.set_xlim(0, 100)
        for y, total in zip(positions, totals, strict=True):
            ax.text(total + 1, y, f"{total:.2f}", va="center", fontsize=7)
        ax.spines["top"].set_visible(False)
        ax.spines["right"].set_visible(False)
        ax.tick_params(labelsize=8)
        out = io.BytesIO()
        fig.savefig(out, format="png", dpi=150)
    return out.getvalue()


def _docx_table(doc, headers, rows):
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = str(text)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for values in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = str(value)
    return table


def run_docx(run, table) -> bytes:
    from docx import Document
    from docx.shared import Cm

    doc = Document()
    title = f"{run.scorecard.name} · {run.period}"
    doc.core_properties.title = title
    doc.core_properties.language = "zh-CN"
    doc.add_heading(title, level=0)
    doc.add_paragraph(
        _("Period: %(period)s. Status: %(status)s. Computed: %(at)s.")
        % {
            "period": run.period,
            "status": run.get_status_display(),
            "at": timezone.localtime(run.computed_at).strftime("%Y-%m-%d %H:%M"),
        }
    )
    doc.add_heading(_("Method"), level=1)
    for line in method_lines(run):
        doc.add_paragraph(line, style="List Bullet")
    doc.add_heading(_("Ranking"), level=1)
    _docx_table(doc, _headers(table), _ranking_rows(table))
    if table["dimensions"]:
        doc.add_heading(_("By dimension"), level=1)
        _docx_table(
            doc,
            [
                _("Rank"),
                _("Name"),
                *_county_headers(table),
                *[str(label) for _c, label in table["dimensions"]],
                _("Total"),
            ],
            [
                [
                    r["result"].rank,
                    r["result"].scope_name,
                    *_county_cells(table, r["result"]),
                    *r["subtotals"],
                    str(r["result"].total),
                ]
                for r in table["rows"]
            ],
        )
    chart = _chart_png(table)
    if chart:
        doc.add_heading(_("Totals"), level=1)
        doc.add_picture(io.BytesIO(chart), width=Cm(16))
    for warning in run.warnings:
        doc.add_paragraph(warning)
    doc.add_heading(_("Findings"), level=1)
    for paragraph in (run.findings or _("No findings were written.")).splitlines():
        if paragraph.strip():
            doc.add_paragraph(paragraph.strip())
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def run_xlsx(run, table) -> bytes:
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = _("Ranking")[:31]
    ws.append([f"{run.scorecard.name} · {run.period}"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([_("Status"), run.get_status_display()])
    ws.append([])
    header_row = ws.max_row + 1
    headers = [_("Rank"), _("Name"), *_county_headers(table)]
    for item in table["items"]:
        headers += [f"{item['name']}", f"{item['name']} · {_('score')}"]
    headers += [_("Total"), _("Previous total"), _("Change")]
    ws.append(headers)
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
    for row in table["rows"]:
        result = row["result"]
        values = [result.rank, result.scope_name, *_county_cells(table, result, none=None)]
        for cell in row["cells"]:
            values += [
                None if cell["raw"] is None else float(cell["raw"]),
                None if cell["score"] is None else float(cell["score"]),
            ]
        values += [
            float(result.total),
            None if result.previous_total is None else float(result.previous_total),
            None if row["change"] is None else float(row["change"]),
        ]
        ws.append(values)
    last = ws.max_row
    if table["rows"]:
        total_col = 3 + len(_county_headers(table)) + 2 * len(table["items"])
        chart = BarChart()
        chart.type = "bar"
        chart.title = _("Totals")
        chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 100
        chart.add_data(
            Reference(ws, min_col=total_col, min_row=header_row, max_row=last), titles_from_data=True
        )
        chart.set_categories(Reference(ws, min_col=2, min_row=header_row + 1, max_row=last))
        chart.height = max(7.5, 0.5 * len(table["rows"]))
        ws.add_chart(chart, f"A{last + 3}")

    dims = wb.create_sheet(_("By dimension")[:31])
    dims.append(
        [_("Rank"), _("Name"), *_county_headers(table), *[str(label) for _c, label in table["dimensions"]],
         _("Total")]
    )  # fmt: skip
    for row in table["rows"]:
        dims.append(
            [row["result"].rank, row["result"].scope_name, *_county_cells(table, row["result"], none=None),
             *[float(v) for v in row["subtotals"]], float(row["result"].total)]
        )  # fmt: skip

    method = wb.create_sheet(_("Method")[:31])
    for line in method_lines(run):
        method.append([line])
    method.append([])
    method.append([_("Findings")])
    method.append([run.findings or _("No findings were written.")])
    for line in run.warnings:
        method.append([line])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
