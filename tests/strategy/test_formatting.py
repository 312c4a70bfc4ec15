"""Numbers, percentages and dates as each language writes them, and numbers read both ways."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from indicators.models import parse_decimal
from strategy import formatting
from tests.factories import IndicatorFactory, MeasurementFactory, period

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("language", "value", "decimals", "expected"),
    [
        ("nb", Decimal("1234.5"), 1, f"1{NBSP}234,5"),
        ("nb", Decimal("6803883"), 0, f"6{NBSP}803{NBSP}883"),
        ("nb", Decimal("68.66"), 1, "68,7"),
        ("nb", Decimal("-0.04"), 1, "0,0"),
        ("en", Decimal("6803883"), 0, "6,803,883"),
        ("en", Decimal("1234.5"), 2, "1,234.50"),
        ("en", None, 0, ""),
        ("en", "not a number", 0, ""),
    ],
)
def test_numbers_are_grouped_and_rounded_as_the_language_writes_them(
    language, value, decimals, expected
):
    with translation.override(language):
        assert formatting.number(value, decimals) == expected


def test_percentages_keep_a_non_breaking_space_before_the_sign():
    with translation.override("nb"):
        assert formatting.percent(Decimal("68.7"), 1) == f"68,7{NBSP}%"
        assert formatting.share(Decimal("0.687"), 1) == f"68,7{NBSP}%"
    with translation.override("en"):
        assert formatting.percent(Decimal("68.7"), 1) == f"68.7{NBSP}%"


def test_dates_read_as_each_language_writes_them():
    day = datetime.date(2026, 11, 29)
    with translation.override("nb"):
        assert formatting.day(day) == "29. nov. 2026"
    with translation.override("en"):
        assert formatting.day(day) == "29 Nov 2026"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1 234,5", Decimal("1234.5")),
        (f"1{NBSP}234,5", Decimal("1234.5")),
        ("1\u202f234,5", Decimal("1234.5")),
        ("1234.5", Decimal("1234.5")),
        ("−3", Decimal("-3")),
        (" 68,7 ", Decimal("68.7")),
    ],
)
def test_numbers_are_read_the_norwegian_and_the_english_way(typed, expected):
    assert parse_decimal(typed) == expected


@pytest.mark.parametrize("typed", ["1,234.5", "1.234,5", "12a", "", "1e5"])
def test_ambiguous_or_wrong_numbers_are_refused(typed):
    with pytest.raises(ValidationError):
        parse_decimal(typed)


def test_the_grid_shows_norwegian_figures_in_norwegian(client, personas, strategy):
    indicator = IndicatorFactory(measure="nok", decimals=0, target_value=Decimal("550704528"))
    MeasurementFactory(indicator=indicator, period=period("2024"), value=Decimal("6803883"))
    client.force_login(personas.idi_reporter)
    client.post("/i18n/setlang/", {"language": "nb", "next": "/"})
    page = client.get("/units/IDI/values/").content.decode()
    assert f"6{NBSP}803{NBSP}883" in page
    assert f"550{NBSP}704{NBSP}528" in page
    assert "1. feb. 2026" in page
