"""Chinese patent application and publication numbers: parsing, check digits, canonical form.

Application numbers since October 2003 have 12 digits (year, type, 7-digit serial) and a check
digit; before that 8 digits (2-digit year, type, 5-digit serial) and a check digit. The check
digit is the weighted digit sum mod 11, with 10 written as X. People write them with "CN" or
"ZL" in front, with or without the dot, sometimes with spaces.
"""

from __future__ import annotations

import re

WEIGHTS_12 = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
WEIGHTS_8 = (2, 3, 4, 5, 6, 7, 8, 9)
# Type digit (5th of 12, 3rd of 8) -> patent type; 8 and 9 are PCT applications entering China.
TYPE_DIGITS = {"1": "invention", "2": "utility", "3": "design", "8": "invention", "9": "utility"}

_APPLICATION = re.compile(r"^(?:CN|ZL)?(\d{8}|\d{12})\.?([\dX])?$")
_PUBLICATION = re.compile(r"^CN(\d{7}|\d{9})([ABCUSY]\d?)$")
PUBLICATION_KINDS = {
    "A": "invention",
    "B": "invention",
    "C": "invention",
    "U": "utility",
    "Y": "utility",
    "S": "design",
}


class NumberError(ValueError):
    """A number that is not a valid Chinese patent number; the message says why."""


def check_digit(digits: str) -> str:
    weights = WEIGHTS_12 if len(digits) == 12 else WEIGHTS_8
    if len(digits) != len(weights) or not digits.isdigit():
        raise NumberError(f"expected 8 or 12 digits, got {digits!r}")
    remainder = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    return "X" if remainder == 10 else str(remainder)


def _compact(value: str) -> str:
    return re.sub(r"[\s\u3000-]", "", str(value)).upper()


def parse_application_number(value: str) -> str:
    """The canonical form "201510163325.6", or NumberError.

    A number written without its check digit is accepted and completed; a wrong check digit
    is refused.
    """
    compact = _compact(value)
    match = _APPLICATION.match(compact)
    if not match:
        raise NumberError("not an application number: 8 or 12 digits and a check digit, e.g. 201510163325.6")
    digits, given = match.groups()
    expected = check_digit(digits)
    if given is not None and given != expected:
        raise NumberError(f"wrong check digit {given}, {digits} needs {expected}")
    type_digit = digits[4] if len(digits) == 12 else digits[2]
    if type_digit not in TYPE_DIGITS:
        raise NumberError(f"unknown patent type digit {type_digit}")
    return f"{digits}.{expected}"


def application_type(canonical: str) -> str:
    digits = canonical.split(".", 1)[0]
    return TYPE_DIGITS[digits[4] if len(digits) == 12 else digits[2]]


def application_year(canonical: str) -> int:
    digits = canonical.split(".", 1)[0]
    if len(digits) == 12:
        return int(digits[:4])
    year = int(digits[:2])
    return 1900 + year if year >= 85 else 2000 + year


def parse_publication_number(value: str) -> str:
    """The canonical form "CN104805195A" (kind code kept), or NumberError."""
    compact = _compact(value)
    if compact and not compact.startswith("CN"):
        compact = "CN" + compact
    if not _PUBLICATION.match(compact):
        raise NumberError("not a publication number: CN, 7 or 9 digits and a kind code (A, B, C, U, Y, S)")
    return compact


def publication_type(canonical: str) -> str:
    return PUBLICATION_KINDS[_PUBLICATION.match(canonical).group(2)[0]]
