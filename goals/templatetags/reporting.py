from __future__ import annotations

from django import template
from django.template.defaultfilters import floatformat
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from goals.markdown import render_markdown

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
    return floatformat(value, f"{decimals}g")
