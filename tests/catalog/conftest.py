import pytest


@pytest.fixture(autouse=True)
def _english(english):
    """These tests quote the messages' English wording."""


@pytest.fixture
def guide():
    """Valid guide content for a draft."""
    return {
        "steps": ["提交申请", "窗口审核", "办结"],
        "materials": [{"name": "申请书", "copies": 1, "required": True}, {"name": "身份证明"}],
        "fees": "免费",
        "legal_basis": [{"law": "《中华人民共和国商标法》", "article": "第二十二条"}],
        "time_limit_days": 5,
        "time_limit_note": "",
        "channels": ["window", "online"],
        "agency_types": ["service_centre", "tm_window"],
        "faq": [{"q": "要带什么？", "a": "申请书和身份证明。"}],
    }
