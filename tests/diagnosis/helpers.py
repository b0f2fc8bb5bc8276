"""A small questionnaire whose points are easy to count, and answers for the demo one."""

import copy

from zhichan.diagnosis.questionnaire import is_asked, questions, validate_definition

SMALL = {
    "code": "small",
    "title": "小问卷",
    "levels": {"high": 50, "medium": 20},
    "high_finding_floor": "medium",
    "dimensions": [{"key": "brand", "name": "商标"}, {"key": "secret", "name": "秘密"}],
    "findings": [
        {
            "key": "no_mark",
            "dimension": "brand",
            "severity": "high",
            "title": "未注册",
            "explanation": "说明",
            "services": ["TM-REG"],
            "legal_basis": ["商标法 第四条"],
        },
        {
            "key": "mark_unknown",
            "dimension": "brand",
            "severity": "medium",
            "title": "不清楚",
            "explanation": "说明",
            "services": ["TM-REG", "TM-SEARCH"],
        },
        {
            "key": "no_nda",
            "dimension": "secret",
            "severity": "medium",
            "title": "无保密协议",
            "explanation": "说明",
        },
        {
            "key": "no_access",
            "dimension": "secret",
            "severity": "low",
            "title": "无访问控制",
            "explanation": "说明",
            "services": ["TRAINING"],
        },
        {
            "key": "few_staff",
            "dimension": "secret",
            "severity": "low",
            "weight": 3,
            "title": "人少",
            "explanation": "说明",
        },
        {
            "key": "loan",
            "dimension": "secret",
            "severity": "info",
            "title": "融资机会",
            "explanation": "说明",
            "services": ["PLEDGE-FIN"],
        },
        {
            "key": "sys_expiring",
            "dimension": "brand",
            "severity": "high",
            "title": "将到期",
            "explanation": "说明",
        },
    ],
    "system": {"marks_expiring": "sys_expiring"},
    "sections": [
        {
            "key": "s1",
            "title": "商标",
            "questions": [
                {
                    "key": "mark",
                    "type": "single",
                    "text": "是否注册商标？",
                    "choices": [
                        {"key": "yes", "label": "是"},
                        {"key": "no", "label": "否", "findings": ["no_mark"]},
                        {"key": "unsure", "label": "不清楚", "findings": ["mark_unknown"]},
                    ],
                },
                {
                    "key": "mark_owner_ok",
                    "type": "yesno",
                    "text": "注册人是本企业吗？",
                    "when": {"question": "mark", "in": ["yes"]},
                    "if_no": ["mark_unknown"],
                },
            ],
        },
        {
            "key": "s2",
            "title": "秘密",
            "questions": [
                {"key": "nda", "type": "yesno", "text": "签了保密协议吗？", "if_no": ["no_nda"]},
                {
                    "key": "measures",
                    "type": "multiple",
                    "text": "保密措施",
                    "choices": [
                        {"key": "access", "label": "访问控制", "unselected_findings": ["no_access"]},
                        {"key": "marking", "label": "标注密级"},
                        {"key": "none", "label": "都没有", "exclusive": True},
                    ],
                },
                {
                    "key": "staff",
                    "type": "number",
                    "text": "员工人数",
                    "min": 1,
                    "max": 1000,
                    "required": False,
                    "bands": [{"min": 1, "max": 9, "findings": ["few_staff"]}, {"min": 10, "max": 1000}],
                },
                {
                    "key": "loan",
                    "type": "yesno",
                    "text": "需要融资吗？",
                    "if_yes": ["loan"],
                    "required": False,
                },
            ],
        },
    ],
}


def small(**changes):
    data = copy.deepcopy(SMALL)
    data.update(changes)
    return data


def small_definition(**changes):
    checked = validate_definition(small(**changes))
    assert not checked.problems, checked.problems
    return checked.definition


def answer_all(definition, pick="first", **overrides):
    """Answers to every asked question: the first (or last) choice, or the given value."""
    answers = {}
    for q in questions(definition):
        if not is_asked(q, answers):
            continue
        if q["key"] in overrides:
            answers[q["key"]] = overrides[q["key"]]
            continue
        if q["type"] == "number":
            answers[q["key"]] = q["min"]
            continue
        choices = q["choices"] if pick == "first" else list(reversed(q["choices"]))
        choice = next(c for c in choices if not c["exclusive"])
        answers[q["key"]] = [choice["key"]] if q["type"] == "multiple" else choice["key"]
    return answers
