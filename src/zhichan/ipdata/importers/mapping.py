"""The data tables of the importers: column headers, status texts and type names as the Chinese
databases write them, mapped to the model's fields and choices.

Add a variant here, nowhere else. Headers are compared after `normalize_header` (spaces, BOM
and case removed, full-width brackets and colons made half-width).
"""

from __future__ import annotations

import re

from zhichan.ipdata.models import LegalStatus, PatentType, TrademarkStatus

# field -> the headers it is found under (the canonical header first).
PATENT_HEADERS: dict[str, tuple[str, ...]] = {
    "application_number": ("申请号", "专利申请号", "申请号码", "申请专利号", "专利号", "application number"),
    "application_date": ("申请日", "申请日期", "专利申请日", "application date"),
    "publication_number": (
        "公开(公告)号", "公开号", "公开公告号", "公告号", "公开(公告)号码", "申请公布号",
        "publication number",
    ),
    "publication_date": ("公开(公告)日", "公开日", "公开公告日", "公开日期", "公告日", "申请公布日",
                         "publication date"),
    "grant_number": ("授权公告号", "授权号", "授权公告号码", "grant number"),
    "grant_date": ("授权公告日", "授权日", "授权日期", "grant date"),
    "title": ("名称", "标题", "专利名称", "发明名称", "发明创造名称", "title"),
    "abstract": ("摘要", "摘要文本", "abstract"),
    "claims": ("主权项", "权利要求", "权利要求书", "独立权利要求", "claims"),
    "applicants": (
        "申请(专利权)人", "申请人", "专利权人", "申请人(专利权人)", "申请(专利权)人名称", "当前专利权人",
        "原始申请(专利权)人", "applicants",
    ),
    "inventors": ("发明人", "发明(设计)人", "设计人", "inventors"),
    "address": ("地址", "申请人地址", "专利权人地址", "第一申请人地址", "address"),
    "ipc_codes": ("IPC分类号", "IPC", "分类号", "IPC分类", "国际专利分类号", "ipc codes"),
    "main_ipc": ("主分类号", "主IPC", "IPC主分类号", "主IPC分类号", "主分类", "main ipc"),
    "patent_type": ("专利类型", "类型", "申请类型", "专利种类", "patent type"),
    "legal_status_text": (
        "法律状态", "当前法律状态", "法律状态/事件", "简单法律状态", "有效性", "legal status",
    ),
    "agency": ("代理机构", "专利代理机构", "agency"),
    "agents": ("代理人", "专利代理人", "代理师", "agents"),
    # Not a model field: used to link the applicants to enterprises, in the applicants' order.
    "applicant_uscc": ("统一社会信用代码", "申请人统一社会信用代码", "信用代码", "applicant uscc"),
}  # fmt: skip

TRADEMARK_HEADERS: dict[str, tuple[str, ...]] = {
    "registration_number": (
        "注册号", "申请号", "注册号/申请号", "申请/注册号", "商标注册号", "registration number",
    ),
    "name": ("商标名称", "商标", "名称", "商标文字", "mark"),
    "nice_class": ("国际分类", "国际分类号", "类别", "商品类别", "nice class"),
    "similar_groups": ("类似群", "类似群组", "类似群号", "similar groups"),
    "goods": ("商品/服务", "商品服务", "商品/服务项目", "商品", "使用商品", "goods"),
    "application_date": ("申请日", "申请日期", "application date"),
    "publication_date": ("初审公告日", "初审公告日期", "初步审定公告日", "publication date"),
    "registration_date": ("注册日", "注册公告日", "注册日期", "registration date"),
    "period": ("专用权期限", "专用期限", "商标专用权期限", "有效期", "exclusive right period"),
    "expiry_date": ("专用权截止日", "到期日", "有效期至", "expiry date"),
    "applicants": ("申请人", "申请人名称", "注册人", "商标注册人", "申请人(中文)", "applicants"),
    "address": ("地址", "申请人地址", "注册人地址", "申请人地址(中文)", "address"),
    "agency": ("代理机构", "代理人", "商标代理机构", "agency"),
    "status_text": ("商标状态", "状态", "法律状态", "当前状态", "status"),
    "applicant_uscc": ("统一社会信用代码", "申请人统一社会信用代码", "信用代码", "applicant uscc"),
}  # fmt: skip

