"""A search result as an XLSX sheet, one row per patent, headers in the reader's language."""

from __future__ import annotations

import io

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import Workbook

from zhichan.ipdata.charts import status_label, type_label
from zhichan.ipdata.search import patents_for, search_patents
from zhichan.ipdata.search.service import MAX_PER_PAGE
from zhichan.ipdata.statistics import county_of_region

# The search pages stop at result 10,000; the export follows the same pages.
HARD_LIMIT = 10_000


def export_limit() -> int:
    return max(1, min(int(getattr(settings, "ZHICHAN_SEARCH_EXPORT_MAX", HARD_LIMIT)), HARD_LIMIT))


def headers() -> list[str]:
    return [
        _("Application number"),
        _("Application date"),
        _("Title"),
        _("Applicants"),
        _("Inventors"),
        _("IPC"),
        _("Type"),
        _("Legal status"),
        _("County"),
    ]


def result_workbook(query: str, *, filters=None, sort: str = "relevance") -> bytes:
    """The patents the search finds, in its order, up to the export limit.

    Raises what search_patents raises (QuerySyntaxError, ValidationError) before writing anything.
    """
    limit = export_limit()
    per_page = min(MAX_PER_PAGE, limit)
    first = search_patents(
        query, filters=filters, page=1, per_page=per_page, sort=sort, facets=False, highlight=False
    )
    counties = county_of_region()
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Patents")[:31])
    sheet.append(headers())
    written, page, result = 0, 1, first
    while True:
        for patent, _hit in patents_for(result):
            if written >= limit:
                break
            county = counties.get(patent.region_id)
            sheet.append(
                [
                    patent.application_number,
                    patent.application_date,
                    patent.title,
                    "; ".join(patent.applicants or []),
                    "; ".join(patent.inventors or []),
                    "; ".join(patent.ipc_codes or []),
                    type_label(patent.patent_type),
                    status_label(patent.legal_status),
                    county.name if county else (patent.region.name if patent.region_id else ""),
                ]
            )
            written += 1
        page += 1
        if written >= limit or (page - 1) * per_page >= min(first.total, limit):
            break
        result = search_patents(
            query, filters=filters, page=page, per_page=per_page, sort=sort, facets=False, highlight=False
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
