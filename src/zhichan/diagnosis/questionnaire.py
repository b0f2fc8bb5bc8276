"""The questionnaire as data: its validation, the checking of answers, and the scoring.

Pure functions over plain dicts, so pages, the API and the loader share them. A definition is
the normalised form of the YAML file (docs/diagnosis.md); answers map question keys to a choice
key (single, yesno), a list of choice keys (multiple) or a number.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

QUESTION_TYPES = ("single", "multiple", "yesno", "number")
SEVERITIES = ("high", "medium", "low", "info")
LEVELS = ("high", "medium", "low")
DEFAULT_WEIGHTS = {"high": 10, "medium": 5, "low": 2, "info": 0}
# Checks the system runs on the patents and trademarks linked to the enterprise (facts.py).
SYSTEM_CHECKS = ("no_mark_in_main_class", "lapsed_patents", "marks_expiring")
PREFILL_SOURCES = ("registered_trademark", "patent")
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# Form fields beside the questions; a question may not take their names.
RESERVED_KEYS = {"enterprise_name", "uscc", "region", "submission_key", "action", "csrfmiddlewaretoken"}
YESNO_CHOICES = ("yes", "no")  # labelled in the reader's language (choice_label)

TOP_KEYS = {
    "code",
    "title",
    "intro",
    "levels",
    "high_finding_floor",
    "severity_weights",
    "dimensions",
    "findings",
    "sections",
    "system",
    "main_class_question",
}
DIMENSION_KEYS = {"key", "name", "description"}
FINDING_KEYS = {"key", "dimension", "severity", "weight", "title", "explanation", "legal_basis", "services"}
SECTION_KEYS = {"key", "title", "intro", "questions"}
QUESTION_KEYS = {
    "key",
    "type",
    "text",
    "help",
    "required",
    "choices",
    "if_yes",
    "if_no",
    "min",
    "max",
    "unit",
    "integer",
    "bands",
    "when",
    "prefill",
}
CHOICE_KEYS = {"key", "label", "findings", "unselected_findings", "exclusive"}
BAND_KEYS = {"min", "max", "findings"}


@dataclass
class Problem:
    path: str
    message: str


@dataclass
class Checked:
    definition: dict | None
    problems: list[Problem] = field(default_factory=list)


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _number(value):
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return value


def validate_definition(data, *, service_codes=None, article_refs=None) -> Checked:
    """Check a whole questionnaire; every problem is named by its path (e.g. sections[brand].questions[x]).

    `service_codes` and `article_refs`, when given, are the catalogue item codes and the
    "<law short name> <article>" references that exist; anything else is a problem.
    """
    problems: list[Problem] = []

    def fail(path, message):
        problems.append(Problem(path, message))

    if not isinstance(data, dict):
        return Checked(None, [Problem("", "the file must be a mapping (code, title, dimensions, ...)")])
    for key in sorted(set(data) - TOP_KEYS):
        fail(key, "unknown key")
    code = _text(data.get("code"))
    if not KEY_RE.match(code.replace("-", "_")):
        fail("code", "required: lower-case letters, digits, - and _")
    title = _text(data.get("title"))
    if not title or len(title) > 200:
        fail("title", "required, at most 200 characters")

    weights = dict(DEFAULT_WEIGHTS)
    raw_weights = data.get("severity_weights") or {}
    if not isinstance(raw_weights, dict):
        fail("severity_weights", "must map severities to points")
    else:
        for sev, points in raw_weights.items():
            if sev not in SEVERITIES:
                fail(f"severity_weights.{sev}", f"unknown severity (one of {', '.join(SEVERITIES)})")
            elif not isinstance(points, int) or isinstance(points, bool) or not 0 <= points <= 100:
                fail(f"severity_weights.{sev}", "a whole number from 0 to 100")
            else:
                weights[sev] = points

    levels = data.get("levels")
    if not isinstance(levels, dict) or set(levels) != {"high", "medium"}:
        fail("levels", "required: the risk index (0-100) from which the level is high, and medium")
        levels = {"high": 50, "medium": 25}
    else:
        high, medium = _number(levels.get("high")), _number(levels.get("medium"))
        if high is None or medium is None or not 0 < medium < high <= 100:
            fail("levels", "need 0 < medium < high <= 100")
            levels = {"high": 50, "medium": 25}
        else:
            levels = {"high": high, "medium": medium}
    floor = data.get("high_finding_floor") or ""
    if floor and floor not in ("medium", "high"):
        fail("high_finding_floor", "medium, high or empty")

    dimensions = []
    seen_dims: set[str] = set()
    raw_dims = data.get("dimensions")
    if not isinstance(raw_dims, list) or not raw_dims:
        fail("dimensions", "required: a list of {key, name}")
        raw_dims = []
    for i, dim in enumerate(raw_dims):
        path = f"dimensions[{i + 1}]"
        if not isinstance(dim, dict):
            fail(path, "must be a mapping")
            continue
        key = _text(dim.get("key"))
        path = f"dimensions[{key or i + 1}]"
        for extra in sorted(set(dim) - DIMENSION_KEYS):
            fail(f"{path}.{extra}", "unknown key")
        if not KEY_RE.match(key):
            fail(f"{path}.key", "required: lower-case letters, digits and _")
        elif key in seen_dims:
            fail(f"{path}.key", "used twice")
        seen_dims.add(key)
        if not _text(dim.get("name")):
            fail(f"{path}.name", "required")
        dimensions.append(
            {"key": key, "name": _text(dim.get("name")), "description": _text(dim.get("description"))}
        )

    findings: dict[str, dict] = {}
    raw_findings = data.get("findings")
    if not isinstance(raw_findings, list) or not raw_findings:
        fail("findings", "required: a list of findings")
        raw_findings = []
    for i, item in enumerate(raw_findings):
        path = f"findings[{i + 1}]"
        if not isinstance(item, dict):
            fail(path, "must be a mapping")
            continue
        key = _text(item.get("key"))
        path = f"findings[{key or i + 1}]"
        for extra in sorted(set(item) - FINDING_KEYS):
            fail(f"{path}.{extra}", "unknown key")
        if not KEY_RE.match(key):
            fail(f"{path}.key", "required: lower-case letters, digits and _")
        elif key in findings:
            fail(f"{path}.key", "used twice")
        dim = _text(item.get("dimension"))
        if dim not in seen_dims:
            fail(f"{path}.dimension", f"unknown dimension {dim!r}")
        severity = _text(item.get("severity"))
        if severity not in SEVERITIES:
            fail(f"{path}.severity", f"one of {', '.join(SEVERITIES)}")
        weight = item.get("weight", weights.get(severity, 0))
        if not isinstance(weight, int) or isinstance(weight, bool) or not 0 <= weight <= 100:
            fail(f"{path}.weight", "a whole number from 0 to 100")
            weight = 0
        for name in ("title", "explanation"):
            if not _text(item.get(name)):
                fail(f"{path}.{name}", "required")
        basis = item.get("legal_basis") or []
        if not isinstance(basis, list):
            fail(f"{path}.legal_basis", "must be a list like '专利法 第六条'")
            basis = []
        basis = [re.sub(r"\s+", " ", _text(ref)) for ref in basis]
        for ref in basis:
            if not re.match(r"^\S+ 第[零一二三四五六七八九十百千]+条$", ref):
                fail(f"{path}.legal_basis", f"{ref!r} is not '<short name> 第…条'")
            elif article_refs is not None and ref not in article_refs:
                fail(f"{path}.legal_basis", f"unknown article {ref}")
        services = item.get("services") or []
        if not isinstance(services, list):
            fail(f"{path}.services", "must be a list of catalogue item codes")
            services = []
        services = [_text(code) for code in services]
        for service in services:  # not `code`: that is the questionnaire's own, used below
            if service_codes is not None and service not in service_codes:
                fail(f"{path}.services", f"unknown catalogue item {service}")
        if key and key not in findings:
            findings[key] = {
                "key": key,
                "dimension": dim,
                "severity": severity,
                "weight": weight,
                "title": _text(item.get("title")),
                "explanation": _text(item.get("explanation")),
                "legal_basis": basis,
                "services": services,
            }

    used_findings: set[str] = set()

    def finding_list(value, path):
        if value in (None, ""):
            return []
        if not isinstance(value, list):
            fail(path, "must be a list of finding keys")
            return []
        keys = [_text(v) for v in value]
        for key in keys:
            if key not in findings:
                fail(path, f"unknown finding {key!r}")
        used_findings.update(keys)
        return [k for k in keys if k in findings]

    sections = []
    questions: dict[str, dict] = {}
    section_keys: set[str] = set()
    raw_sections = data.get("sections")
    if not isinstance(raw_sections, list) or not raw_sections:
        fail("sections", "required: a list of sections with questions")
        raw_sections = []
    for s, section in enumerate(raw_sections):
        spath = f"sections[{s + 1}]"
        if not isinstance(section, dict):
            fail(spath, "must be a mapping")
            continue
        skey = _text(section.get("key"))
        spath = f"sections[{skey or s + 1}]"
        for extra in sorted(set(section) - SECTION_KEYS):
            fail(f"{spath}.{extra}", "unknown key")
        if not KEY_RE.match(skey):
            fail(f"{spath}.key", "required: lower-case letters, digits and _")
        elif skey in section_keys:
            fail(f"{spath}.key", "used twice")
        section_keys.add(skey)
        if not _text(section.get("title")):
            fail(f"{spath}.title", "required")
        raw_questions = section.get("questions")
        if not isinstance(raw_questions, list) or not raw_questions:
            fail(f"{spath}.questions", "required: a list of questions")
            raw_questions = []
        out_questions = []
        for q, question in enumerate(raw_questions):
            qpath = f"{spath}.questions[{q + 1}]"
            if not isinstance(question, dict):
                fail(qpath, "must be a mapping")
                continue
            checked = _question(question, qpath, questions, finding_list, fail)
            if checked is not None:
                questions[checked["key"]] = checked
                out_questions.append(checked)
        sections.append(
            {
                "key": skey,
                "title": _text(section.get("title")),
                "intro": _text(section.get("intro")),
                "questions": out_questions,
            }
        )

    system = data.get("system") or {}
    if not isinstance(system, dict):
        fail("system", "must map system checks to finding keys")
        system = {}
    for check, key in system.items():
        if check not in SYSTEM_CHECKS:
            fail(f"system.{check}", f"unknown check (one of {', '.join(SYSTEM_CHECKS)})")
        finding_list([key], f"system.{check}")
    main_class = _text(data.get("main_class_question"))
    if main_class:
        q = questions.get(main_class)
        if q is None or q["type"] != "number":
            fail("main_class_question", "must name a number question (the Nice class, 1-45)")
    elif "no_mark_in_main_class" in system:
        fail("main_class_question", "required by the no_mark_in_main_class check")
    for key in sorted(set(findings) - used_findings):
        fail(f"findings[{key}]", "no answer or check leads to this finding")

    if problems:
        return Checked(None, problems)
    return Checked(
        {
            "code": code,
            "title": title,
            "intro": _text(data.get("intro")),
            "levels": levels,
            "high_finding_floor": floor,
            "dimensions": dimensions,
            "findings": findings,
            "sections": sections,
            "system": {k: _text(v) for k, v in system.items()},
            "main_class_question": main_class,
        }
    )


def _question(question, qpath, earlier, finding_list, fail) -> dict | None:
    key = _text(question.get("key"))
    qpath = qpath.rsplit("[", 1)[0] + f"[{key}]" if key else qpath
    for extra in sorted(set(question) - QUESTION_KEYS):
        fail(f"{qpath}.{extra}", "unknown key")
    ok = True
    if not KEY_RE.match(key) or key in RESERVED_KEYS:
        fail(f"{qpath}.key", "required: lower-case letters, digits and _ (not a reserved form name)")
        ok = False
    elif key in earlier:
        fail(f"{qpath}.key", "used twice")
        ok = False
    qtype = _text(question.get("type"))
    if qtype not in QUESTION_TYPES:
        fail(f"{qpath}.type", f"one of {', '.join(QUESTION_TYPES)}")
        return None
    text = _text(question.get("text"))
    if not text or len(text) > 500:
        fail(f"{qpath}.text", "required, at most 500 characters")
    required = question.get("required", True)
    if not isinstance(required, bool):
        fail(f"{qpath}.required", "true or false")
    out = {
        "key": key,
        "type": qtype,
        "text": text,
        "help": _text(question.get("help")),
        "required": bool(required),
    }
    if qtype in ("single", "multiple"):
        raw = question.get("choices")
        if not isinstance(raw, list) or len(raw) < 2:
            fail(f"{qpath}.choices", "required: at least two choices")
            raw = []
        choices, seen = [], set()
        for c, choice in enumerate(raw):
            cpath = f"{qpath}.choices[{c + 1}]"
            if not isinstance(choice, dict):
                fail(cpath, "must be a mapping {key, label, findings}")
                continue
            ckey = _text(choice.get("key"))
            cpath = f"{qpath}.choices[{ckey or c + 1}]"
            for extra in sorted(set(choice) - CHOICE_KEYS):
                fail(f"{cpath}.{extra}", "unknown key")
            if not KEY_RE.match(ckey):
                fail(f"{cpath}.key", "required: lower-case letters, digits and _")
            elif ckey in seen:
                fail(f"{cpath}.key", "used twice")
            seen.add(ckey)
            if not _text(choice.get("label")) or len(_text(choice.get("label"))) > 200:
                fail(f"{cpath}.label", "required")
            if qtype == "single" and ("unselected_findings" in choice or "exclusive" in choice):
                fail(cpath, "unselected_findings and exclusive are for multiple-choice questions")
            choices.append(
                {
                    "key": ckey,
                    "label": _text(choice.get("label")),
                    "findings": finding_list(choice.get("findings"), f"{cpath}.findings"),
                    "unselected_findings": finding_list(
                        choice.get("unselected_findings"), f"{cpath}.unselected_findings"
                    ),
                    "exclusive": bool(choice.get("exclusive", False)),
                }
            )
        out["choices"] = choices
    elif qtype == "yesno":
        if "choices" in question:
            fail(
                f"{qpath}.choices",
                "a yes/no question has its choices; give findings under if_yes: and if_no:",
            )
        out["choices"] = [
            {
                "key": ckey,
                "label": "",
                "findings": finding_list(question.get(f"if_{ckey}"), f"{qpath}.if_{ckey}"),
                "unselected_findings": [],
                "exclusive": False,
            }
            for ckey in YESNO_CHOICES
        ]
    else:
        low, high = _number(question.get("min")), _number(question.get("max"))
        if low is None or high is None or low > high:
            fail(f"{qpath}.min", "min and max are required numbers, min <= max")
            low, high = 0, 0
        integer = question.get("integer", True)
        out.update(min=low, max=high, unit=_text(question.get("unit")), integer=bool(integer))
        bands = []
        for b, band in enumerate(question.get("bands") or []):
            bpath = f"{qpath}.bands[{b + 1}]"
            if not isinstance(band, dict):
                fail(bpath, "must be a mapping {min, max, findings}")
                continue
            for extra in sorted(set(band) - BAND_KEYS):
                fail(f"{bpath}.{extra}", "unknown key")
            blow = _number(band.get("min", low))
            bhigh = _number(band.get("max", high))
            if blow is None or bhigh is None or blow > bhigh:
                fail(bpath, "min and max must be numbers, min <= max")
                continue
            bands.append({"min": blow, "max": bhigh, "findings": finding_list(band.get("findings"), bpath)})
        out["bands"] = bands
    for extra in ("if_yes", "if_no"):
        if extra in question and qtype != "yesno":
            fail(f"{qpath}.{extra}", "only a yes/no question has findings under if_yes: and if_no:")
    for extra in ("choices",):
        if extra in question and qtype == "number":
            fail(f"{qpath}.{extra}", "a number question has bands, not choices")

    when = question.get("when")
    if when not in (None, ""):
        cond = when if isinstance(when, dict) else {}
        target = earlier.get(_text(cond.get("question")))
        wanted = cond.get("in")
        if set(cond) != {"question", "in"} or target is None or target["type"] == "number":
            fail(f"{qpath}.when", "must be {question: <an earlier choice question>, in: [choice keys]}")
        elif not isinstance(wanted, list) or not wanted:
            fail(f"{qpath}.when.in", "a list of choice keys")
        else:
            valid = {c["key"] for c in target["choices"]}
            for choice in wanted:
                if _text(choice) not in valid:
                    fail(f"{qpath}.when.in", f"{choice!r} is not a choice of {target['key']}")
            out["when"] = {"question": target["key"], "in": [_text(c) for c in wanted]}
    prefill = question.get("prefill")
    if prefill not in (None, ""):
        cond = prefill if isinstance(prefill, dict) else {}
        source = _text(cond.get("source"))
        valid = {c["key"] for c in out.get("choices", [])}
        if qtype not in ("single", "yesno") or source not in PREFILL_SOURCES:
            fail(
                f"{qpath}.prefill",
                f"a single or yes/no question; source one of {', '.join(PREFILL_SOURCES)}",
            )
        elif set(cond) - {"source", "when_found", "when_none"}:
            fail(f"{qpath}.prefill", "keys: source, when_found, when_none")
        else:
            for name in ("when_found", "when_none"):
                value = cond.get(name)
                if value not in (None, "") and _text(value) not in valid:
                    fail(f"{qpath}.prefill.{name}", f"{value!r} is not a choice of this question")
            out["prefill"] = {
                "source": source,
                "when_found": _text(cond.get("when_found")),
                "when_none": _text(cond.get("when_none")),
            }
    return out if ok else None


# --- answers ------------------------------------------------------------------------------------


def questions(definition: dict):
    for section in definition["sections"]:
        yield from section["questions"]


def is_asked(question: dict, answers: dict) -> bool:
    """A question with a `when` is asked only when the earlier answer is among `in`."""
    when = question.get("when")
    if not when:
        return True
    given = answers.get(when["question"])
    given = given if isinstance(given, list) else [given]
    return any(value in when["in"] for value in given)


def clean_answers(definition: dict, raw, *, partial: bool = False) -> dict:
    """The answers as stored, or ValidationError naming each question at fault and why.

    `partial` (a draft) leaves unanswered questions alone. Answers to questions that are
    not asked (their `when` is not met) are dropped.
    """
    from django.core.exceptions import ValidationError

    if not isinstance(raw, dict):
        raise ValidationError({"answers": [_("Give the answers as a mapping of question to answer.")]})
    errors: dict[str, list[str]] = {}
    known = {q["key"]: q for q in questions(definition)}
    for key in sorted(set(raw) - set(known), key=str)[:20]:
        errors[str(key)[:60]] = [_("There is no such question.")]
    cleaned: dict = {}
    for q in questions(definition):
        key = q["key"]
        value = raw.get(key)
        empty = value in (None, "", []) or (isinstance(value, str) and not value.strip())
        if not is_asked(q, cleaned):
            continue
        if empty:
            if q["required"] and not partial:
                errors[key] = [_("「%(question)s」: answer this question.") % {"question": q["text"]}]
            continue
        problem, value = _check_value(q, value)
        if problem:
            errors[key] = [_("「%(question)s」: %(problem)s") % {"question": q["text"], "problem": problem}]
        else:
            cleaned[key] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_value(q: dict, value):
    choices = {c["key"]: c for c in q.get("choices", [])}
    if q["type"] in ("single", "yesno"):
        value = str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else value
        if not isinstance(value, str) or value not in choices:
            return _("%(value)s is not one of the choices (%(choices)s).") % {
                "value": _short(value),
                "choices": ", ".join(choices),
            }, None
        return "", value
    if q["type"] == "multiple":
        values = value if isinstance(value, list) else [value]
        values = [str(v).strip() if isinstance(v, str) else v for v in values]
        wrong = [v for v in values if not isinstance(v, str) or v not in choices]
        if wrong:
            return _("%(value)s is not one of the choices (%(choices)s).") % {
                "value": _short(wrong[0]),
                "choices": ", ".join(choices),
            }, None
        picked = [key for key in choices if key in values]  # in the questionnaire's order, once
        exclusive = [key for key in picked if choices[key]["exclusive"]]
        if exclusive and len(picked) > 1:
            return _("「%(choice)s」 cannot be chosen together with other answers.") % {
                "choice": choice_label(choices[exclusive[0]])
            }, None
        return "", picked
    number = value
    if isinstance(number, str):
        try:
            number = float(number.strip())
        except ValueError:
            number = None
    if isinstance(number, bool) or not isinstance(number, int | float) or not math.isfinite(number):
        return _("give a number."), None
    if q.get("integer", True):
        if number != int(number):
            return _("give a whole number."), None
        number = int(number)
    if not q["min"] <= number <= q["max"]:
        return _("give a number from %(min)s to %(max)s.") % {
            "min": _num(q["min"]),
            "max": _num(q["max"]),
        }, None
    return "", number


def _short(value) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return f"「{text[:40]}」"


def _num(value) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def choice_label(choice: dict) -> str:
    if choice["label"]:
        return choice["label"]
    return {"yes": _("Yes"), "no": _("No")}.get(choice["key"], choice["key"])


def answer_label(q: dict, value) -> str:
    """An answer as the person chose it: the choice labels, or the number with its unit."""
    if value in (None, "", []):
        return ""
    labels = {c["key"]: choice_label(c) for c in q.get("choices", [])}
    if q["type"] == "multiple":
        return "；".join(labels.get(v, str(v)) for v in value)
    if q["type"] == "number":
        return f"{_num(value)}{q.get('unit', '')}"
    return labels.get(value, str(value))


# --- scoring ------------------------------------------------------------------------------------


def _triggered(q: dict, value) -> list[str]:
    if q["type"] == "number":
        for band in q.get("bands", []):
            if band["min"] <= value <= band["max"]:
                return list(band["findings"])  # the first band that holds the value
        return []
    picked = set(value) if isinstance(value, list) else {value}
    keys: list[str] = []
    for choice in q["choices"]:
        keys.extend(choice["findings"] if choice["key"] in picked else choice["unselected_findings"])
    return keys


def _worst(q: dict, findings: dict) -> dict[str, int]:
    """The most points each dimension can get from one question (the scale of its score)."""

    def points(keys):
        out: dict[str, int] = {}
        for key in dict.fromkeys(keys):
            f = findings[key]
            out[f["dimension"]] = out.get(f["dimension"], 0) + f["weight"]
        return out

    options: list[dict[str, int]]
    if q["type"] == "number":
        options = [points(b["findings"]) for b in q.get("bands", [])]
    elif q["type"] == "multiple":
        # Each choice on its own: whichever of picking it or not weighs more.
        total: dict[str, int] = {}
        for choice in q["choices"]:
            a, b = points(choice["findings"]), points(choice["unselected_findings"])
            for dim in set(a) | set(b):
                total[dim] = total.get(dim, 0) + max(a.get(dim, 0), b.get(dim, 0))
        options = [total]
    else:
        options = [points(c["findings"]) for c in q["choices"]]
    worst: dict[str, int] = {}
    for option in options:
        for dim, value in option.items():
            worst[dim] = max(worst.get(dim, 0), value)
    return worst


def level_of(index: float, levels: dict) -> str:
    if index >= levels["high"]:
        return "high"
    if index >= levels["medium"]:
        return "medium"
    return "low"


def _raise_to(level: str, floor: str) -> str:
    order = {"low": 0, "medium": 1, "high": 2}
    return floor if floor and order[floor] > order[level] else level


def evaluate(definition: dict, answers: dict, system_findings: list[dict] | None = None) -> dict:
    """Findings, a risk index (0-100, points over the most possible) per dimension and overall,
    and levels from the questionnaire's thresholds. `answers` must be clean (clean_answers).

    `system_findings` are {key, detail} from the checks on the enterprise's records; each adds
    its weight to the scale whether or not it fires, so `ran` checks are passed with `fired`.
    """
    findings = definition["findings"]
    points: dict[str, int] = {}
    scale: dict[str, int] = {}
    fired: dict[str, dict] = {}
    for q in questions(definition):
        if not is_asked(q, answers):
            continue
        for dim, value in _worst(q, findings).items():
            scale[dim] = scale.get(dim, 0) + value
        if q["key"] not in answers:
            continue
        for key in _triggered(q, answers[q["key"]]):
            entry = fired.setdefault(key, {"key": key, "source": "answer", "questions": [], "detail": ""})
            entry["questions"].append(q["key"])
    for check in system_findings or []:
        f = findings[check["key"]]
        scale[f["dimension"]] = scale.get(f["dimension"], 0) + f["weight"]
        if check.get("fired"):
            entry = fired.setdefault(check["key"], {"key": check["key"], "source": "system", "questions": []})
            entry["source"] = "system" if not entry["questions"] else "answer"
            entry["detail"] = check.get("detail", "")
            entry["check"] = check.get("check", "")
    for key in fired:
        f = findings[key]
        points[f["dimension"]] = points.get(f["dimension"], 0) + f["weight"]

    levels, floor = definition["levels"], definition.get("high_finding_floor", "")
    high_dims = {findings[k]["dimension"] for k in fired if findings[k]["severity"] == "high"}
    dimensions = []
    for dim in definition["dimensions"]:
        key = dim["key"]
        top = scale.get(key, 0)
        got = points.get(key, 0)
        entry = {"key": key, "name": dim["name"], "points": got, "max": top, "index": None, "level": ""}
        if top:
            entry["index"] = round(100 * got / top)
            level = level_of(100 * got / top, levels)
            entry["level"] = _raise_to(level, floor) if key in high_dims else level
        dimensions.append(entry)
    total_points, total_scale = sum(points.values()), sum(scale.values())
    index = 100 * total_points / total_scale if total_scale else 0
    level = level_of(index, levels)
    if high_dims:
        level = _raise_to(level, floor)

    order = {s: i for i, s in enumerate(SEVERITIES)}
    listed = []
    for key, entry in fired.items():
        f = findings[key]
        listed.append({**f, **entry})
    listed.sort(key=lambda f: (order[f["severity"]], -f["weight"], _position(definition, f)))
    return {
        "index": round(index),
        "level": level,
        "points": total_points,
        "max": total_scale,
        "dimensions": dimensions,
        "findings": listed,
        "services": recommended_services(listed),
    }


def _position(definition, finding) -> int:
    keys = list(definition["findings"])
    return keys.index(finding["key"]) if finding["key"] in keys else len(keys)


def recommended_services(findings: list[dict]) -> list[dict]:
    """Catalogue items named by the findings: the most severe reason first, then how many name it."""
    order = {s: i for i, s in enumerate(SEVERITIES)}
    services: dict[str, dict] = {}
    for f in findings:
        for code in f["services"]:
            entry = services.setdefault(code, {"code": code, "severity": f["severity"], "findings": []})
            if order[f["severity"]] < order[entry["severity"]]:
                entry["severity"] = f["severity"]
            entry["findings"].append(f["key"])
    return sorted(services.values(), key=lambda s: (order[s["severity"]], -len(s["findings"])))
