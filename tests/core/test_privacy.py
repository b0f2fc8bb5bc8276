"""The masking helpers and the logging filter (core.privacy)."""

import logging

import pytest

from zhichan.core.privacy import (
    PersonalDataFilter,
    mask_email,
    mask_id_number,
    mask_name,
    mask_phone,
    mask_text,
)


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("13812341234", "138****1234"),
        ("+86 138-1234-1234", "138****1234"),
        ("0354-2345678", "035****5678"),
        ("12345", "***45"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone(value, masked):
    assert mask_phone(value) == masked


def test_mask_id_number_hides_the_birth_date():
    assert mask_id_number("14070219900101123X") == "140***********123X"
    assert mask_id_number("123") == "***"
    assert mask_id_number("") == ""


@pytest.mark.parametrize(
    ("value", "masked"),
    [("张三", "张*"), ("欧阳娜娜", "欧***"), ("张", "张*"), ("John Smith", "J*** S****"), ("", "")],
)
def test_mask_name(value, masked):
    assert mask_name(value) == masked


def test_mask_email():
    assert mask_email("zhang@example.com") == "z***@example.com"
    assert mask_email("") == ""


def test_mask_text_finds_numbers_in_free_text():
    text = "来电 13812341234，身份证 14070219900101123X，座机 0354-2345678，案件 JZ-2026-000123"
    masked = mask_text(text)
    assert "13812341234" not in masked and "138****1234" in masked
    assert "19900101" not in masked and "140***********123X" in masked
    assert "2345678" not in masked and "0354-***5678" in masked
    assert "JZ-2026-000123" in masked  # case numbers and dates stay readable
    assert mask_text("2026-03-02 10:00 id=42") == "2026-03-02 10:00 id=42"


def test_logging_filter_masks_message_and_arguments(caplog):
    logger = logging.getLogger("zhichan.test.privacy")
    log_filter = PersonalDataFilter()
    logger.addFilter(log_filter)
    try:
        with caplog.at_level(logging.INFO, logger="zhichan.test.privacy"):
            logger.info("callback to %s for case %d", "13812341234", 42)
            logger.info("id 14070219900101123X")
    finally:
        logger.removeFilter(log_filter)
    messages = [r.getMessage() for r in caplog.records]
    assert messages == ["callback to 138****1234 for case 42", "id 140***********123X"]


def test_logging_filter_leaves_a_broken_record_alone():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "%d items", ("many",), None)
    assert PersonalDataFilter().filter(record) is True
    assert record.args == ("many",)
