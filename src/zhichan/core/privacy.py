"""Personal data: one masking helper for pages, exports and the API, and a logging filter.

Who needs to see a reporter's identity in full is decided by the app (cases.privacy); this
module only knows how to hide it:

- a mobile or landline number keeps its first three and last four digits: 138****1234;
- an ID number (居民身份证号) keeps its first three and last four characters;
- a name keeps its first character: 张*, 欧***; Latin names keep each word's initial;
- an e-mail address keeps the first character of the mailbox: z***@example.com.

`mask_text` hides phone-like and ID-like numbers inside free text, and `PersonalDataFilter`
applies it to every log record as a safety net (settings LOGGING attaches it to handlers).
"""

from __future__ import annotations

import logging
import re

MASK = "*"

# An 18-character resident ID (the last one may be X), a 15-digit old one, a Chinese mobile
# number (with an optional +86), and a landline with its area code.
_ID_RE = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8}|\d{6})(\d{3}[\dXx]|\d{3})(?![0-9A-Za-z])")
_MOBILE_RE = re.compile(r"(?<!\d)((?:\+?86[- ]?)?1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)")
_LANDLINE_RE = re.compile(r"(?<!\d)(0\d{2,3})-(\d{7,8})(?!\d)")


def mask_phone(value: str | None) -> str:
    """138****1234; a short or odd number keeps at most its last two digits."""
    value = (value or "").strip()
    if not value:
        return ""
    digits = [c for c in value if c.isdigit()]
    if len(digits) == 13 and digits[:2] == ["8", "6"]:
        digits = digits[2:]  # the country code of +86 138...
    if len(digits) >= 8:
        return "".join(digits[:3]) + MASK * 4 + "".join(digits[-4:])
    if len(digits) >= 3:
        return MASK * (len(digits) - 2) + "".join(digits[-2:])
    return MASK * 4


def mask_id_number(value: str | None) -> str:
    """110***********1234: the birth date and sequence in between are hidden."""
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) <= 7:
        return MASK * len(value)
    return value[:3] + MASK * (len(value) - 7) + value[-4:]


def mask_name(value: str | None) -> str:
    """张*, 欧阳** -> 欧***; "John Smith" -> "J*** S****"."""
    value = (value or "").strip()
    if not value:
        return ""
    if value.isascii():
        return " ".join(word[0] + MASK * max(len(word) - 1, 1) for word in value.split())
    return value[0] + MASK * max(len(value) - 1, 1)


def mask_email(value: str | None) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    box, at, domain = value.partition("@")
    if not at:
        return mask_name(value)
    return (box[:1] or MASK) + MASK * 3 + "@" + domain


def mask_text(text: str) -> str:
    """Hide ID-like and phone-like numbers inside free text (log lines, messages)."""
    if not text or not any(c.isdigit() for c in text):
        return text
    text = _ID_RE.sub(lambda m: m.group(1)[:3] + MASK * (len(m.group(0)) - 7) + m.group(0)[-4:], text)
    text = _MOBILE_RE.sub(lambda m: m.group(1) + MASK * 4 + m.group(3), text)
    return _LANDLINE_RE.sub(lambda m: m.group(1) + "-" + MASK * (len(m.group(2)) - 4) + m.group(2)[-4:], text)


class PersonalDataFilter(logging.Filter):
    """Masks phone-like and ID-like numbers in a log record's message and arguments.

    A safety net: code must not log personal data in the first place. Attach it to the
    handlers in settings.LOGGING:

        "filters": {"personal_data": {"()": "zhichan.core.privacy.PersonalDataFilter"}},
        "handlers": {"console": {..., "filters": ["personal_data"]}},
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it for the handler to report
            return True
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        return True
