"""Demo training events: published by the demo agency staff through the same services as the pages."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from zhichan.accounts.models import User
from zhichan.training import services
from zhichan.training.models import TrainingEvent

DEMO_EVENTS = [
    {
        "title": "专利申请实务培训（示例）",
        "audience": "enterprises",
        "days": 10,
        "hours": "3",
        "capacity": 40,
        "venue": "区政务服务中心三楼培训室（示例）",
        "description": "面向中小企业：专利申请文件撰写、费用减缴与审查意见答复。",
    },
    {
        "title": "知识产权服务万里行·走进园区（示例）",
        "audience": "tour",
        "days": 20,
        "hours": "2",
        "capacity": 25,
        "venue": "园区企业服务大厅（示例）",
        "description": "上门解答商标注册、专利导航与维权援助问题。",
    },
    {
        "title": "知识产权服务人员业务培训（示例）",
        "audience": "agency_staff",
        "days": 14,
        "hours": "6",
        "capacity": 60,
        "venue": "",
        "online_url": "https://meeting.example.com/zhichan-demo",
        "description": "网点工作人员业务能力提升：商标受理要点与服务规范。",
    },
]


def create_demo_training(log=print) -> list[TrainingEvent]:
    """Once: the demo events of the demo staff's agency, published. Nothing when they exist."""
    staff = User.objects.filter(username="demo-staff").select_related("agency__region").first()
    if staff is None or staff.agency is None:
        return []
    made = []
    today = timezone.localtime().replace(hour=9, minute=30, second=0, microsecond=0)
    for spec in DEMO_EVENTS:
        if TrainingEvent.objects.filter(organiser=staff.agency, title=spec["title"]).exists():
            continue
        start = today + dt.timedelta(days=spec["days"])
        event = services.do_create_event(
            staff,
            title=spec["title"],
            audience=spec["audience"],
            description=spec["description"],
            organiser=staff.agency,
            region=staff.agency.region,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=float(spec["hours"]) + 0.5),
            venue=spec["venue"],
            online_url=spec.get("online_url", ""),
            capacity=spec["capacity"],
            hours=spec["hours"],
        )
        made.append(services.do_publish_event(staff, event))
    if made:
        log(f"training events: {len(made)} published by {staff.agency.name}")
    return made
