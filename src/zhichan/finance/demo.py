"""Demo finance data: a staff account of the consortium's bank and a published loan product."""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.db import transaction

from zhichan.accounts.models import Role, User
from zhichan.agencies.models import Agency, AgencyType
from zhichan.finance import services
from zhichan.finance.models import LoanProduct

BANK_USER = "demo-bank"


def create_demo_finance(log=print) -> list[tuple[str, str, str]]:
    """Once: the account demo-bank (staff of the first operating financial institution offering
    pledge financing) and its product. Returns the accounts made, (username, role, password)."""
    bank = (
        Agency.objects.filter(type=AgencyType.FINANCIAL, status="operating", services__code="PLEDGE-FIN")
        .order_by("pk")
        .first()
    )
    if bank is None:
        return []
    made = []
    with transaction.atomic():
        user = User.objects.filter(username=BANK_USER).first()
        if user is None:
            password = secrets.token_urlsafe(9)
            user = User.objects.create_user(
                username=BANK_USER, password=password, role=Role.AGENCY_STAFF, agency=bank
            )
            made.append((BANK_USER, Role.AGENCY_STAFF.label, password))
        if not LoanProduct.objects.filter(institution=bank).exists():
            services.do_save_product(
                user,
                institution=bank,
                name="知识产权质押贷",
                description="以有效专利权、注册商标专用权出质，最高1000万元，期限1至3年。",
                amount_min=Decimal("100000"),
                amount_max=Decimal("10000000"),
                term_min_months=12,
                term_max_months=36,
                rate_min=Decimal("3.45"),
                rate_max=Decimal("4.80"),
                ip_types=["patent", "trademark"],
                published=True,
            )
            log(f"finance: loan product of {bank.name}")
    return made
