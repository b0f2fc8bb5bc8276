"""The only code that changes diagnoses: drafts, submission, and asking for help (a case).

Anyone may take the questionnaire; without an account the result is shown and not stored.
Each function is atomic and writes a DiagnosisEvent per state change.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from zhichan.accounts.models import STAFF_ROLES
from zhichan.core.permissions import CHANGE, PermissionDenied, role_of
from zhichan.diagnosis import facts
from zhichan.diagnosis.models import Diagnosis, DiagnosisEvent, DiagnosisStatus, Questionnaire
from zhichan.diagnosis.questionnaire import clean_answers, evaluate, questions
from zhichan.enterprises.models import Enterprise
from zhichan.enterprises.names import normalize_name
from zhichan.enterprises.uscc import UsccError, parse_uscc
from zhichan.regions.models import Region, RegionKind


def active_questionnaire() -> Questionnaire | None:
    return Questionnaire.objects.active()


def _require_questionnaire(questionnaire=None) -> Questionnaire:
    questionnaire = questionnaire or active_questionnaire()
    if questionnaire is None:
        raise ValidationError({"questionnaire": [_("No questionnaire has been loaded yet.")]})
    return questionnaire


def _signed_in(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _event(diagnosis, actor, kind, *, from_state="", to_state="", note="", data=None):
    return DiagnosisEvent.objects.create(
        diagnosis=diagnosis,
        actor=_signed_in(actor),
        kind=kind,
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=data or {},
    )


# --- the enterprise -----------------------------------------------------------------------------


def find_enterprise(name: str = "", uscc: str = "") -> Enterprise | None:
    """The registry's enterprise: by its credit code, else by a name only one enterprise has."""
    if uscc:
        return Enterprise.objects.filter(uscc=uscc).select_related("region").first()
    key = normalize_name(name) if name else ""
    if not key:
        return None
    found = list(Enterprise.objects.filter(normalized_name=key).select_related("region")[:2])
    return found[0] if len(found) == 1 else None


def clean_profile(data: dict, *, required: bool) -> dict:
    """Enterprise name, credit code and county; errors name the field."""
    errors: dict[str, list[str]] = {}
    name = str(data.get("enterprise_name") or "").replace("\x00", "").strip()
    if len(name) > 200:
        errors["enterprise_name"] = [_("At most %(n)d characters.") % {"n": 200}]
    elif required and not name:
        errors["enterprise_name"] = [_("Give the enterprise's name.")]
    uscc = str(data.get("uscc") or "").replace("\x00", "").strip()
    if uscc:
        try:
            uscc = parse_uscc(uscc[:40])
        except UsccError as exc:
            errors["uscc"] = [_("Not a unified social credit code: %(reason)s.") % {"reason": exc}]
    region = data.get("region")
    if region not in (None, "") and not isinstance(region, Region):
        code = str(region).replace("\x00", "").strip()[:20]
        region = Region.objects.filter(code=code, kind__in=(RegionKind.COUNTY, RegionKind.PARK)).first()
        if region is None:
            errors["region"] = [_("Unknown county code %(code)s.") % {"code": code}]
    if errors:
        raise ValidationError(errors)
    enterprise = find_enterprise(name, uscc)
    if enterprise is not None:
        name = name or enterprise.name
        region = region or enterprise.region
    return {"enterprise_name": name, "uscc": uscc, "region": region or None, "enterprise": enterprise}


def prefilled_answers(questionnaire: Questionnaire, enterprise: Enterprise | None) -> dict:
    if enterprise is None:
        return {}
    return facts.prefill(questionnaire.definition, facts.gather(enterprise))


def evaluate_for(questionnaire: Questionnaire, answers: dict, enterprise: Enterprise | None) -> dict:
    definition = questionnaire.definition
    system = facts.checks(definition, facts.gather(enterprise), answers) if enterprise is not None else []
    result = evaluate(definition, answers, system)
    result["enterprise_checked"] = enterprise is not None
    result["questionnaire_version"] = questionnaire.version
    return result


# --- drafts and submission ----------------------------------------------------------------------


def draft_of(user) -> Diagnosis | None:
    if _signed_in(user) is None:
        return None
    return Diagnosis.objects.filter(user=user, status=DiagnosisStatus.DRAFT).first()


