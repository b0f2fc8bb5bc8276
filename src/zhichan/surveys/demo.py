"""Demo surveys: an open city-wide satisfaction survey with generated anonymous answers, and a
closed one of the previous quarter. Made by the demo city administrator through the services."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from zhichan.accounts.models import User
from zhichan.evaluation.periods import Period, PeriodKind
from zhichan.surveys import services
from zhichan.surveys.models import QuestionKind, Survey

QUESTIONS = [
    (
        QuestionKind.SINGLE,
        "您本次主要通过哪种渠道获得知识产权服务？",
        ["服务中心窗口", "网上平台", "12345/服务热线", "上门服务（万里行）"],
        True,
    ),
    (
        QuestionKind.MULTIPLE,
        "您办理或咨询过哪些事项？（可多选）",
        ["商标注册", "专利申请", "维权援助", "质押融资", "信息检索"],
        True,
    ),
    (QuestionKind.SCALE, "您对工作人员的服务态度是否满意？", [], True),
    (QuestionKind.SCALE, "您对办理时限是否满意？", [], True),
    (QuestionKind.SCALE, "您对办事指南是否清楚易懂满意吗？", [], True),
    (QuestionKind.SCALE, "总体而言，您对知识产权公共服务是否满意？", [], True),
    (QuestionKind.SINGLE, "您是否会向他人推荐我们的服务？", ["会", "不一定", "不会"], False),
    (QuestionKind.TEXT, "您对改进服务有什么意见或建议？", [], False),
]
SUGGESTIONS = [
    "希望窗口午休时间也能办理。",
    "网上平台的材料清单可以再细一些。",
    "热线等待时间有点长。",
    "工作人员很耐心，讲解清楚。",
    "建议在园区多设几个服务点。",
    "希望多举办商标品牌培训。",
]


def _answers(survey, rng: random.Random, mood: float) -> dict:
    answers = {}
    for question in survey.questions.prefetch_related("options"):
        options = [o.pk for o in question.options.all()]
        if question.kind == QuestionKind.SINGLE:
            answers[question.pk] = options[min(int(rng.random() ** 1.5 * len(options)), len(options) - 1)]
        elif question.kind == QuestionKind.MULTIPLE:
            answers[question.pk] = rng.sample(options, rng.randint(1, 3))
        elif question.kind == QuestionKind.SCALE:
            answers[question.pk] = max(1, min(5, round(rng.gauss(mood, 0.9))))
        elif rng.random() < 0.4:
            answers[question.pk] = rng.choice(SUGGESTIONS)
    return answers


def _survey(admin, title, intro, opens_on, closes_on, *, open_on):
    survey = services.do_create_survey(
        admin,
        title=title,
        intro=intro,
        opens_on=opens_on,
        closes_on=closes_on,
        audience="everyone",
        region=admin.region,
        ask_county=True,
    )
    for kind, text, options, required in QUESTIONS:
        services.do_add_question(admin, survey, kind=kind, text=text, options=options, required=required)
    return services.do_open_survey(admin, survey, on=open_on)


def _fill(survey, n, days, seed, mood):
    rng = random.Random(seed)  # nosec B311  # seeded for repeatable demo data, not a secret
    counties = list(services.county_choices(survey).values_list("pk", flat=True))
    for i in range(n):
        on = days[0] + dt.timedelta(days=rng.randrange(max((days[1] - days[0]).days, 0) + 1))
        county = rng.choice(counties) if counties and rng.random() < 0.8 else None
        services.do_submit(
            survey, _answers(survey, rng, mood), browser_token=f"demo-{seed}-{i}", county=county, on=on
        )


def create_demo_surveys(log=print) -> list[Survey]:
    """Once per quarter: the quarter's open survey and the previous quarter's closed one."""
    admin = User.objects.filter(username="demo-city-admin").select_related("region").first()
    if admin is None or admin.region is None:
        return []
    today = timezone.localdate()
    quarter = Period.containing(today, PeriodKind.QUARTER)
    previous = quarter.previous()
    made = []
    title = f"{previous.year}年第{previous.number}季度知识产权公共服务满意度调查"
    if not Survey.objects.filter(title=title).exists():
        last_day = previous.end - dt.timedelta(days=1)
        survey = _survey(admin, title, "感谢您参与本季度满意度调查，答卷匿名。", previous.start, last_day,
                         open_on=previous.start)  # fmt: skip
        _fill(survey, 36, (previous.start, last_day), seed=previous.year * 10 + previous.number, mood=3.9)
        made.append(services.do_close_survey(admin, survey))
    title = f"{quarter.year}年第{quarter.number}季度知识产权公共服务满意度调查"
    if not Survey.objects.filter(title=title).exists():
        intro = (
            "为持续改进知识产权公共服务，请您花两分钟时间对近期接受的服务进行评价。"
            "问卷匿名填写，不记录姓名、账号和网络地址。"
        )
        survey = _survey(
            admin, title, intro, quarter.start, quarter.end - dt.timedelta(days=1), open_on=today
        )
        _fill(survey, 24, (quarter.start, today), seed=quarter.year * 10 + quarter.number, mood=4.2)
        made.append(survey)
    if made:
        log(f"surveys: {len(made)} with generated anonymous answers")
    return made
