"""A survey's results: counts per option, the satisfaction scale, free-text answers; XLSX and chart data."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count
from django.utils.translation import gettext as _

from zhichan.surveys.models import (
    CHOICE_KINDS,
    SATISFIED_FROM,
    SCALE_MAX,
    SCALE_MIN,
    Answer,
    Option,
    Question,
    QuestionKind,
    Survey,
)


def percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class OptionResult:
    label: str
    count: int
    share: Decimal | None  # of the question's answers


@dataclass
class QuestionResult:
    number: int
    question: Question
    answered: int = 0
    options: list[OptionResult] = field(default_factory=list)
    mean: Decimal | None = None
    satisfaction_rate: Decimal | None = None  # share of 4–5 among the scale answers, in percent
    texts: list[str] = field(default_factory=list)

    @property
    def kind(self):
        return self.question.kind


@dataclass
class Results:
    survey: Survey
    responses: int
    questions: list[QuestionResult]
    by_county: list[tuple[str, int]]

    @property
    def satisfaction_rate(self) -> Decimal | None:
        """Over every scale question of the survey."""
        satisfied = sum(
            o.count for q in self.scale_questions for o in q.options[SATISFIED_FROM - SCALE_MIN :]
        )
        return percent(satisfied, sum(q.answered for q in self.scale_questions))

    @property
    def scale_questions(self):
        return [q for q in self.questions if q.kind == QuestionKind.SCALE]


def results(survey: Survey) -> Results:
    questions = list(survey.questions.all())
    answered = dict(
        Answer.objects.filter(question__survey=survey).values("question").order_by().annotate(n=Count("pk"))
        .values_list("question", "n")
    )  # fmt: skip
    chosen = dict(
        Option.objects.filter(question__survey=survey).annotate(n=Count("answers")).values_list("pk", "n")
    )
    scales: dict[int, dict[int, int]] = {}
    for question_id, scale, n in (
        Answer.objects.filter(question__survey=survey, scale__isnull=False)
        .values("question", "scale").order_by().annotate(n=Count("pk"))
        .values_list("question", "scale", "n")
    ):  # fmt: skip
        scales.setdefault(question_id, {})[scale] = n
    texts: dict[int, list[str]] = {}
    for question_id, text in (
        Answer.objects.filter(question__survey=survey, question__kind=QuestionKind.TEXT)
        .exclude(text="").order_by("question", "response__submitted_on", "pk").values_list("question", "text")
    ):  # fmt: skip
        texts.setdefault(question_id, []).append(text)
    out = []
    for number, question in enumerate(questions, start=1):
        row = QuestionResult(number, question, answered.get(question.pk, 0))
        if question.kind in CHOICE_KINDS:
            row.options = [
                OptionResult(o.text, chosen.get(o.pk, 0), percent(chosen.get(o.pk, 0), row.answered))
                for o in question.options.all()
            ]
        elif question.kind == QuestionKind.SCALE:
            counts = scales.get(question.pk, {})
            row.options = [
                OptionResult(str(n), counts.get(n, 0), percent(counts.get(n, 0), row.answered))
                for n in range(SCALE_MIN, SCALE_MAX + 1)
            ]
            if row.answered:
                total = sum(n * c for n, c in counts.items())
                row.mean = (Decimal(total) / row.answered).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            row.satisfaction_rate = percent(
                sum(c for n, c in counts.items() if n >= SATISFIED_FROM), row.answered
            )
        else:
            row.texts = texts.get(question.pk, [])
        out.append(row)
    by_county = []
    if survey.ask_county:
        by_county = [
            (name or _("Not given"), n)
            for name, n in survey.responses.values("county__name").order_by("county__sort", "county__code")
            .annotate(n=Count("pk")).values_list("county__name", "n")
        ]  # fmt: skip
    return Results(survey, survey.responses.count(), out, by_county)


def chart_data(res: Results) -> dict:
    return {
        "labels": {"count": _("Answers")},
        "questions": [
            {
                "id": q.question.pk,
                "title": f"{q.number}. {q.question.text}",
                "names": [o.label for o in q.options],
                "counts": [o.count for o in q.options],
            }
            for q in res.questions
            if q.options
        ],
    }


def results_xlsx(res: Results) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    summary = book.active
    summary.title = _("Summary")[:31]
    summary.append([_("Survey"), res.survey.title])
    summary.append(
        [_("Open from"), res.survey.opens_on.isoformat(), _("until"), res.survey.closes_on.isoformat()]
    )
    summary.append([_("Responses"), res.responses])
    rate = res.satisfaction_rate
    summary.append([_("Satisfaction rate (%)"), float(rate) if rate is not None else ""])
    summary.append([])
    summary.append([_("No."), _("Question"), _("Answer"), _("Count"), _("Share (%)")])
    for q in res.questions:
        for o in q.options:
            summary.append(
                [q.number, q.question.text, o.label, o.count, float(o.share) if o.share is not None else ""]
            )
    scale = book.create_sheet(_("Satisfaction")[:31])
    scale.append([_("No."), _("Question"), _("Answers"), _("Mean (1–5)"), _("Satisfaction rate (%)")])
    for q in res.scale_questions:
        scale.append([
            q.number, q.question.text, q.answered,
            float(q.mean) if q.mean is not None else "",
            float(q.satisfaction_rate) if q.satisfaction_rate is not None else "",
        ])  # fmt: skip
    text = book.create_sheet(_("Free-text answers")[:31])
    text.append([_("No."), _("Question"), _("Answer")])
    for q in res.questions:
        for answer in q.texts:
            text.append([q.number, q.question.text, answer])
    if res.by_county:
        county = book.create_sheet(_("By county")[:31])
        county.append([_("County"), _("Responses")])
        for name, n in res.by_county:
            county.append([name, n])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