def do_save_draft(actor, *, answers, questionnaire=None, **profile) -> Diagnosis:
    """Keep the answers so far (only for a signed-in person); unanswered questions may stay open.

    Drafts follow the questionnaire in use: answers it no longer takes are dropped."""
    actor = _signed_in(actor)
    if actor is None:
        raise PermissionDenied(_("Log in to save a draft."))
    questionnaire = _require_questionnaire(questionnaire)
    cleaned, fields = _profile_and_answers(questionnaire, answers, profile, partial=True, name_required=False)
    # The records fill what the person has not answered yet.
    for key, value in prefilled_answers(questionnaire, fields["enterprise"]).items():
        cleaned.setdefault(key, value)
    cleaned = clean_answers(questionnaire.definition, cleaned, partial=True)
    with transaction.atomic():
        draft = Diagnosis.objects.select_for_update().filter(user=actor, status=DiagnosisStatus.DRAFT).first()
        created = draft is None
        if created:
            draft = Diagnosis(user=actor, status=DiagnosisStatus.DRAFT)
        draft.questionnaire = questionnaire
        draft.answers = cleaned
        for name, value in fields.items():
            setattr(draft, name, value)
        try:
            with transaction.atomic():
                draft.save()
        except IntegrityError as exc:  # the same person's other request made the draft first
            raise ValidationError({"answers": [_("A draft was saved at the same moment; reload.")]}) from exc
        if created:
            _event(draft, actor, "draft", to_state=DiagnosisStatus.DRAFT)
    return draft


def _profile_and_answers(questionnaire, answers, profile, *, partial, name_required):
    """Both checked, so one refusal lists every field at fault."""
    errors: dict[str, list[str]] = {}
    fields = {}
    try:
        fields = clean_profile(profile, required=name_required)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    cleaned = {}
    try:
        cleaned = clean_answers(questionnaire.definition, answers, partial=partial)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return cleaned, fields


def _clean_key(key) -> str | None:
    key = str(key or "").strip()[:64]
    if not key:
        return None
    if not re.fullmatch(r"[A-Za-z0-9_\-]+", key):
        raise ValidationError({"submission_key": [_("Letters, digits, - and _ only.")]})
    return key


def do_submit(actor, *, answers, submission_key=None, questionnaire=None, **profile) -> Diagnosis:
    """Score the answers. Signed in: stored (the draft becomes the diagnosis; the same
    submission key returns the first one). Anonymous: an unsaved Diagnosis with its result."""
    actor = _signed_in(actor)
    key = _clean_key(submission_key)
    if actor is not None and key:
        existing = Diagnosis.objects.filter(submission_key=key).first()
        if existing is not None:
            return _same_submission(existing, actor)
    questionnaire = _require_questionnaire(questionnaire)
    cleaned, fields = _profile_and_answers(
        questionnaire, answers, profile, partial=False, name_required=actor is not None
    )
    result = evaluate_for(questionnaire, cleaned, fields["enterprise"])
    now = timezone.now()
    values = {
        **fields,
        "answers": cleaned,
        "result": result,
        "risk_level": result["level"],
        "risk_index": result["index"],
        "submitted_at": now,
        "status": DiagnosisStatus.SUBMITTED,
    }
    if actor is None:
        return Diagnosis(questionnaire=questionnaire, **values)
    try:
        with transaction.atomic():
            diagnosis = (
                Diagnosis.objects.select_for_update().filter(user=actor, status=DiagnosisStatus.DRAFT).first()
            )
            from_state = ""
            if diagnosis is None:
                diagnosis = Diagnosis(user=actor, questionnaire=questionnaire)
            else:
                from_state = DiagnosisStatus.DRAFT
            for name, value in values.items():
                setattr(diagnosis, name, value)
            diagnosis.questionnaire = questionnaire
            diagnosis.submission_key = key
            diagnosis.save()
            _event(
                diagnosis,
                actor,
                "submitted",
                from_state=from_state,
                to_state=DiagnosisStatus.SUBMITTED,
                data={
                    "level": result["level"],
                    "index": result["index"],
                    "findings": len(result["findings"]),
                },
            )
    except IntegrityError:
        # The same form sent twice at once: the other request stored it first.
        existing = Diagnosis.objects.filter(submission_key=key).first() if key else None
        if existing is None:
            raise
        return _same_submission(existing, actor)
    return diagnosis


def _same_submission(existing: Diagnosis, actor) -> Diagnosis:
    if existing.user_id != actor.pk:
        raise ValidationError({"submission_key": [_("This key was already used for another submission.")]})
    return existing


def do_discard_draft(actor, diagnosis: Diagnosis) -> None:
    with transaction.atomic():
        draft = (
            Diagnosis.objects.restrict(actor, CHANGE)
            .select_for_update()
            .filter(pk=diagnosis.pk, status=DiagnosisStatus.DRAFT)
            .first()
        )
        if draft is None:
            raise PermissionDenied
        draft.delete()


# --- asking for help ----------------------------------------------------------------------------


def recommended_items(result: dict):
    """The published catalogue items the result recommends, in its order."""
    from zhichan.catalog.models import ServiceItem

    codes = [s["code"] for s in result.get("services", [])]
    items = {i.code: i for i in ServiceItem.objects.filter(code__in=codes, published=True)}
    return [items[c] for c in codes if c in items]


