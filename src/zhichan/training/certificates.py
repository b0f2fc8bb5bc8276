"""Attendance certificates: a one-page PDF drawn with matplotlib in the CJK report font
(ZHICHAN_REPORT_FONT, as the navigation reports), or a DOCX when the server has no CJK font."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from zhichan.ipdata import charts
from zhichan.training.models import Registration


@dataclass
class Certificate:
    content: bytes
    content_type: str
    filename: str


def _lines(registration: Registration) -> dict:
    from zhichan.portal.context import site

    event = registration.event
    start = timezone.localtime(event.starts_at)
    person = registration.user
    return {
        "brand": str(site(None)["site_brand"]),
        "title": _("Certificate of training"),
        "name": person.display_name or person.username,
        "body": _(
            "attended “%(title)s” on %(date)s, organised by %(organiser)s, and is credited %(hours)s hours."
        )
        % {
            "title": event.title,
            "date": start.strftime("%Y-%m-%d"),
            "organiser": event.organiser.name,
            "hours": event.hours,
        },
        "number": _("Certificate number: %(n)s") % {"n": registration.certificate_number},
        "issued": _("Issued %(date)s") % {"date": timezone.localdate().isoformat()},
    }


def _pdf(lines: dict, font) -> bytes:
    import textwrap

    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    out = io.BytesIO()
    with charts.font_context(font), PdfPages(out, metadata={"Title": lines["title"]}) as pdf:
        fig = Figure(figsize=(11.69, 8.27))  # A4 landscape
        fig.patches.append(
            Rectangle((0.04, 0.05), 0.92, 0.9, transform=fig.transFigure, fill=False, lw=3, ec="#8a6d1f")
        )
        fig.text(0.5, 0.84, lines["brand"], ha="center", fontsize=14, color="#555555")
        fig.text(0.5, 0.70, lines["title"], ha="center", fontsize=34, weight="bold", color="#8a6d1f")
        fig.text(0.5, 0.56, lines["name"], ha="center", fontsize=26, weight="bold")
        body = (
            "\n".join(textwrap.wrap(lines["body"], 46))
            if lines["body"].isascii()
            else _wrap_cjk(lines["body"])
        )
        fig.text(0.5, 0.44, body, ha="center", va="top", fontsize=15, linespacing=1.6)
        fig.text(0.08, 0.1, lines["number"], fontsize=10, color="#555555")
        fig.text(0.92, 0.1, lines["issued"], ha="right", fontsize=10, color="#555555")
        pdf.savefig(fig)
    return out.getvalue()


def _wrap_cjk(text: str, width: int = 34) -> str:
    return "\n".join(text[i : i + width] for i in range(0, len(text), width))


def _docx(lines: dict, font_missing_note: str) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    doc = Document()
    doc.core_properties.title = lines["title"]
    doc.core_properties.language = "zh-CN"
    for key, size, bold in (
        ("brand", 12, False),
        ("title", 28, True),
        ("name", 22, True),
        ("body", 14, False),
    ):
        paragraph = doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(lines[key])
        run.font.size, run.bold = Pt(size), bold
    doc.add_paragraph(lines["number"])
    doc.add_paragraph(lines["issued"])
    note = doc.add_paragraph(font_missing_note)
    note.runs[0].font.size = Pt(8)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


NO_FONT = gettext_noop(
    "No CJK font was found on the server, so the certificate is a Word document instead of a PDF "
    "(installing a CJK font, on Debian fonts-noto-cjk, gives the PDF)."
)


def pdf_available() -> bool:
    return charts.cjk_font() is not None


def build(registration: Registration) -> Certificate:
    lines = _lines(registration)
    stem = f"certificate-{registration.certificate_number}"
    font = charts.cjk_font()
    if font is not None:
        return Certificate(_pdf(lines, font), "application/pdf", f"{stem}.pdf")
    return Certificate(
        _docx(lines, _(NO_FONT)),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        f"{stem}.docx",
    )
