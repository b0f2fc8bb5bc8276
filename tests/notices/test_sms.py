"""The SMS gateway interface and the mainland mobile number validator."""

import logging

import pytest
from django.core.exceptions import ValidationError

from tests.notices.gateways import BrokenGateway
from zhichan.notices.models import SmsMessage
from zhichan.notices.sms import LoggingSmsGateway, get_gateway, is_mobile, normalize_mobile, validate_mobile


@pytest.mark.parametrize(
    "value, normal",
    [
        ("13800138000", "13800138000"),
        ("199 0000 1111", "19900001111"),
        ("+86 138-0013-8000", "13800138000"),
        ("008613800138000", "13800138000"),
        ("8613800138000", "13800138000"),
    ],
)
def test_accepted_mobiles(value, normal):
    validate_mobile(value)
    assert is_mobile(value)
    assert normalize_mobile(value) == normal


@pytest.mark.parametrize(
    "value",
    ["", "12800138000", "1380013800", "138001380001", "0351-1234567", "1380013800a", "+1 415 555 0100"],
)
def test_refused_mobiles(value):
    assert not is_mobile(value)
    with pytest.raises(ValidationError) as exc:
        validate_mobile(value)
    assert "mainland China mobile number" in exc.value.messages[0]
    assert exc.value.error_list[0].code == "invalid_mobile"


def test_default_gateway_is_the_logging_one(settings):
    settings.ZHICHAN_SMS_GATEWAY = ""
    assert type(get_gateway()) is LoggingSmsGateway
    settings.ZHICHAN_SMS_GATEWAY = "tests.notices.gateways.BrokenGateway"
    assert type(get_gateway()) is BrokenGateway


@pytest.mark.django_db
def test_logging_gateway_logs_and_stores(caplog):
    with caplog.at_level(logging.INFO, logger="zhichan.sms"):
        LoggingSmsGateway().send("13800138000", "您的案件已受理")
    assert SmsMessage.objects.get().text == "您的案件已受理"
    assert SmsMessage.objects.get().phone == "13800138000"
    assert "138****8000" in caplog.text and "您的案件已受理" in caplog.text
    assert "13800138000" not in caplog.text  # personal data never in the log


@pytest.mark.django_db
def test_in_production_the_log_has_no_text(caplog, settings):
    settings.PRODUCTION = True
    with caplog.at_level(logging.INFO, logger="zhichan.sms"):
        LoggingSmsGateway().send("13800138000", "查询链接 https://ip.example.gov.cn/track/s3cr3t-token/")
    assert "138****8000" in caplog.text and "s3cr3t" not in caplog.text
    assert "s3cr3t-token" in SmsMessage.objects.get().text
