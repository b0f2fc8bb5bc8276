"""Sample requests for the demo, so the agency inbox and the tracking page have something to show.

They are filed and handled through the same service functions as real ones; each carries an
idempotency key, so running `zhichan demo` again adds nothing.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from zhichan.accounts.models import User
from zhichan.cases import services
from zhichan.cases.models import Case, CaseType, Channel, RatingLevel
from zhichan.fairs.models import Fair, default_accept_hours, default_decide_hours
from zhichan.fairs.services import do_create_fair
from zhichan.regions.models import Region

DEMO_FAIR = "特色农产品交易博览会（示例）"

# (key, channel, fields, how far it has been handled)
SAMPLES = [
    (
        "demo-1",
        Channel.WEB,
        {
            "type": CaseType.CONSULTATION,
            "subtype": "policy",
            "subject": "小微企业申请专利费用减缴需要什么材料",
            "description": (
                "我们是太谷区的一家食品企业，准备申请两件实用新型专利，想了解费用减缴的条件和材料。"
            ),
            "requester_name": "王女士",
            "requester_phone": "13900000001",
        },
        "new",
    ),
    (
        "demo-2",
        Channel.HOTLINE,
        {
            "type": CaseType.CONSULTATION,
            "subtype": "legal",
            "subject": "商标被他人抢注后如何提出异议",
            "description": (
                "来电人称其经营多年的字号被他人申请注册为商标，初审公告尚在异议期内，询问如何办理。"
            ),
            "requester_name": "李先生",
            "requester_phone": "13900000002",
        },
        "accepted",
    ),
    (
        "demo-3",
        Channel.WINDOW,
        {
            "type": CaseType.CONSULTATION,
            "subtype": "business",
            "subject": "专利权质押融资的办理流程",
            "description": "企业拟以两件发明专利向银行申请质押贷款，询问评估、登记的流程和所需时间。",
            "requester_name": "赵经理",
            "requester_phone": "13900000003",
        },
        "supplement",
    ),
    (
        "demo-4",
        Channel.WEB,
        {
            "type": CaseType.CONSULTATION,
            "subtype": "policy",
            "subject": "地理标志产品专用标志如何申请使用",
            "description": "合作社生产的农产品属于已保护的地理标志产品，想了解申请使用专用标志的条件。",
            "requester_name": "刘先生",
            "requester_email": "liu@example.com",
        },
        "rated",
    ),
]


def _region(code):
    return Region.objects.filter(code=code).first()


def create_demo_fair(county_code: str) -> Fair | None:
    """An illustrative fair running now, so a fair complaint shows the fast track.

    Registered by the demo city administrator through the same service as the fair pages.
    """
    region = _region(county_code)
    admin = User.objects.filter(username="demo-city-admin").first()
    if region is None or admin is None:
        return None
    existing = Fair.objects.filter(name=DEMO_FAIR, region=region).first()
    if existing is not None:
        return existing
    now = timezone.now()
    return do_create_fair(
        admin,
        name=DEMO_FAIR,
        region=region,
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=2),
        venue="太谷区会展中心（示例）",
        organiser="示例主办单位",
        workstation=region.agencies.filter(status="operating").order_by("pk").first(),
        accept_hours=default_accept_hours(),
        decide_hours=default_decide_hours(),
    )


def create_demo_requests(county_code: str) -> list[Case]:
    """File the sample requests that do not exist yet; the county's demo staff handle them."""
    region = _region(county_code)
    staff = User.objects.filter(username="demo-staff").first()
    if region is None or staff is None:
        return []
    made = []
    for key, channel, fields, stage in SAMPLES:
        if Case.objects.filter(idempotency_key=key).exists():
            continue
        with transaction.atomic():
            filer = staff if channel in (Channel.HOTLINE, Channel.WINDOW) else None
            case = services.do_intake(filer, channel, idempotency_key=key, region=region, **fields)
            made.append(case)
            if stage == "new" or not services.can_handle(staff, case):
                continue
            case = services.do_accept(staff, case, "")
            case = services.do_assign(staff, case, staff.pk)
            if stage == "supplement":
                services.do_request_supplement(
                    staff, case, "请补充拟质押专利的证书复印件和最近一期财务报表。"
                )
            elif stage == "rated":
                case = services.do_reply(
                    staff,
                    case,
                    "可向县（市、区）市场监督管理部门提出申请，经审核后使用专用标志；材料清单见办事指南。",
                )
                case = services.do_close(staff, case, "")
                services.do_rate(
                    None, case, RatingLevel.SATISFIED, "答复清楚，谢谢。", token=case.tracking_token
                )
    return made
