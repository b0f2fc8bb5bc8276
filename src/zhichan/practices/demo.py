"""Demo good practice: four write-ups of the demo agency, approved by the county administrator."""

from __future__ import annotations

from zhichan.accounts.models import User
from zhichan.practices import services
from zhichan.practices.models import Practice

DEMO_PRACTICES = [
    {
        "title": "“一站式”知识产权维权援助服务助力太谷饼老字号维权（示例）",
        "category": "rights_protection",
        "tags": "维权援助, 老字号, 商标",
        "summary": (
            "区知识产权服务中心联合市场监管部门，为本地糕点企业提供侵权线索收集、证据固定与行政调解一站式服务。"
        ),
        "body": (
            "2025年以来，多家本地糕点企业反映外地商户在电商平台使用近似包装和名称销售产品，"
            "影响老字号声誉。\n\n"
            "服务中心设立维权援助专窗，安排专人受理企业线索，指导企业通过公证和时间戳方式固定证据，"
            "并协调市场监管部门开展行政调解。\n\n"
            "全年受理维权援助申请二十余件，调解成功率超过八成，企业维权周期明显缩短。"
        ),
    },
    {
        "title": "知识产权服务“万里行”走进农谷园区（示例）",
        "category": "training",
        "tags": "万里行, 园区, 培训",
        "summary": "组织服务团队深入园区企业，开展商标品牌、专利布局和地理标志保护专题宣讲与现场咨询。",
        "body": (
            "服务团队由服务中心工作人员、专利代理师和高校教师组成，每月固定一天进驻园区企业服务大厅。\n\n"
            "针对农业科技企业特点，重点讲解植物新品种与专利的衔接、地理标志产品保护和品牌培育。\n\n"
            "活动累计服务企业一百余家次，帮助多家企业完成首件商标注册申请。"
        ),
    },
    {
        "title": "专利质押融资“政银担”联动帮助科技型中小企业解难题（示例）",
        "category": "operation_finance",
        "tags": "质押融资, 中小企业",
        "summary": "服务中心为企业梳理可质押专利、对接合作银行与担保机构，缩短融资办理时间。",
        "body": (
            "不少科技型中小企业拥有专利却缺少抵押物，融资难问题突出。\n\n"
            "服务中心建立质押融资需求清单，对企业专利进行初步评估后推荐给合作银行，"
            "担保机构同步介入，形成“政银担”联动机制。\n\n"
            "试点以来，已帮助多家企业获得专利质押贷款，平均办理时间缩短至二十个工作日以内。"
        ),
    },
    {
        "title": "“服务中心+工作站”延伸知识产权公共服务网络（示例）",
        "category": "network_building",
        "tags": "网络建设, 工作站",
        "summary": "在乡镇和园区设立知识产权工作站，由服务中心统一培训和指导，实现基本服务就近可办。",
        "body": (
            "为解决企业和群众办事跑远路的问题，区里依托乡镇便民服务中心和园区管委会设立知识产权工作站。\n\n"
            "服务中心统一制定服务清单和办事指南，定期培训工作站人员，复杂事项通过线上转办由中心承办。\n\n"
            "工作站覆盖主要产业聚集区，商标注册咨询等基本服务实现就近办理。"
        ),
    },
]


def create_demo_practices(log=print) -> list[Practice]:
    """Once: the four demo practices, submitted by the demo staff and approved by the county admin."""
    staff = User.objects.filter(username="demo-staff").select_related("agency__region").first()
    reviewer = User.objects.filter(username="demo-county-admin").first()
    if staff is None or staff.agency is None or reviewer is None:
        return []
    county = staff.agency.region.county or staff.agency.region
    made = []
    for spec in DEMO_PRACTICES:
        if Practice.objects.filter(title=spec["title"]).exists():
            continue
        practice = services.do_create_practice(staff, county=county, agency=staff.agency, **spec)
        services.do_submit_practice(staff, practice)
        made.append(services.do_approve_practice(reviewer, practice))
    if made:
        log(f"good practice: {len(made)} published")
    return made
