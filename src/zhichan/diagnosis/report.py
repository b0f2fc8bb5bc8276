"""A diagnosis as a report: the page, the printable page and the DOCX read the same structure."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from zhichan.diagnosis import services
from zhichan.diagnosis.models import Diagnosis


def severity_labels() -> dict[str, str]:
    return {"high": _("High"), "medium": _("Medium"), "low": _("Low"), "info": _("Opportunity")}


def level_labels() -> dict[str, str]:
    return {"high": _("High risk"), "medium": _("Medium risk"), "low": _("Low risk"), "": _("Not assessed")}


@dataclass
class Report:
    diagnosis: Diagnosis
    title: str
    level: str
    level_label: str
    index: int
    dimensions: list[dict]
    findings: list[dict]
    services: list[dict]
    sections: list[dict]
    enterprise_checked: bool
    brand: str = ""
    lines: list[str] = field(default_factory=list)


def build(diagnosis: Diagnosis) -> Report:
    result = diagnosis.result
    severities, levels = severity_labels(), level_labels()
    refs = {ref for f in result.get("findings", []) for ref in f.get("legal_basis", [])}
    links = services.article_links(refs)
    items = {i.code: i for i in services.recommended_items(result)}
    titles = {f["key"]: f["title"] for f in result.get("findings", [])}
    findings = [
        {
            **f,
            "severity_label": severities.get(f["severity"], f["severity"]),
            "basis": [{"ref": ref, "url": links.get(ref, "")} for ref in f.get("legal_basis", [])],
            "items": [items[c] for c in f.get("services", []) if c in items],
        }
        for f in result.get("findings", [])
    ]
    recommended = [
        {
            "item": items[s["code"]],
            "severity": s["severity"],
            "severity_label": severities.get(s["severity"], s["severity"]),
            "reasons": [titles[k] for k in s["findings"] if k in titles],
        }
        for s in result.get("services", [])
        if s["code"] in items
    ]
    dimensions = [{**d, "level_label": levels.get(d["level"], "")} for d in result.get("dimensions", [])]
    lines = [
        _("Enterprise: %(name)s") % {"name": diagnosis.enterprise_name or _("not given")},
    ]
    if diagnosis.uscc:
        lines.append(_("Unified social credit code: %(code)s") % {"code": diagnosis.uscc})
    if diagnosis.region_id:
        lines.append(_("County: %(name)s") % {"name": diagnosis.region.name})
    when = timezone.localtime(diagnosis.submitted_at or timezone.now())
    lines.append(_("Date: %(date)s") % {"date": when.strftime("%Y-%m-%d")})
    return Report(
        diagnosis=diagnosis,
        title=diagnosis.questionnaire.title,
        level=result.get("level", ""),
        level_label=levels.get(result.get("level", ""), ""),
        index=result.get("index", 0),
        dimensions=dimensions,
        findings=findings,
        services=recommended,
        sections=services.answered(diagnosis),
        enterprise_checked=bool(result.get("enterprise_checked")),
        brand=_brand(),
        lines=lines,
    )


def _brand() -> str:
    from zhichan.portal.context import site

    return site(None)["site_brand"]


# --- DOCX ---------------------------------------------------------------------------------------


def _east_asian(style, name: str):
    from docx.oxml.ns import qn

    rpr = style.element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), name)


def write_docx(report: Report) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    doc = Document()
    doc.core_properties.title = report.title
    doc.core_properties.author = report.brand
    doc.core_properties.language = "zh-CN"
    styles = doc.styles
    styles["Normal"].font.size = Pt(10.5)
    _east_asian(styles["Normal"], "宋体")
    for name in ("Title", "Heading 1", "Heading 2"):
        _east_asian(styles[name], "黑体")

    if report.brand:
        doc.add_paragraph(report.brand).alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph(_("IP risk diagnosis report"), style="Title").alignment = WD_ALIGN_PARAGRAPH.CENTER
    for line in report.lines:
        doc.add_paragraph(line)
    summary = doc.add_paragraph()
    summary.add_run(
        _("Overall: %(level)s (risk index %(index)s of 100)")
        % {
            "level": report.level_label,
            "index": report.index,
        }
    ).bold = True

    doc.add_heading(_("Risk by dimension"), level=1)
    table = doc.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, (_("Dimension"), _("Risk index"), _("Level")), strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    for dim in report.dimensions:
        cells = table.add_row().cells
        cells[0].text = dim["name"]
        cells[1].text = "" if dim["index"] is None else str(dim["index"])
        cells[2].text = dim["level_label"]

    doc.add_heading(_("Findings"), level=1)
    if not report.findings:
        doc.add_paragraph(_("No risks were found from the answers given."))
    for number, f in enumerate(report.findings, start=1):
        doc.add_heading(f"{number}. {f['title']}（{f['severity_label']}）", level=2)
        if f.get("detail"):
            doc.add_paragraph(f["detail"])
        doc.add_paragraph(f["explanation"])
        if f["basis"]:
            doc.add_paragraph(
                _("Legal basis: %(refs)s") % {"refs": "；".join(f"《{b['ref']}》" for b in f["basis"])}
            )
        if f["items"]:
            doc.add_paragraph(
                _("Recommended services: %(items)s")
                % {"items": "、".join(i.display_name for i in f["items"])}
            )

    doc.add_heading(_("Recommended services"), level=1)
    for entry in report.services:
        doc.add_paragraph(
            f"{entry['item'].display_name}（{entry['item'].code}）：{'；'.join(entry['reasons'])}",
            style="List Bullet",
        )
    if not report.services:
        doc.add_paragraph(_("None."))

    doc.add_heading(_("Answers"), level=1)
    for section in report.sections:
        doc.add_heading(section["title"], level=2)
        for row in section["rows"]:
            p = doc.add_paragraph()
            p.add_run(row["question"]).bold = True
            p.add_run("\n" + (row["answer"] or _("(not answered)")))
    doc.add_paragraph(
        _("This report is generated from the answers given and the records on file; it is not legal advice.")
    )
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
