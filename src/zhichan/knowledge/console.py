"""The hotline console's two outcomes: answered on the spot, or not (a case is opened or noted as unanswered).

Each call records one HotlineQuestion row. The console form carries a token, so a double submission
records the row once. Opening the case itself is wired to `cases.services.do_intake` by the cases app;
until then `open_case` records the question as case_opened with no case id.
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
    return _record(agent, text, Outcome.ANSWERED_ON_SPOT, token=token, **{field: ref})


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
