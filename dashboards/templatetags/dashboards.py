from __future__ import annotations

from django import template
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dashboards.scoring import Status
from dashboards.tables import STATUS_ICONS, status_label
from ops.markup import escaped, marked

register = template.Library()


# Built as plain strings and marked safe once (ops.markup): a unit page at national scale has a
# few thousand cells.
def _badge(status: Status | str, text: str = "") -> str:
    status = Status(status)
    return (
        f'<span class="status status-{escaped(status.value)}"><span aria-hidden="true">'
        f"{escaped(STATUS_ICONS[status])}</span> {escaped(text or status_label(status))}</span>"
    )


def _named(name: str, code: str = "") -> str:
    if not code:
        return escaped(name)
    return f'{escaped(name)} <span class="code code-after">{escaped(code)}</span>'


@register.simple_tag
def status_badge(status: Status | str | None, text: str = ""):
    """A status as icon and words, coloured as well but never by colour alone."""
    if status is None:
        return text
    return marked(_badge(status, text))


def _count(status: Status | str, n: int) -> str:
    status = Status(status)
    label, icon = escaped(status_label(status)), escaped(STATUS_ICONS[status])
    return (
        f'<span class="status status-{escaped(status.value)}" title="{label}"><span '
        f'aria-hidden="true">{icon}</span><span class="visually-hidden">{label}:</span> '
        f"{escaped(n)}</span>"
    )


@register.simple_tag
def status_count(status: Status | str, n: int):
    """A compact count: icon and number, with the status in words for screen readers and as a
    tooltip (the icon's shape already tells the statuses apart without colour)."""
    return marked(_count(status, n))


@register.simple_tag
def status_counts(counts: dict, skip_no_data: bool = False):
    """A list of `status_count`s, one per status of `counts` (status → number), the "no data"
    one left out with `skip_no_data`."""
    items = "".join(
        f"<li>{_count(status, n)}</li>"
        for status, n in counts.items()
        if not skip_no_data or status != Status.NO_DATA
    )
    return marked(f'<ul class="counts">{items}</ul>')


def _goal_list(goals: list[dict], shared: int = 0) -> str:
    parts = []
    if goals:
        progress, also_in = escaped(_("progress")), escaped(_("also in"))
        items = []
        for item in goals:
            goal, status = item["goal"], item["result"].status
            line = f"{_badge(status) if status is not None else ''} "
            line += f'<a href="{escaped(item["href"])}">{_named(goal.title, goal.code)}</a>'
            if item["progress"].text:
                line += (
                    ' <span class="goal-progress" aria-describedby="progress-note">· '
                    f"{progress} {escaped(item['progress'].text)}</span>"
                )
            if item["also"]:
                pillars = ", ".join(_named(p.name, p.code) for p in item["also"])
                line += f' <span class="muted">({also_in} {pillars})</span>'
            items.append(f"  <li>{line}</li>")
        parts.append('<ul class="goal-list">\n' + "\n".join(items) + "\n</ul>")
    elif not shared:
        parts.append(f'<p class="muted">{escaped(_("No goals."))}</p>')
    if shared:
        more = ngettext(
            "%(counter)s more goal of this pillar is listed under its first pillar (“also in”).",
            "%(counter)s more goals of this pillar are listed under their first pillar "
            "(“also in”).",
            shared,
        ) % {"counter": shared}
        parts.append(f'<p class="muted">{escaped(more)}</p>')
    return "\n".join(parts)


def _headed(href: str, name: str, code: str, status: Status | None) -> str:
    badge = _badge(status) if status is not None else ""
    return f'<a href="{escaped(href)}">{_named(name, code)}</a> {badge}'


@register.simple_tag
def goal_tree(nodes: list[dict]):
    """The overview's areas → pillars → goals (`pages._goal_tree`), each goal with its status:
    built here, not in template loops, as it lists every goal of the strategy."""
    areas = []
    for node in nodes:
        area = node["area"]
        pillars = [
            f'<li class="goal-tree-pillar">\n<h4>'
            f"{_headed(p['href'], p['pillar'].name, p['pillar'].code, p['result'].status)}</h4>\n"
            f"{_goal_list(p['goals'], p['shared'])}\n</li>"
            for p in node["pillars"]
        ]
        if node["goals"]:
            pillars.append(
                f'<li class="goal-tree-pillar">\n<h4>{escaped(_("Goals in no pillar"))}</h4>\n'
                f"{_goal_list(node['goals'])}\n</li>"
            )
        heading = _headed(node["href"], area.name, area.code, node["result"].status)
        areas.append(
            f'<li class="goal-tree-area" data-colour="{escaped(area.colour)}">\n'
            f"<h3>{heading}</h3>\n<ul>\n" + "\n".join(pillars) + "\n</ul>\n</li>"
        )
    return marked('<ul class="goal-tree">\n' + "\n".join(areas) + "\n</ul>")


@register.simple_tag
def named(name: str, code: str = ""):
    """A name with its internal code after it, small and muted: the one way dashboards show a
    code (`dashboards.tables.named_text` is the same for plain text)."""
    return marked(_named(name, code))


@register.simple_tag
def select_options(options: list[tuple[str, str]], chosen: str):
    """The `<option>`s of (value, label) pairs, `chosen` selected: the unit filter lists a
    university's faculties on every dashboard page."""
    return marked(
        "".join(
            f'<option value="{escaped(value)}"{" selected" if value == chosen else ""}>'
            f"{escaped(label)}</option>"
            for value, label in options
        )
    )


@register.simple_tag
def table_rows(table) -> SafeString:
    """The body rows of a dashboard table (dashboards/_table.html), built here rather than in
    a template loop: a unit page at national scale shows two tables of a hundred rows, and
    the loop's dozen tags per cell were a third of the page's time."""
    unusual = escaped(_("unusual"))
    rows = []
    for row in table.screen_rows:
        cells = []
        for n, cell in enumerate(row):
            if cell.svg:
                inner = escaped(cell.svg)
            elif cell.status:
                inner = _badge(cell.status, cell.text)
            elif cell.muted:
                inner = f'<span class="whole-target">{_named(cell.text, cell.code)}</span>'
            else:
                inner = _named(cell.text, cell.code)
            if cell.href:
                inner = f'<a href="{escaped(cell.href)}">{inner}</a>'
            if cell.flag:
                inner = (
                    f'{inner} <span class="flag" title="{escaped(cell.flag)}"><span '
                    f'aria-hidden="true">⚠</span> {unusual}</span>'
                )
            if n == 0:
                cells.append(f'<th scope="row">{inner}</th>')
            elif cell.number is not None:
                cells.append(f'<td class="num">{inner}</td>')
            else:
                cells.append(f"<td>{inner}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return marked("\n".join(rows))
