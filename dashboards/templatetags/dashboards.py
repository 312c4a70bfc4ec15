from __future__ import annotations

from django import template
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

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


@register.simple_tag
def table_rows(table) -> SafeString:
    """The body rows of a dashboard table (dashboards/_table.html), built here rather than in
    a template loop: a unit page at national scale shows two tables of a hundred rows, and
    the loop's dozen tags per cell were a third of the page's time."""
    unusual = _("unusual")
    rows = []
    for row in table.screen_rows:
        cells = []
        for n, cell in enumerate(row):
            if cell.svg:
                inner = conditional_escape(cell.svg)
            elif cell.status:
                inner = status_badge(cell.status, cell.text)
            elif cell.muted:
                inner = format_html(
                    '<span class="whole-target">{}</span>', named(cell.text, cell.code)
                )
            else:
                inner = named(cell.text, cell.code)
            if cell.href:
                inner = format_html('<a href="{}">{}</a>', cell.href, inner)
            if cell.flag:
                inner = format_html(
                    '{} <span class="flag" title="{}"><span aria-hidden="true">⚠</span> {}</span>',
                    inner,
                    cell.flag,
                    unusual,
                )
            if n == 0:
                cells.append(format_html('<th scope="row">{}</th>', inner))
            elif cell.number is not None:
                cells.append(format_html('<td class="num">{}</td>', inner))
            else:
                cells.append(format_html("<td>{}</td>", inner))
        rows.append(format_html_join("", "{}", ((c,) for c in cells)))
    return format_html_join("\n", "<tr>{}</tr>", ((r,) for r in rows))
