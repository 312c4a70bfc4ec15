"""How numbers, percentages and dates are written for people, in the active language.

The one place for it: templates use the filters in `goals.templatetags.reporting`, Python code
(dashboard tables, e-mails) calls these functions. In Norwegian: 1 234,5 · 68,7 % · 29. nov. 2026;
in English: 1,234.5 · 68.7 % · 29 Nov 2026 (the date formats are in `config/formats/`).
Downloads keep numbers as numbers and do not come through here.
"""

from __future__ import annotations

import datetime
import functools
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import formats, timezone, translation

# Between a number and its per cent sign: Norwegian (and SI) writing keeps a space, which must
# not break a line.
PERCENT_SPACE = "\u00a0"


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def number(value, decimals: int = 0) -> str:
    """A figure with `decimals` decimals and thousands grouped: "6 803 883", "68,7"."""
    figure = _decimal(value)
    if figure is None:
        return ""
    decimals = max(0, int(decimals))
    rounded = figure.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # never "-0"
    separators = _separators(translation.get_language())
    if separators is None:
        return formats.number_format(rounded, decimals, use_l10n=True, force_grouping=True)
    # Django's number_format, written out for grouping by threes with the language's
    # separators looked up once: a national page formats thousands of figures.
    return f"{rounded:,.{decimals}f}".translate(separators)


@functools.cache
def _separators(language: str | None) -> dict[int, str] | None:
    """The language's number separators as a `str.translate` table from Python's "1,234.5",
    or None where it does not group by threes."""
    if formats.get_format("NUMBER_GROUPING", language) != 3:
        return None
    return {
        ord(","): formats.get_format("THOUSAND_SEPARATOR", language),
        ord("."): formats.get_format("DECIMAL_SEPARATOR", language),
    }


@receiver(setting_changed)
def _forget_separators(**kwargs) -> None:
    _separators.cache_clear()


def percent(value, decimals: int = 0) -> str:
    """A percentage given in per cent (68.7 → "68,7 %" in Norwegian, "68.7 %" in English)."""
    text = number(value, decimals)
    return f"{text}{PERCENT_SPACE}%" if text else ""


def share(value, decimals: int = 0) -> str:
    """A share of one given as a fraction (0.687 → "68,7 %")."""
    figure = _decimal(value)
    return "" if figure is None else percent(figure * 100, decimals)


def day(value: datetime.date | None) -> str:
    """A date: "29. nov. 2026" / "29 Nov 2026"."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, "DATE_FORMAT")


def moment(value: datetime.datetime | None) -> str:
    """A date and time in the local time zone: "29. nov. 2026 14:05"."""
    if value is None:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, "DATETIME_FORMAT")
