"""A demo provider: a university's IP information centre, approved, with one free offer and one
application for it, made through the same service functions as real ones. Running the demo
again finds them and adds nothing."""

from __future__ import annotations

import secrets

from django.db import transaction

from zhichan.accounts.models import User
from zhichan.providers import services
from zhichan.providers.models import ApplicationStatus, Offer, ProviderApplication
from zhichan.regions.models import Region

DEMO_USCC = "12140700MB0312345U"
DEMO_ADMIN = "demo-provider-admin"
DEMO_CASE_KEY = "demo-provider-1"


def create_demo_provider(county_code: str) -> list[tuple[str, str, str]]:
    """Make what is missing; returns the (username, role, password) of an account made now."""
    region = Region.objects.filter(code=county_code).first()
    reviewer = User.objects.filter(username="demo-city-admin").first()
    if region is None or reviewer is None:
        return []
    made = []
    with transaction.atomic():
        application = ProviderApplication.objects.filter(uscc=DEMO_USCC).first()
        if application is None:
            application = services.do_apply(
                None,
                name="太谷高校知识产权信息服务中心（示例）",
                type="university",
                region=region,
                address="太谷区示例路1号图书馆三层",
                contact_person="赵老师",
                phone="0354-0000000",
                email="ip-centre@university.example.edu.cn",
                uscc=DEMO_USCC,
                services="面向中小企业的专利检索、科技查新和知识产权信息利用培训，公益免费。",
                functions=["information", "training"],
            )
        if application.status == ApplicationStatus.PENDING:
            application = services.do_approve(reviewer, application, note="示例数据")
            # The demo shows a password like the other demo accounts instead of an e-mailed link.
            password = secrets.token_urlsafe(9)
            account = application.account
            account.username = DEMO_ADMIN
            account.set_password(password)
            account.save(update_fields=["username", "password"])
            made.append((DEMO_ADMIN, account.get_role_display(), password))
        admin = application.account
        if admin is None or application.agency is None:
            return made
        offer = Offer.objects.filter(item__provider=application.agency).first()
        if offer is None:
            offer = services.do_create_offer(
                admin,
                title="专利检索与查新公益服务",
                title_en="Free patent search and novelty checks",
                description="由高校图书馆专业馆员为县域中小企业提供专利检索、查新和检索报告解读，免费。",
                category="information",
                price="0",
                counties=[region.code],
                capacity_note="每月受理20家企业",
                time_limit_days=10,
            )
        from zhichan.cases.models import Case

        if not Case.objects.filter(idempotency_key=DEMO_CASE_KEY).exists():
            services.do_apply_for_offer(
                None,
                offer,
                region=region,
                idempotency_key=DEMO_CASE_KEY,
                subject="申请新产品上市前的专利检索",
                description="我公司计划推出一款小米深加工产品，想在上市前检索相关专利，避免侵权。",
                requester_name="刘经理",
                requester_phone="13900000011",
            )
    return made
