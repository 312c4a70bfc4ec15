from __future__ import annotations

from django import template
from django.utils.html import format_html

from dashboards.scoring import Status
from dashboards.tables import STATUS_ICONS, STATUS_LABELS

register = template.Library()


@register.simple_tag
def status_badge(status: Status | str | None, text: str = ""):
    """A status as icon and words, coloured as well but never by colour alone."""
    if status is None:
        return text
    status = Status(status)
    return format_html(
        '<span class="status status-{}"><span aria-hidden="true">{}</span> {}</span>',
        status.value,
        STATUS_ICONS[status],
        text or STATUS_LABELS[status],
    )


@register.simple_tag
def status_count(status: Status | str, n: int):
    """A compact count: icon and number, with the status in words for screen readers and as a
    tooltip (the icon's shape already tells the statuses apart without colour)."""
    status = Status(status)
    return format_html(
        '<span class="status status-{}" title="{}"><span aria-hidden="true">{}</span>'
        '<span class="visually-hidden">{}:</span> {}</span>',
        status.value,
        STATUS_LABELS[status],
        STATUS_ICONS[status],
        STATUS_LABELS[status],
        n,
    )


@register.simple_tag
def named(name: str, code: str = ""):
    """A name with its internal code after it, small and muted: the one way dashboards show a
    code (`dashboards.tables.named_text` is the same for plain text)."""
    if not code:
        return format_html("{}", name)
    return format_html('{} <span class="code code-after">{}</span>', name, code)
