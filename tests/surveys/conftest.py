import datetime as dt

import pytest
from django.utils import timezone


@pytest.fixture(autouse=True)
def _english(english):
    """These tests quote the messages' English wording."""


def build_survey(world, *, region=None, status="open", audience="everyone", ask_county=False, **fields):
    """A survey with one question of each kind (single, multiple, scale, text), made directly."""
    from zhichan.surveys.models import Option, Question, Survey

    today = timezone.localdate()
    survey = Survey.objects.create(
        title=fields.pop("title", "网点服务满意度调查"),
        opens_on=fields.pop("opens_on", today - dt.timedelta(days=3)),
        closes_on=fields.pop("closes_on", today + dt.timedelta(days=30)),
        audience=audience,
        region=region or world.city,
        ask_county=ask_county,
        status=status,
        **fields,
    )
    single = Question.objects.create(survey=survey, order=1, kind="single", text="您通过什么渠道了解到服务？")
    for n, text in enumerate(["网站", "窗口", "热线"], start=1):
        Option.objects.create(question=single, order=n, text=text)
    multiple = Question.objects.create(
        survey=survey, order=2, kind="multiple", text="您使用过哪些服务？", required=False
    )
    for n, text in enumerate(["商标注册", "专利申请", "维权援助"], start=1):
        Option.objects.create(question=multiple, order=n, text=text)
    Question.objects.create(survey=survey, order=3, kind="scale", text="您对服务态度是否满意？")
    Question.objects.create(survey=survey, order=4, kind="text", text="您的建议", required=False)
    return survey


def qs(survey):
    """(single, multiple, scale, text) questions."""
    return tuple(survey.questions.order_by("order")[:4])


def good_answers(survey, scale=5):
    single, multiple, scale_q, text = qs(survey)
    return {
        single.pk: single.options.first().pk,
        multiple.pk: [o.pk for o in multiple.options.all()[:2]],
        scale_q.pk: scale,
        text.pk: "窗口服务很好",
    }


@pytest.fixture
def survey(world):
    return build_survey(world)


@pytest.fixture
def make(world):
    return lambda **kw: build_survey(world, **kw)
