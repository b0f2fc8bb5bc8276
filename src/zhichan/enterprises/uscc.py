"""The unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters, check last."""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


FORM = "a code has 18 characters from digits and capital letters except I, O, S, V, Z"


class UsccError(ValueError):
    pass


def check_character(first17: str) -> str:
    try:
        total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    except ValueError as exc:
        raise UsccError(FORM) from exc
    return ALPHABET[(31 - total % 31) % 31]


def parse_uscc(value: str) -> str:
    """The code in capitals, or UsccError saying why it is not one."""
    code = str(value).strip().upper()
    if len(code) != 18 or any(c not in ALPHABET for c in code):
        raise UsccError(FORM)
    expected = check_character(code[:17])
    if code[17] != expected:
        raise UsccError(f"wrong check character {code[17]}, expected {expected}")
    return code
