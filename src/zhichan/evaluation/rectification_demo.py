"""A demo rectification notice: issued by the demo county administrator to the demo agency,
answered by its administrator and accepted, through the same services as the pages.

It ends accepted, so the agency operates again: the city's data file says the agency operates,
and loading the file a second time must change nothing.
"""

from __future__ import annotations

from zhichan.accounts.models import User
from zhichan.evaluation import rectification
from zhichan.evaluation.models import RectificationNotice

DEMO_FINDINGS = "（示例）季度评价发现：窗口服务台账记录不全，部分咨询未登记办结时间。"
DEMO_ACTIONS = "补全本季度服务台账；建立每日登记核对制度；整改完成后提交整改报告。"
DEMO_RESPONSE = "已补全台账并建立每日核对制度，附整改报告（示例）。"


def create_demo_rectification(log=print) -> RectificationNotice | None:
    """Once: the demo notice with its response, accepted. Nothing when it exists or data is missing."""
    issuer = User.objects.filter(username="demo-county-admin").first()
    responder = User.objects.filter(username="demo-agency-admin").select_related("agency").first()
    if issuer is None or responder is None or responder.agency is None:
        return None
    agency = responder.agency
    if RectificationNotice.objects.filter(agency=agency, findings=DEMO_FINDINGS).exists():
        return None
    if agency.status != "operating" or not rectification.can_issue(issuer, agency):
        return None
    notice = rectification.do_issue_notice(
        issuer, agency, findings=DEMO_FINDINGS, required_actions=DEMO_ACTIONS, deadline=None
    )
    rectification.do_respond(responder, notice, text=DEMO_RESPONSE)
    rectification.do_accept(issuer, notice, note="整改到位，恢复运行（示例）。")
    log(f"demo rectification notice: {agency.name}")
    return notice
