"""The hotline console's two outcomes: answered on the spot, or not (a case is opened or noted as unanswered).

Each call records one HotlineQuestion row. The console form carries a token, so a double submission
records the row once. An answer on the spot also files a consultation closed at first contact (a
case, so the hotline's work counts in the figures); "open a case" hands the question to the request
form, pre-filled, where the agent adds the caller's details.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from zhichan.accounts.models import STAFF_ROLES
from zhichan.catalog.models import ServiceItem
from zhichan.core.permissions import VIEW, PermissionDenied, role_of
from zhichan.knowledge import search
from zhichan.knowledge.models import Article, HotlineQuestion, Outcome, Policy, QAItem

MAX_QUESTION = 2000
REF_KINDS = {
    "article": ("article", Article),
    "qa": ("qa_item", QAItem),
    "policy": ("policy", Policy),
    "guide": ("guide", ServiceItem),
}


def can_use_console(user) -> bool:
    return role_of(user) in STAFF_ROLES


def signature(text: str) -> str:
    """The question's keywords, sorted: two wordings of one question share it."""
    return " ".join(sorted(set(search.keywords(text))))[:200]


def _clean_text(text) -> str:
    text = (text or "").replace("\x00", "").strip()
    if not text:
        raise ValidationError({"text": [_("Type or paste the caller's question.")]})
    if len(text) > MAX_QUESTION:
        raise ValidationError({"text": [_("At most %(n)d characters.") % {"n": MAX_QUESTION}]})
    return text


def _record(agent, text, outcome, token=None, **fields) -> HotlineQuestion:
    if token:
        existing = HotlineQuestion.objects.filter(token=token).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            return HotlineQuestion.objects.create(
                text=text,
                signature=signature(text),
                agent=agent,
                agency_id=getattr(agent, "agency_id", None),
                outcome=outcome,
                answered=outcome == Outcome.ANSWERED_ON_SPOT,
                token=token or None,
                **fields,
            )
    except IntegrityError:  # the same token raced in from a second submission
        return HotlineQuestion.objects.get(token=token)


def record_answer(agent, text, ref_kind: str, ref_id, token=None) -> HotlineQuestion:
    """The agent answered on the spot with this article, Q&A item, policy or guide."""
    if not can_use_console(agent):
        raise PermissionDenied
    text = _clean_text(text)
    if ref_kind not in REF_KINDS:
        raise ValidationError({"ref_kind": [_("Choose an article, Q&A item, policy or guide.")]})
    field, model = REF_KINDS[ref_kind]
    try:
        pk = int(ref_id)
        if not 0 < pk <= 2**31 - 1:
            raise ValueError(pk)
        ref = model.objects.restrict(agent, VIEW).get(pk=pk)
    except (TypeError, ValueError, model.DoesNotExist):
        raise ValidationError({"ref_id": [_("No such answer in the knowledge base.")]}) from None
    with transaction.atomic():
        question = _record(agent, text, Outcome.ANSWERED_ON_SPOT, token=token, **{field: ref})
        if question.case_id is None:
            case = _first_contact_case(agent, text, ref, question)
            HotlineQuestion.objects.filter(pk=question.pk).update(case_id=case.pk)
            question.case_id = case.pk
    return question


def _first_contact_case(agent, text, ref, question):
    from zhichan.cases.models import CaseType, Channel
    from zhichan.cases.services import do_intake

    subject = " ".join(text.split())
    return do_intake(
        agent,
        Channel.HOTLINE,
        idempotency_key=f"hotline-{question.pk}",
        first_contact_answer=_("Answered on the hotline with: %(ref)s") % {"ref": ref},
        type=CaseType.CONSULTATION,
        subject=subject[:60] + ("…" if len(subject) > 60 else ""),
        description=text,
        # Callers answered on the spot are not asked for their name; the record counts the answer.
        requester_name=_("Hotline caller"),
    )


def case_form_url(text: str, question: HotlineQuestion | None = None) -> str:
    """The request form, pre-filled for a hotline consultation with the caller's question."""
    from urllib.parse import urlencode

    from django.urls import reverse

    subject = " ".join(text.split())[:60]
    query = {"channel": "hotline", "type": "consultation", "subject": subject, "description": text}
    if question is not None:
        query["hotline_question"] = question.pk
    return f"{reverse('cases:intake')}?{urlencode(query)}"


def link_case(agent, question_id: int, case) -> bool:
    """Point the agent's own call record, still waiting for its case, at the case filed from it."""
    updated = HotlineQuestion.objects.filter(
        pk=question_id, agent=agent, outcome=Outcome.CASE_OPENED, case_id__isnull=True
    ).update(case_id=case.pk)
    return bool(updated)


def open_case(agent, text, token=None, case_id=None) -> HotlineQuestion:
    """The knowledge base had no answer: a case is opened for the caller (case id set once wired)."""
    if not can_use_console(agent):
        raise PermissionDenied
    return _record(agent, _clean_text(text), Outcome.CASE_OPENED, token=token, case_id=case_id)


def record_unanswered(agent, text, token=None) -> HotlineQuestion:
    """No answer and no case (e.g. the caller hung up): still listed so the knowledge base can grow."""
    if not can_use_console(agent):
        raise PermissionDenied
    return _record(agent, _clean_text(text), Outcome.UNANSWERED, token=token)


def unanswered_list(user, limit=100):
    """Questions the knowledge base could not answer, newest first, one row per wording-group.

    Each row: the newest question of its keyword group and how many were asked like it."""
    from django.db.models import Count, Max

    qs = HotlineQuestion.objects.restrict(user, VIEW).exclude(outcome=Outcome.ANSWERED_ON_SPOT)
    groups = list(
        qs.values("signature").annotate(count=Count("id"), last=Max("id")).order_by("-last")[:limit]
    )
    rows = {q.pk: q for q in HotlineQuestion.objects.filter(pk__in=[g["last"] for g in groups])}
    return [(rows[g["last"]], g["count"]) for g in groups if g["last"] in rows]
