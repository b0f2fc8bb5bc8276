"""Figures of pledge financing and IP insurance, within what the user may see; XLSX export.

Industry is the IPC section of the pledge's first patent (main IPC); a pledge of trademarks
only counts under "Trademarks only".
"""

from __future__ import annotations

import io
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhichan.core.permissions import VIEW
from zhichan.finance.models import Claim, ClaimStatus, InsurancePolicy, Pledge, PolicyKind

IPC_SECTIONS = {
    "A": gettext_lazy("Human necessities"),
    "B": gettext_lazy("Performing operations; transporting"),
    "C": gettext_lazy("Chemistry; metallurgy"),
    "D": gettext_lazy("Textiles; paper"),
    "E": gettext_lazy("Fixed constructions"),
    "F": gettext_lazy("Mechanical engineering; lighting; heating; weapons; blasting"),
    "G": gettext_lazy("Physics"),
    "H": gettext_lazy("Electricity"),
}


def _section_label(section: str) -> str:
    if section in IPC_SECTIONS:
        return f"{section} {IPC_SECTIONS[section]}"
    if section == "TM":
        return _("Trademarks only")
    return _("IPC unknown")


def _add(table, key, amount):
    row = table.setdefault(key, {"count": 0, "amount": Decimal(0)})
    row["count"] += 1
    row["amount"] += amount


def _rows(table, order=None):
    keys = sorted(table, key=order or (lambda k: str(k)))
    return [{"key": str(k), "count": table[k]["count"], "amount": table[k]["amount"]} for k in keys]


def financing(user, year: int | None = None) -> dict:
    pledges = Pledge.objects.restrict(user, VIEW).select_related("pledgor__region__parent", "pledgee")
    if year:
        pledges = pledges.filter(registered_on__year=year)
    by_county, by_institution, by_year, by_industry = {}, {}, {}, {}
    first_patent = {}
    for pledge_id, _number, ipc in (
        Pledge.patents.through.objects.filter(pledge__in=pledges)
        .order_by("pledge_id", "patent__application_number")
        .values_list("pledge_id", "patent__application_number", "patent__main_ipc")
    ):
        first_patent.setdefault(pledge_id, (ipc or "?")[:1].upper())
    total = {"count": 0, "amount": Decimal(0)}
    for pledge in pledges:
        region = pledge.pledgor.region
        county = region.county if region is not None else None
        _add(by_county, county.display_name if county else _("County unknown"), pledge.amount)
        _add(by_institution, pledge.pledgee.name, pledge.amount)
        _add(by_year, pledge.registered_on.year, pledge.amount)
        _add(by_industry, _section_label(first_patent.get(pledge.pk, "TM")), pledge.amount)
        total["count"] += 1
        total["amount"] += pledge.amount
    return {
        "total": total,
        "by_county": _rows(by_county),
        "by_institution": _rows(by_institution),
        "by_year": _rows(by_year, order=lambda k: k),
        "by_industry": _rows(by_industry),
    }


def insurance(user, year: int | None = None) -> dict:
    policies = InsurancePolicy.objects.restrict(user, VIEW)
    claims = Claim.objects.restrict(user, VIEW)
    if year:
        policies = policies.filter(starts_on__year=year)
        claims = claims.filter(filed_on__year=year)
    kinds = dict(PolicyKind.choices)
    by_kind = [
        {
            "key": str(kinds.get(row["kind"], row["kind"])),
            "count": row["n"],
            "sum_insured": row["insured"] or Decimal(0),
            "premium": row["premium"] or Decimal(0),
        }
        for row in policies.values("kind")
        .annotate(n=Count("id"), insured=Sum("sum_insured"), premium=Sum("premium"))
        .order_by("kind")
    ]
    statuses = dict(ClaimStatus.choices)
    by_status = [
        {
            "key": str(statuses.get(row["status"], row["status"])),
            "count": row["n"],
            "claimed": row["claimed"] or Decimal(0),
            "paid": row["paid"] or Decimal(0),
        }
        for row in claims.values("status")
        .annotate(n=Count("id"), claimed=Sum("amount_claimed"), paid=Sum("amount_paid"))
        .order_by("status")
    ]
    by_insurer = defaultdict(lambda: {"count": 0, "amount": Decimal(0)})
    for name, premium in policies.values_list("insurer__name", "premium"):
        by_insurer[name]["count"] += 1
        by_insurer[name]["amount"] += premium
    return {
        "policies": sum(r["count"] for r in by_kind),
        "claims": sum(r["count"] for r in by_status),
        "by_kind": by_kind,
        "by_status": by_status,
        "by_insurer": _rows(dict(by_insurer)),
    }


def to_xlsx(fin: dict, ins: dict) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = _("Financing")[:31]
    for title, key in (
        (_("By county"), "by_county"),
        (_("By institution"), "by_institution"),
        (_("By year"), "by_year"),
        (_("By industry (IPC section)"), "by_industry"),
    ):
        sheet.append([title, _("Pledges"), _("Amount (yuan)")])
        for row in fin[key]:
            sheet.append([row["key"], row["count"], float(row["amount"])])
        sheet.append([])
    sheet.append([_("Total"), fin["total"]["count"], float(fin["total"]["amount"])])
    sheet = book.create_sheet(_("Insurance")[:31])
    sheet.append([_("Kind"), _("Policies"), _("Sum insured (yuan)"), _("Premium (yuan)")])
    for row in ins["by_kind"]:
        sheet.append([row["key"], row["count"], float(row["sum_insured"]), float(row["premium"])])
    sheet.append([])
    sheet.append([_("Claim status"), _("Claims"), _("Amount claimed (yuan)"), _("Amount paid (yuan)")])
    for row in ins["by_status"]:
        sheet.append([row["key"], row["count"], float(row["claimed"]), float(row["paid"])])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
