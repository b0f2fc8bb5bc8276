"""The patent navigation report (专利导航报告) of an industry: one outline of headings, text,
tables and charts, written as DOCX (python-docx) and, when a CJK font is on the machine, as PDF
(matplotlib draws the pages, so the PDF carries the font's glyphs and shows Chinese anywhere).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from zhichan.ipdata import charts
from zhichan.ipdata.charts import Labels, status_label, type_label
from zhichan.ipdata.models import PatentType
from zhichan.ipdata.statistics import Landscape, landscape, local_applicants

# --- the outline ---------------------------------------------------------------------------------


@dataclass
class TitlePage:
    brand: str
    title: str
    subtitle: str
    lines: list[str]


@dataclass
class Heading:
    text: str
    level: int = 1


@dataclass
class Para:
    text: str


@dataclass
class Table:
    headers: list[str]
    rows: list[list]
    widths: list[float] = field(default_factory=list)  # relative; equal when empty


@dataclass
class Chart:
    name: str  # a key of charts.CHARTS
    small: bool = False


def share(n: int, total: int) -> str:
    return f"{n / total:.1%}" if total else "—"


def city_and_brand() -> tuple[str, str]:
    from zhichan.portal.context import current_city, site

    city = current_city()
    return (city.display_name if city else ""), str(site(None)["site_brand"])


def findings(ls: Landscape, city: str, local_names: set[str]) -> list[str]:
    """A few plain sentences drawn from the figures."""
    if not ls.total:
        return [_("No patent matches this industry definition yet.")]
    out = []
    per_year = {year: sum(counts.values()) for year, counts in ls.by_year}
    if per_year:
        last = max(per_year)
        recent = sum(per_year.get(y, 0) for y in range(last - 4, last + 1))
        before = sum(per_year.get(y, 0) for y in range(last - 9, last - 4))
        if before and min(per_year) <= last - 9:
            change = (recent - before) / before
            out.append(
                (
                    _(
                        "In the last five years of the data (%(start)d–%(end)d) %(recent)d applications were "
                        "filed, %(pct).0f%% more than in the five years before (%(before)d)."
                    )
                    if change >= 0
                    else _(
                        "In the last five years of the data (%(start)d–%(end)d) %(recent)d applications were "
                        "filed, %(pct).0f%% fewer than in the five years before (%(before)d)."
                    )
                )
                % {
                    "start": last - 4,
                    "end": last,
                    "recent": recent,
                    "before": before,
                    "pct": abs(change) * 100,
                }
            )
        else:
            out.append(
                _("From %(start)d to %(end)d, %(n)d applications were filed.")
                % {"start": min(per_year), "end": last, "n": sum(per_year.values())}
            )
        out.append(
            _(
                "Figures for the latest years are incomplete: invention applications are published "
                "about 18 months after filing."
            )
        )
    if ls.top_applicants:
        name, n = ls.top_applicants[0]
        out.append(
            _("The largest applicant, %(name)s, is named on %(n)d patents (%(share)s of all).")
            % {"name": name, "n": n, "share": share(n, ls.total)}
        )
        local_top = sum(1 for name, _n in ls.top_applicants if name in local_names)
        out.append(
            _("%(local)d of the %(top)d largest applicants are local.")
            % {"local": local_top, "top": len(ls.top_applicants)}
        )
    if ls.local_total:
        code, county, count = ls.by_county[0]
        out.append(
            _("%(n)d patents (%(share)s) are linked to %(city)s; %(county)s leads with %(count)d.")
            % {"n": ls.local_total, "share": share(ls.local_total, ls.total), "city": city, "county": county,
               "count": count}
        )  # fmt: skip
    else:
        out.append(_("None of the patents is linked to a county of %(city)s.") % {"city": city})
    types = dict(ls.by_type)
    statuses = dict(ls.by_legal_status)
    out.append(
        _("Inventions make up %(inventions)s of the patents; %(valid)s are in force.")
        % {
            "inventions": share(types.get(PatentType.INVENTION, 0), ls.total),
            "valid": share(statuses.get("valid", 0), ls.total),
        }
    )
    return out


def outline(ls: Landscape, *, title: str, query: str, local_names: set[str], font) -> list:
    city, brand = city_and_brand()
    total = ls.total
    years = [y for y, _c in ls.by_year]
    types = dict(ls.by_type)
    statuses = dict(ls.by_legal_status)
    n_col, share_col, patents_col = _("No."), _("Share"), _("Patents")
    blocks: list = [
        TitlePage(
            brand=brand,
            title=title,
            subtitle=_("Patent navigation report"),
            lines=[
                city,
                timezone.localdate().isoformat(),
                _("Query: %(query)s") % {"query": query},
            ],
        ),
        Heading(_("1. Overview")),
        Para(
            _("This report describes the %(n)d patents that the query above finds in the patent database.")
            % {"n": total}
        ),
        Table(
            [_("Figure"), _("Value")],
            [
                [_("Patents"), total],
                [_("Years of application"), f"{years[0]}–{years[-1]}" if years else "—"],
                *[
                    [type_label(t), f"{types.get(t, 0)} ({share(types.get(t, 0), total)})"]
                    for t in PatentType.values
                ],
                [
                    status_label("valid"),
                    f"{statuses.get('valid', 0)} ({share(statuses.get('valid', 0), total)})",
                ],
                [
                    _("Linked to %(city)s") % {"city": city},
                    f"{ls.local_total} ({share(ls.local_total, total)})",
                ],
            ],
            [3, 2],
        ),
        Heading(_("2. Application trend")),
        Para(_("Applications by year of filing and patent type.")),
        Chart("trend"),
        Table(
            [_("Year"), *[type_label(t) for t in PatentType.values], _("Total")],
            [
                [year, *[counts.get(t, 0) for t in PatentType.values], sum(counts.values())]
                for year, counts in ls.by_year
            ],
        ),
        Heading(_("3. Patent types and legal status")),
        Chart("types", small=True),
        Table(
            [_("Type"), patents_col, share_col], [[type_label(k), n, share(n, total)] for k, n in ls.by_type]
        ),
        Chart("status", small=True),
        Table(
            [_("Legal status"), patents_col, share_col],
            [[status_label(k), n, share(n, total)] for k, n in ls.by_legal_status],
        ),
        Heading(_("4. IPC distribution")),
        Para(_("Patents by the subclass of their main IPC classification.")),
        Chart("ipc"),
        Table(
            [n_col, _("IPC subclass"), patents_col, share_col],
            [[i, k, n, share(n, total)] for i, (k, n) in enumerate(ls.by_ipc, 1)],
            [1, 2, 2, 2],
        ),
        Heading(_("5. Regional distribution")),
        Para(
            _("%(n)d of the patents (%(share)s) are linked to a county of %(city)s.")
            % {"n": ls.local_total, "share": share(ls.local_total, total), "city": city}
        ),
        Chart("counties"),
        Table(
            [n_col, _("County"), _("Code"), patents_col, _("Share of local")],
            [
                [i, name, code, n, share(n, ls.local_total)]
                for i, (code, name, n) in enumerate(ls.by_county, 1)
            ],
            [1, 3, 2, 2, 2],
        ),
        Heading(_("6. Key players")),
        Para(_("The applicants named on the most patents; local ones are marked.")),
        Chart("applicants"),
        Table(
            [n_col, _("Applicant"), patents_col, share_col, _("Local")],
            [
                [i, name, n, share(n, total), "✓" if name in local_names else ""]
                for i, (name, n) in enumerate(ls.top_applicants, 1)
            ],
            [1, 6, 2, 2, 1],
        ),
        Heading(_("7. Inventors")),
        Table(
            [n_col, _("Inventor"), patents_col],
            [[i, name, n] for i, (name, n) in enumerate(ls.top_inventors, 1)],
            [1, 4, 2],
        ),
        Heading(_("8. Findings")),
        *[Para(text) for text in findings(ls, city, local_names)],
    ]
    if font is None:
        blocks.append(
            Para(
                _(
                    "No CJK font was found on the server: in the charts, Chinese labels are replaced by "
                    "row numbers or codes, and the tables carry the names."
                )
            )
        )
    return blocks


# --- DOCX ----------------------------------------------------------------------------------------


def _east_asian(style, name: str):
    from docx.oxml.ns import qn

    rpr = style.element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), name)


def write_docx(blocks, pngs: dict[str, bytes], *, title: str, author: str) -> bytes:
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Inches, Pt

    doc = Document()
    doc.core_properties.title = title
    doc.core_properties.author = author
    doc.core_properties.language = "zh-CN"
    styles = doc.styles
    styles["Normal"].font.size = Pt(10.5)
    _east_asian(styles["Normal"], "宋体")
    for name in ("Title", "Heading 1", "Heading 2"):
        _east_asian(styles[name], "黑体")

    for block in blocks:
        if isinstance(block, TitlePage):
            brand = doc.add_paragraph(block.brand)
            brand.alignment = WD_ALIGN_PARAGRAPH.CENTER
            for _i in range(5):
                doc.add_paragraph()
            heading = doc.add_paragraph(block.title, style="Title")
            heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
            sub = doc.add_paragraph()
            sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = sub.add_run(block.subtitle)
            run.font.size, run.bold = Pt(20), True
            for _i in range(4):
                doc.add_paragraph()
            for line in block.lines:
                p = doc.add_paragraph(line)
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        elif isinstance(block, Heading):
            doc.add_heading(block.text, level=block.level)
        elif isinstance(block, Para):
            doc.add_paragraph(block.text)
        elif isinstance(block, Chart):
            doc.add_picture(io.BytesIO(pngs[block.name]), width=Inches(3.2 if block.small else 6.0))
            doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif isinstance(block, Table):
            table = doc.add_table(rows=1, cols=len(block.headers))
            table.style = "Table Grid"
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            for cell, text in zip(table.rows[0].cells, block.headers, strict=True):
                cell.text = ""
                cell.paragraphs[0].add_run(str(text)).bold = True
            for row in block.rows:
                cells = table.add_row().cells
                for cell, value in zip(cells, row, strict=True):
                    cell.text = str(value)
            doc.add_paragraph()
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# --- PDF -----------------------------------------------------------------------------------------


class _Pages:
    """A4 pages drawn with matplotlib: a cursor moving down, a new page when one is full."""

    W, H, M = 8.27, 11.69, 0.8

    def __init__(self, pdf, ls, font):
        self.pdf, self.ls, self.font = pdf, ls, font
        self.fig = None
        self.page_no = 0
        self._new()

    def _new(self):
        from matplotlib.figure import Figure

        if self.fig is not None:
            self.pdf.savefig(self.fig)
        self.fig = Figure(figsize=(self.W, self.H))
        self.page_no += 1
        self.fig.text(0.5, 0.35 / self.H, str(self.page_no), ha="center", fontsize=8, color="#777777")
        self.y = self.H - self.M

    def need(self, height):
        if self.y - height < self.M:
            self._new()

    def close(self):
        self.pdf.savefig(self.fig)

    @staticmethod
    def _width(text: str, size: float) -> float:
        return sum((1.0 if ord(ch) > 0x2E7F else 0.56) for ch in text) * size / 72

    def _wrap(self, text: str, size: float, width: float) -> list[str]:
        # Latin words stay whole; a CJK character may end a line anywhere.
        lines, line = [], ""
        for piece in re.findall(r"[\x21-\x7e]+\s*|\s+|.", text):
            if self._width((line + piece).rstrip(), size) > width and line.strip():
                lines.append(line.rstrip())
                line = piece.lstrip()
            else:
                line += piece
        return [*lines, line.rstrip()] if line.strip() else lines or [""]

    def _fit(self, text: str, size: float, width: float) -> str:
        if self._width(text, size) <= width:
            return text
        while text and self._width(text + "…", size) > width:
            text = text[:-1]
        return text + "…"

    def text(self, text, size=10.5, weight="normal", x=None, align="left", gap=0.4):
        width = self.W - 2 * self.M
        for line in self._wrap(str(text), size, width):
            height = size * 1.55 / 72
            self.need(height)
            if align == "center":
                self.fig.text(0.5, self.y / self.H, line, ha="center", va="top", fontsize=size, weight=weight)
            else:
                self.fig.text(
                    (x or self.M) / self.W, self.y / self.H, line, va="top", fontsize=size, weight=weight
                )
            self.y -= height
        self.y -= gap * size / 72

    def rule(self, x0, x1, y, width=0.6):
        from matplotlib.lines import Line2D

        self.fig.add_artist(
            Line2D([x0 / self.W, x1 / self.W], [y / self.H, y / self.H], linewidth=width, color="#555555")
        )

    def table(self, block: Table, size=8.5):
        widths = block.widths or [1] * len(block.headers)
        total_w = self.W - 2 * self.M
        cols = [total_w * w / sum(widths) for w in widths]
        row_h = size * 1.7 / 72

        def row(values, weight="normal"):
            self.need(row_h)
            x = self.M
            for value, col in zip(values, cols, strict=True):
                text = self._fit(str(value), size, col - 0.08)
                top = (self.y - row_h * 0.2) / self.H
                self.fig.text((x + 0.04) / self.W, top, text, va="top", fontsize=size, weight=weight)
                x += col
            self.y -= row_h

        def header():
            self.rule(self.M, self.W - self.M, self.y, 1.0)
            row(block.headers, "bold")
            self.rule(self.M, self.W - self.M, self.y)

        self.need(row_h * 3)
        header()
        for values in block.rows:
            if self.y - row_h < self.M:
                self.rule(self.M, self.W - self.M, self.y, 1.0)
                self._new()
                header()
            row(values)
        self.rule(self.M, self.W - self.M, self.y, 1.0)
        self.y -= 0.25

    def chart(self, block: Chart):
        draw, (w, h) = charts.CHARTS[block.name]
        w, h = min(w, self.W - 2 * self.M), h * 0.9
        self.need(h + 0.1)
        left = (self.W - w) / 2
        ax = self.fig.add_axes(((left + 0.6) / self.W, (self.y - h + 0.35) / self.H, (w - 0.9) / self.W,
                                (h - 0.45) / self.H))  # fmt: skip
        draw(ax, self.ls, Labels(self.font))
        self.y -= h + 0.1


def write_pdf(blocks, ls: Landscape, font, *, title: str, author: str) -> bytes:
    from matplotlib.backends.backend_pdf import PdfPages

    out = io.BytesIO()
    with charts.font_context(font), PdfPages(out, metadata={"Title": title, "Author": author}) as pdf:
        pages = _Pages(pdf, ls, font)
        for block in blocks:
            if isinstance(block, TitlePage):
                pages.text(block.brand, 12, align="center")
                pages.y -= 2.2
                pages.text(block.title, 26, "bold", align="center")
                pages.text(block.subtitle, 18, align="center")
                pages.y -= 1.6
                for line in block.lines:
                    pages.text(line, 11, align="center")
                pages._new()
            elif isinstance(block, Heading):
                pages.need(0.9)
                pages.y -= 0.1
                pages.text(block.text, 15 if block.level == 1 else 12.5, "bold")
            elif isinstance(block, Para):
                pages.text(block.text)
            elif isinstance(block, Table):
                pages.table(block)
            elif isinstance(block, Chart):
                pages.chart(block)
        pages.close()
    return out.getvalue()


# --- building a report ---------------------------------------------------------------------------


@dataclass
class Documents:
    docx: bytes
    pdf: bytes | None
    note: str
    total: int


def build_documents(report, progress=lambda percent, message="": None) -> Documents:
    """The DOCX (and PDF when a CJK font is found) of `report`, telling progress on the way."""
    progress(5, _("Counting the patents"))
    ls = landscape(report.query)
    local_names = local_applicants(report.query, [name for name, _n in ls.top_applicants])
    progress(30, _("Drawing the charts"))
    font = charts.cjk_font()
    pngs = {}
    for i, name in enumerate(charts.CHARTS):
        pngs[name] = charts.png(name, ls, font)
        progress(30 + 35 * (i + 1) // len(charts.CHARTS), _("Drawing the charts"))
    blocks = outline(ls, title=report.title, query=report.query, local_names=local_names, font=font)
    _city, brand = city_and_brand()
    full_title = f"{report.title} {_('Patent navigation report')}"
    progress(70, _("Writing the DOCX document"))
    docx = write_docx(blocks, pngs, title=full_title, author=brand)
    pdf, note = None, ""
    if font is not None:
        progress(85, _("Writing the PDF document"))
        pdf = write_pdf(blocks, ls, font, title=full_title, author=brand)
    else:
        note = _(
            "No CJK font was found on the server, so no PDF was made and the charts label Chinese "
            "names by number (the tables carry them). Installing a CJK font (on Debian: fonts-noto-cjk) "
            "gives both."
        )
    return Documents(docx=docx, pdf=pdf, note=note, total=ls.total)
