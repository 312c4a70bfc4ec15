"""Markup built as plain strings, for the pages that write thousands of cells (a dashboard
table, the measurement grid): `format_html` for each piece of them took a fifth to a half of
such a page's time.

The rule: every value that goes into the markup passes through `escaped` (which is
`conditional_escape`), and the whole is marked safe once, by `marked`.
"""

from __future__ import annotations

from html import escape as escape_text

from django.utils.safestring import SafeString, mark_safe


def escaped(value) -> str:
    """What `conditional_escape` returns: safe text as it is, anything else escaped."""
    return value.__html__() if hasattr(value, "__html__") else escape_text(str(value))


def marked(html: str) -> SafeString:
    """Markup built here and there with every value in it `escaped`, marked safe: the one place
    that does so for built markup."""
    return mark_safe(html)  # noqa: S308  # nosec B308 B703  # nosemgrep: veikart-no-mark-safe-on-data