def case_description(diagnosis: Diagnosis, item, note: str = "") -> str:
    """What the agency reads: the enterprise, the level, the findings behind this service."""
    result = diagnosis.result
    levels = {"high": _("High risk"), "medium": _("Medium risk"), "low": _("Low risk")}
    lines = [
        _("Request from an IP risk diagnosis (%(link)s).") % {"link": diagnosis.get_absolute_url()}
        if diagnosis.pk
        else _("Request from an IP risk diagnosis (not stored)."),
        _("Enterprise: %(name)s") % {"name": diagnosis.enterprise_name or "-"},
        _("Overall: %(level)s, risk index %(index)s of 100.")
        % {"level": levels.get(result.get("level"), "-"), "index": result.get("index", "-")},
    ]
    related = [f for f in result.get("findings", []) if item.code in f.get("services", [])]
    if related:
        lines.append(_("Findings this service addresses:"))
        lines.extend(f"- {f['title']}" + (f"（{f['detail']}）" if f.get("detail") else "") for f in related)
    if note:
        lines += ["", _("Note from the enterprise:"), note]
    return "\n".join(lines)


def do_open_case(actor, diagnosis: Diagnosis, *, service_item, note="", **contact):
    """Open a service application for a recommended item through the cases intake; asking again
    for the same item returns the case already opened."""
    from zhichan.cases import services as cases
    from zhichan.cases.models import CaseType, Channel

    actor = _signed_in(actor)
    if actor is None:
        raise PermissionDenied(_("Log in to ask for help from a stored diagnosis."))
    note = str(note or "").replace("\x00", "").strip()
    if len(note) > 2000:
        raise ValidationError({"note": [_("At most %(n)d characters.") % {"n": 2000}]})
    with transaction.atomic():
        diagnosis = (
            Diagnosis.objects.restrict(actor, CHANGE).select_for_update().filter(pk=diagnosis.pk).first()
        )
        if diagnosis is None:
            raise PermissionDenied
        if diagnosis.status != DiagnosisStatus.SUBMITTED:
            raise ValidationError({"service_item": [_("Submit the diagnosis before asking for help.")]})
        code = getattr(service_item, "code", service_item)
        code = str(code or "").strip()[:30]
        items = {i.code: i for i in recommended_items(diagnosis.result)}
        item = items.get(code)
        if item is None:
            raise ValidationError(
                {"service_item": [_("Choose one of the services this diagnosis recommends.")]}
            )
        existing = diagnosis.cases.filter(service_item=item).first()
        if existing is not None:
            return existing
        staff = role_of(actor) in STAFF_ROLES or actor.is_superuser
        fields = {
            "type": CaseType.SERVICE_APPLICATION,
            "service_item": item,
            "region": diagnosis.region,
            "subject": (_("Risk diagnosis: %(service)s") % {"service": item.name})[:200],
            "description": case_description(diagnosis, item, note),
            "requester_name": contact.get("requester_name") or (diagnosis.enterprise_name if staff else ""),
            "requester_phone": contact.get("requester_phone") or "",
            "requester_email": contact.get("requester_email") or "",
        }
        # Staff filling a diagnosis for an enterprise record the request as at the window.
        case = cases.do_intake(actor, Channel.WINDOW if staff else Channel.WEB, **fields)
        diagnosis.cases.add(case)
        _event(
            diagnosis,
            actor,
            "case_opened",
            data={"case": case.pk, "number": case.number, "service": item.code},
        )
    return case


# --- reading ------------------------------------------------------------------------------------


def article_links(refs) -> dict[str, str]:
    """ "商标法 第四条" -> the article's page, for the references that are in the knowledge base."""
    from zhichan.knowledge.models import Article

    wanted = {}
    for ref in refs:
        short, _sep, number = ref.partition(" ")
        wanted.setdefault(short, set()).add(number)
    if not wanted:
        return {}
    query = Q()
    for short, numbers in wanted.items():
        query |= Q(law__short_name=short, number__in=numbers)
    return {
        f"{short} {number}": Article(pk=pk).get_absolute_url()
        for pk, short, number in Article.objects.filter(query).values_list("pk", "law__short_name", "number")
    }


def answered(diagnosis: Diagnosis) -> list[dict]:
    """Each section with the questions that were asked and their answers, as the report lists them."""
    from zhichan.diagnosis.questionnaire import answer_label, is_asked

    definition = diagnosis.questionnaire.definition
    out = []
    for section in definition["sections"]:
        rows = [
            {"question": q["text"], "answer": answer_label(q, diagnosis.answers.get(q["key"]))}
            for q in section["questions"]
            if is_asked(q, diagnosis.answers)
        ]
        if rows:
            out.append({"title": section["title"], "rows": rows})
    return out


def question_count(questionnaire: Questionnaire) -> int:
    return sum(1 for _q in questions(questionnaire.definition))
