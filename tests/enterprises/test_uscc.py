import pytest

from zhichan.enterprises.uscc import UsccError, check_character, parse_uscc


def test_valid_code_in_any_case():
    assert parse_uscc(" 91350100m000100y43 ") == "91350100M000100Y43"


def test_check_character_computed():
    assert check_character("91350100M000100Y4") == "3"


@pytest.mark.parametrize(
    "bad, reason",
    [
        ("91350100M000100Y44", "wrong check character"),
        ("91350100M000100Y4", "18 characters"),
        ("91350100I000100Y43", "18 characters"),
    ],
)
def test_bad_codes(bad, reason):
    with pytest.raises(UsccError, match=reason):
        parse_uscc(bad)
