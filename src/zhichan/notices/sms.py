"""The SMS gateway interface: one `send(phone, text)`; the gateway class is a setting.

ZHICHAN_SMS_GATEWAY names the class by dotted path. The default, LoggingSmsGateway,
writes each message to the log and to the SmsMessage table (the demo's outbox); a
deployment plugs in its operator's gateway by subclassing SmsGateway.
"""

import logging
import re
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from zhichan.core.privacy import mask_phone, mask_text

logger = logging.getLogger("zhichan.sms")

DEFAULT_GATEWAY = "zhichan.notices.sms.LoggingSmsGateway"
MOBILE_RE = re.compile(r"1[3-9]\d{9}")
_SEPARATORS = re.compile(r"[\s\-()]")


class SmsError(Exception):
    """The gateway could not send; the message says why (kept on the delivery row)."""


class SmsGateway:
    """Base class: subclasses send one text to one mainland mobile number or raise SmsError."""

    def send(self, phone: str, text: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class LoggingSmsGateway(SmsGateway):
    """Sends nothing: logs the message and stores it, for the demo and for tests."""

    def send(self, phone: str, text: str) -> None:
        from zhichan.notices.models import SmsMessage

        # The number is personal data: the log shows it masked; the outbox row keeps it. In
        # production the text stays out of the log too: it holds tracking links and codes.
        if settings.PRODUCTION:
            logger.info("SMS to %s (%d characters, kept in the outbox only)", mask_phone(phone), len(text))
        else:
            logger.info("SMS to %s: %s", mask_phone(phone), mask_text(text))
        SmsMessage.objects.create(phone=phone, text=text)


@lru_cache(maxsize=4)
def _gateway_class(path: str):
    return import_string(path)


def get_gateway() -> SmsGateway:
    path = getattr(settings, "ZHICHAN_SMS_GATEWAY", "") or DEFAULT_GATEWAY
    return _gateway_class(path)()


def normalize_mobile(value: str) -> str:
    """'+86 138-0000-0000' → '13800000000'; anything else is returned stripped and unchanged."""
    digits = _SEPARATORS.sub("", value or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    elif len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits


def is_mobile(value: str) -> bool:
    return bool(MOBILE_RE.fullmatch(normalize_mobile(value)))


def validate_mobile(value: str) -> None:
    """Django validator: a mainland China mobile number (11 digits, 1[3-9]…), +86 allowed."""
    if not is_mobile(value):
        raise ValidationError(
            _("Enter a mainland China mobile number of 11 digits starting with 13–19, not “%(value)s”."),
            code="invalid_mobile",
            params={"value": value},
        )
