from __future__ import annotations

from django import template
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from goals.markdown import render_markdown
from strategy import formatting

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    return render_markdown(text)


@register.filter
def absolute(number: int) -> int:
    return abs(number)


@register.filter
def person(user) -> str:
    """A user's name as shown on pages; "someone" when unknown (e.g. deleted)."""
    if user is None:
        return gettext("someone")
    return user.get_full_name() or user.get_username()


@register.filter
def figure(value, decimals: int = 0) -> str:
    """A value with the indicator's decimals and thousands grouped, as people read figures."""
    return formatting.number(value, decimals)


@register.filter
def percent(value, decimals: int = 0) -> str:
    """A value in per cent: "68,7 %"."""
    return formatting.percent(value, decimals)


@register.filter
def day(value) -> str:
    """A date as people write it: "29. nov. 2026"."""
    return formatting.day(value)


@register.filter
def moment(value) -> str:
    """A date and time: "29. nov. 2026 14:05"."""
    return formatting.moment(value)
