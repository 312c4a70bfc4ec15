"""Reading typed numbers and checking them against an indicator."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from indicators.models import Indicator, parse_decimal


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("12", Decimal("12")),
        (" 1 234,5 ", Decimal("1234.5")),
        ("1\u00a0234.50", Decimal("1234.50")),
        ("\u22123", Decimal("-3")),
        ("+7", Decimal("7")),
        ("0.000001", Decimal("0.000001")),
        ("99999999999999", Decimal("99999999999999")),
    ],
)
def test_numbers_are_read_as_people_type_them(typed, value):
    assert parse_decimal(typed) == value


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter a number."),
        ("abc", "is not a number"),
        ("1.2.3", "is not a number"),
        ("1e3", "is not a number"),
        ("NaN", "finite"),
        ("inf", "finite"),
        ("-Infinity", "finite"),
        ("123456789012345", "too large"),
        ("1\x00", "NUL"),
        ("9" * 1_000_000, "is not a number"),
    ],
)
def test_bad_numbers_are_refused_with_a_message_naming_the_problem(typed, message):
    with pytest.raises(ValidationError) as error:
        parse_decimal(typed)
    assert message in error.value.messages[0]


def test_an_indicator_refuses_too_many_decimals_and_values_out_of_bounds():
    indicator = Indicator(measure="percent", decimals=1)
    assert indicator.parse_value("99,5") == Decimal("99.5")
    with pytest.raises(ValidationError, match="at most 1 decimals"):
        indicator.parse_value("99.55")
    with pytest.raises(ValidationError, match="between 0 and 100"):
        indicator.parse_value("101")


@given(st.text(max_size=60))
def test_any_text_is_either_a_storable_number_or_a_validation_error(text):
    try:
        value = parse_decimal(text)
    except ValidationError:
        return
    assert value.is_finite()
    _sign, digits, exponent = value.as_tuple()
    assert len(digits) + exponent <= 14


@given(st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=0, max_value=10**12))
def test_any_storable_number_round_trips(value):
    assert parse_decimal(f"{value:f}") == value
