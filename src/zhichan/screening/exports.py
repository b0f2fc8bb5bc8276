"""A screening result as an XLSX sheet: the query, the risk, then one row per similar mark."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook


def result_workbook(result) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Screening")[:31]
    query = result.query
    sheet.append([_("Proposed mark"), query.mark])
    sheet.append([_("Nice classes"), ", ".join(str(n) for n in query.classes)])
    sheet.append([_("Similar groups"), ", ".join(query.groups)])
    sheet.append([_("Goods or services"), ", ".join(query.goods)])
    sheet.append([_("Risk"), result.risk_label])
    sheet.append([_("Explanation"), result.explanation])
    sheet.append([])
    sheet.append(
        [
            _("Rank"),
            _("Mark"),
            _("Registration number"),
            _("Nice class"),
            _("Similar groups"),
            _("Status"),
            _("Applicants"),
            _("Goods"),
            _("Score"),
            _("Risk"),
            _("Reasons"),
        ]
    )
    for rank, hit in enumerate(result.hits, start=1):
        mark = hit.trademark
        reasons = "; ".join(f"{item['label']} ({item['detail']})" for item in hit.reason_list)
        sheet.append(
            [
                rank,
                mark.name,
                mark.registration_number,
                mark.nice_class,
                ", ".join(mark.similar_groups or []),
                mark.get_status_display(),
                "; ".join(mark.applicants or []),
                hit.relation_label,
                hit.weighted,
                hit.risk_label,
                reasons,
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