# Headers only a trademark table has: they tell the two kinds of table apart.
TRADEMARK_ONLY = ("国际分类", "国际分类号", "类似群", "类似群组", "商标名称", "商标", "商标状态", "注册号",
                  "专用权期限", "商品/服务", "初审公告日", "nice class")  # fmt: skip

# How many rows may come before the header row (an export's title lines).
HEADER_SEARCH_ROWS = 10

_HEADER_SPACE = re.compile(r"[\s\ufeff\u200b]+")
_HEADER_WIDTH = str.maketrans({"（": "(", "）": ")", "：": ":", "／": "/", "【": "(", "】": ")"})


def normalize_header(header) -> str:
    text = "" if header is None else str(header)
    text = _HEADER_SPACE.sub("", text.translate(_HEADER_WIDTH)).rstrip(":").lower()
    return text


def _index(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    index = {}
    for field, headers in table.items():
        for header in headers:
            index.setdefault(normalize_header(header), field)
    return index


PATENT_INDEX = _index(PATENT_HEADERS)
TRADEMARK_INDEX = _index(TRADEMARK_HEADERS)


def map_headers(headers, index: dict[str, str]) -> dict[int, str]:
    """Column position -> field, for the headers that are known; the first column of a field wins."""
    found: dict[int, str] = {}
    taken: set[str] = set()
    for position, header in enumerate(headers):
        field = index.get(normalize_header(header))
        if field and field not in taken:
            found[position] = field
            taken.add(field)
    return found


# --- patent types -----------------------------------------------------------------------------

PATENT_TYPE_TEXTS: dict[str, str] = {
    "发明": PatentType.INVENTION,
    "发明专利": PatentType.INVENTION,
    "发明申请": PatentType.INVENTION,
    "发明授权": PatentType.INVENTION,
    "发明公开": PatentType.INVENTION,
    "invention": PatentType.INVENTION,
    "实用新型": PatentType.UTILITY,
    "实用新型专利": PatentType.UTILITY,
    "实用": PatentType.UTILITY,
    "新型": PatentType.UTILITY,
    "utility": PatentType.UTILITY,
    "utilitymodel": PatentType.UTILITY,
    "外观设计": PatentType.DESIGN,
    "外观设计专利": PatentType.DESIGN,
    "外观": PatentType.DESIGN,
    "design": PatentType.DESIGN,
}

# --- legal status of patents ------------------------------------------------------------------

# Exact texts first; then the first keyword found in the text decides (order matters:
# "未缴年费终止" must be read as lapsed before "授权" could match anything).
LEGAL_STATUS_TEXTS: dict[str, str] = {
    "有效": LegalStatus.VALID,
    "有权": LegalStatus.VALID,
    "授权": LegalStatus.VALID,
    "有效专利": LegalStatus.VALID,
    "专利权维持": LegalStatus.VALID,
    "审中": LegalStatus.PENDING,
    "在审": LegalStatus.PENDING,
    "公开": LegalStatus.PENDING,
    "实质审查": LegalStatus.PENDING,
    "实审": LegalStatus.PENDING,
    "申请中": LegalStatus.PENDING,
    "审查中": LegalStatus.PENDING,
    "pending": LegalStatus.PENDING,
    "失效": LegalStatus.INVALID,
    "无效": LegalStatus.INVALID,
    "无权": LegalStatus.INVALID,
    "驳回": LegalStatus.INVALID,
    "视撤": LegalStatus.INVALID,
    "撤回": LegalStatus.INVALID,
    "放弃": LegalStatus.INVALID,
    "届满": LegalStatus.INVALID,
    "期限届满": LegalStatus.INVALID,
    "未缴年费": LegalStatus.INVALID,
    "未缴年费终止": LegalStatus.INVALID,
    "全部无效": LegalStatus.INVALID,
    "valid": LegalStatus.VALID,
    "invalid": LegalStatus.INVALID,
}
LEGAL_STATUS_KEYWORDS: tuple[tuple[str, str], ...] = (
    ("终止", LegalStatus.INVALID),
    ("未缴", LegalStatus.INVALID),
    ("失效", LegalStatus.INVALID),
    ("无效", LegalStatus.INVALID),
    ("驳回", LegalStatus.INVALID),
    ("撤回", LegalStatus.INVALID),
    ("视撤", LegalStatus.INVALID),
    ("放弃", LegalStatus.INVALID),
    ("届满", LegalStatus.INVALID),
    ("审查", LegalStatus.PENDING),
    ("审中", LegalStatus.PENDING),
    ("公开", LegalStatus.PENDING),
    ("有效", LegalStatus.VALID),
    ("授权", LegalStatus.VALID),
    ("维持", LegalStatus.VALID),
)

# --- trademark status -------------------------------------------------------------------------

TRADEMARK_STATUS_TEXTS: dict[str, str] = {
    "已注册": TrademarkStatus.REGISTERED,
    "注册": TrademarkStatus.REGISTERED,
    "注册商标": TrademarkStatus.REGISTERED,
    "商标已注册": TrademarkStatus.REGISTERED,
    "有效": TrademarkStatus.REGISTERED,
    "已续展": TrademarkStatus.REGISTERED,
    "初审公告": TrademarkStatus.PUBLISHED,
    "初步审定": TrademarkStatus.PUBLISHED,
    "初审": TrademarkStatus.PUBLISHED,
    "申请中": TrademarkStatus.PENDING,
    "待审中": TrademarkStatus.PENDING,
    "等待实质审查": TrademarkStatus.PENDING,
    "商标申请": TrademarkStatus.PENDING,
    "受理": TrademarkStatus.PENDING,
    "已受理": TrademarkStatus.PENDING,
    "异议中": TrademarkStatus.PENDING,
    "无效": TrademarkStatus.INVALID,
    "已无效": TrademarkStatus.INVALID,
    "失效": TrademarkStatus.INVALID,
    "已失效": TrademarkStatus.INVALID,
    "商标已失效": TrademarkStatus.INVALID,
    "注销": TrademarkStatus.INVALID,
    "已注销": TrademarkStatus.INVALID,
    "撤销": TrademarkStatus.INVALID,
    "已撤销": TrademarkStatus.INVALID,
    "驳回": TrademarkStatus.INVALID,
    "不予注册": TrademarkStatus.INVALID,
    "已过期": TrademarkStatus.INVALID,
    "期满未续展": TrademarkStatus.INVALID,
    "registered": TrademarkStatus.REGISTERED,
    "published": TrademarkStatus.PUBLISHED,
    "pending": TrademarkStatus.PENDING,
    "invalid": TrademarkStatus.INVALID,
}
TRADEMARK_STATUS_KEYWORDS: tuple[tuple[str, str], ...] = (
    ("无效", TrademarkStatus.INVALID),
    ("失效", TrademarkStatus.INVALID),
    ("注销", TrademarkStatus.INVALID),
    ("撤销", TrademarkStatus.INVALID),
    ("驳回", TrademarkStatus.INVALID),
    ("不予注册", TrademarkStatus.INVALID),
    ("过期", TrademarkStatus.INVALID),
    ("未续展", TrademarkStatus.INVALID),
    ("初审", TrademarkStatus.PUBLISHED),
    ("初步审定", TrademarkStatus.PUBLISHED),
    ("审查", TrademarkStatus.PENDING),
    ("申请", TrademarkStatus.PENDING),
    ("异议", TrademarkStatus.PENDING),
    ("已注册", TrademarkStatus.REGISTERED),
    ("续展", TrademarkStatus.REGISTERED),
    ("注册", TrademarkStatus.REGISTERED),
)

_STATUS_SPACE = re.compile(r"[\s\u3000]+")


def _lookup(raw: str, exact: dict[str, str], keywords, default: str) -> str:
    key = _STATUS_SPACE.sub("", raw).lower()
    if not key:
        return default
    if key in exact:
        return str(exact[key])
    for word, status in keywords:
        if word in key:
            return str(status)
    return str(default)


def legal_status(raw: str) -> str:
    return _lookup(raw, LEGAL_STATUS_TEXTS, LEGAL_STATUS_KEYWORDS, LegalStatus.UNKNOWN)


def trademark_status(raw: str) -> str:
    return _lookup(raw, TRADEMARK_STATUS_TEXTS, TRADEMARK_STATUS_KEYWORDS, TrademarkStatus.UNKNOWN)


def patent_type(raw: str) -> str | None:
    key = _STATUS_SPACE.sub("", raw).lower()
    found = PATENT_TYPE_TEXTS.get(key)
    return str(found) if found else None
