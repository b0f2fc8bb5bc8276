"""Enterprise names as applicants write them, reduced to what they are matched on.

"晋中市某某科技有限公司", "晋中市某某科技有限责任公司" and "晋中市 某某科技（有限公司）" are one
enterprise: spaces, brackets of either width and the legal-form suffix are left out.
"""

from __future__ import annotations

import re
import unicodedata

# Longest first: the first that ends the name is removed, once.
LEGAL_SUFFIXES = (
    "股份有限公司",
    "有限责任公司",
    "股份合作公司",
    "有限公司",
    "股份公司",
    "COLTD",
    "CO.,LTD.",
    "CO.,LTD",
    "LTD.",
    "LTD",
    "INC.",
    "INC",
)
_DROPPED = re.compile(r"[\s()\[\]{}<>\"'“”‘’·・,，.。]+")

# Words that mark an applicant as an organisation rather than a person.
ORGANISATION_WORDS = (
    "公司", "厂", "集团", "研究院", "研究所", "研究中心", "大学", "学院", "学校", "中学", "小学",
    "中心", "合作社", "医院", "协会", "学会", "事务所", "工作室", "商行", "农场", "林场", "基地",
    "银行", "局", "委员会", "办公室", "站", "馆", "院", "社", "部", "企业", "实验室", "联合体",
    "LTD", "INC", "CORP", "COMPANY", "GMBH", "LLC", "UNIVERSITY",
)  # fmt: skip


def normalize_name(name: str) -> str:
    """The matching form of an enterprise name: NFKC, spaces and brackets removed, legal suffix dropped."""
    text = unicodedata.normalize("NFKC", str(name or "")).upper()
    text = _DROPPED.sub("", text)
    for suffix in LEGAL_SUFFIXES:
        compact = _DROPPED.sub("", suffix)
        if text.endswith(compact) and len(text) > len(compact):
            return text[: -len(compact)]
    return text


def is_organisation(name: str) -> bool:
    text = unicodedata.normalize("NFKC", str(name or "")).upper()
    return any(word in text for word in ORGANISATION_WORDS)
