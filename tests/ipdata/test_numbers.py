import pytest

from zhichan.ipdata.numbers import (
    NumberError,
    application_type,
    application_year,
    check_digit,
    parse_application_number,
    parse_publication_number,
    publication_type,
)


@pytest.mark.parametrize(
    "written",
    [
        "201510163325.6",
        "CN201510163325.6",
        "ZL201510163325.6",
        "ZL 2015 1 0163325.6",
        "2015101633256",
        "201510163325",
    ],
)
def test_application_number_forms(written):
    assert parse_application_number(written) == "201510163325.6"


def test_check_digit_ten_is_x():
    # Find a serial whose weighted sum leaves 10 and check it is written X.
    for serial in range(10000):
        digits = f"20212{serial:07d}"
        if check_digit(digits) == "X":
            assert parse_application_number(digits + "X") == digits + ".X"
            with pytest.raises(NumberError, match="check digit"):
                parse_application_number(digits + "0")
            return
    pytest.fail("no X check digit among 10^4 serials")


def test_old_eight_digit_numbers():
    digits = "98123456"
    canonical = parse_application_number(digits)
    assert canonical == f"{digits}.{check_digit(digits)}"
    assert application_type(canonical) == "invention"
    assert application_year(canonical) == 1998


@pytest.mark.parametrize(
    "bad, reason",
    [
        ("201510163325.7", "wrong check digit"),
        ("20151016332", "not an application number"),
        ("201540163325", "type digit"),
        ("CN201510163325A", "not an application number"),
        ("", "not an application number"),
    ],
)
def test_bad_application_numbers(bad, reason):
    with pytest.raises(NumberError, match=reason):
        parse_application_number(bad)


def test_types_and_years():
    assert application_type(parse_application_number("202120123456")) == "utility"
    assert application_type(parse_application_number("202130123456")) == "design"
    assert application_type(parse_application_number("202180123456")) == "invention"
    assert application_year("201510163325.6") == 2015


@pytest.mark.parametrize(
    "written, canonical, kind",
    [
        ("CN104805195A", "CN104805195A", "invention"),
        ("cn 104805195 b", "CN104805195B", "invention"),
        ("CN213456789U", "CN213456789U", "utility"),
        ("CN306123456S", "CN306123456S", "design"),
        ("CN1234567C", "CN1234567C", "invention"),
        ("CN2345678Y", "CN2345678Y", "utility"),
    ],
)
def test_publication_numbers(written, canonical, kind):
    assert parse_publication_number(written) == canonical
    assert publication_type(canonical) == kind


@pytest.mark.parametrize("bad", ["CN10480519A", "CN104805195X", "US104805195A", "CN104805195"])
def test_bad_publication_numbers(bad):
    with pytest.raises(NumberError):
        parse_publication_number(bad)
