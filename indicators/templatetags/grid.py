"""A row of the measurement grid, rendered in Python: a reporter's grid has hundreds of rows
(180 for a department at national scale), and the same markup as template tags cost about
1 ms a row, most of the page's time. The markup is the template's it replaced, line for line
(compared on 6,460 rows in every state, both languages, before it was kept); the states are
tested in `tests/indicators/test_measurement_grid.py` and the browser tests of the grid."""

from __future__ import annotations

import re
from functools import lru_cache

from django import template
from django.template.defaultfilters import default_if_none
from django.utils.formats import localize, time_format
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.timezone import localtime
from django.utils.translation import get_language, gettext, ngettext

from goals.templatetags.reporting import figure, person
from ops.addresses import address_pattern

register = template.Library()


def _literal(html: str, **values) -> str:
    """Markup written here or in a translation, with `{name}` values escaped (format_html,
    which wants at least one value: hence the empty `_`)."""
    return format_html(html + "{_}", _="", **values)


MUTED_DASH = _literal('<span class="muted">—</span>')


def _out(value) -> str:
    """`{{ value }}` of a text or a number: localized and escaped."""
    return conditional_escape(localize(value))


def _as_format(translated: str) -> str:
    """A translation's `%(name)s` placeholders as `{name}` (its own braces doubled)."""
    return re.sub(r"%\((\w+)\)s", r"{\1}", translated.replace("{", "{{").replace("}", "}}"))


@lru_cache(maxsize=256)
def _translated(msgid: str, language: str | None) -> str:
    """`msgid` translated and made a format string (a grid asks for each 180 times)."""
    return _as_format(gettext(msgid))


def _says(msgid: str, **values) -> str:
    """`{% blocktranslate with … %}`: the translation as written, the values escaped."""
    return _literal(_translated(msgid, get_language()), **{k: _out(v) for k, v in values.items()})


def _constant(msgid: str) -> str:
    """`{% translate "…" %}` of a literal: as written, like the template's own text."""
    return _says(msgid)


def _errors(errors) -> str:
    """`{{ errors|join:" " }}`."""
    return format_html_join(" ", "{}", ((e,) for e in errors))


# Sample arguments of the addresses a row links to (`address_pattern`).
SAMPLES = {
    "indicators:measurement_save": ("zzunitzz", 987654321, "zzperiodzz"),
    "dashboards:indicator": (987654321,),
}


def _url(name: str, *args) -> str:
    return address_pattern(name, *SAMPLES[name]).format(*args)


def _state(row, form) -> str:
    """The row's class beside `grid-row`: its last save's outcome."""
    if form is not None and form.errors:
        return " has-error"
    if row.conflict:
        return " has-conflict"
    if row.notice:
        return " saved"
    return " copied" if row.copied else ""


@register.simple_tag
def grid_row(row, unit, can_edit: bool) -> str:
    """The `<tr>` of one indicator in one open period (`indicators.views.Row`)."""
    indicator, form = row.indicator, row.form
    decimals = indicator.decimals
    save_url = _url("indicators:measurement_save", unit.code, indicator.pk, row.period.code)
    lines: list[str] = [
        format_html(
            '        <tr id="row-{}" class="grid-row{}"{}>',
            row.prefix,
            _state(row, form),
            format_html(' data-save-url="{}"', save_url) if can_edit else "",
        ),
        _literal('          <th scope="row">'),
        format_html(
            '            <a href="{}?unit={}">{}</a>',
            _url("dashboards:indicator", indicator.pk),
            unit.code,
            indicator.label,
        ),
        format_html('            <span class="fine-print">{}</span>', _about(indicator, unit)),
        _literal("          </th>"),
        format_html(
            '          <td class="num" data-label="{}">{}</td>',
            _says("Last period (%(code)s)", code=row.previous_period.code)
            if row.previous_period
            else _constant("Last period"),
            figure(row.previous.value, decimals) if row.previous else MUTED_DASH,
        ),
        format_html(
            '          <td class="num" data-label="{}">{}</td>',
            _constant("Target"),
            _target(row, unit),
        ),
    ]
    value_label = _says("Value %(code)s", code=row.period.code)
    if can_edit:
        lines += _edit_cells(row, form, value_label, save_url)
    else:
        lines += [
            format_html(
                '          <td data-label="{}">{}</td>',
                value_label,
                format_html("{}{}", figure(row.current.value, decimals), _flag(row))
                if row.current
                else MUTED_DASH,
            ),
            format_html(
                '          <td data-label="{}">{}</td>',
                _constant("Comment"),
                (row.current.comment if row.current else "") or "",
            ),
            _literal("          <td></td>"),
        ]
    lines.append(_literal("        </tr>"))
    return format_html_join("\n", "{}", ((line,) for line in lines))


def _about(indicator, unit) -> str:
    """The line under the indicator's name: goal, whose it is, measure and decimals."""
    owner = (
        format_html(" · {}", _says("set by %(code)s", code=indicator.owner_unit.code))
        if indicator.owner_unit_id != unit.pk
        else ""
    )
    if indicator.decimals:
        decimals = _literal(
            _as_format(ngettext("%(counter)s decimal", "%(counter)s decimals", indicator.decimals)),
            counter=_out(indicator.decimals),
        )
    else:
        decimals = _constant("whole numbers")
    return format_html(
        "{}{} · {} · {}",
        indicator.goal.code,
        owner,
        indicator.get_measure_display(),
        decimals,
    )


def _by_period(indicator) -> str:
    period = indicator.target_period
    return format_html(
        '{} <span class="fine-print">({})</span>',
        figure(indicator.target_value, indicator.decimals),
        _says("by %(code)s", code=period.code if period else ""),
    )


def _target(row, unit) -> str:
    """The target the unit is measured against, and whose it is where not its own."""
    indicator, decimals = row.indicator, row.indicator.decimals
    if row.own_target:
        return format_html(
            '{}<span class="fine-print">{}</span>',
            figure(row.own_target.value, decimals),
            _constant("your unit's target"),
        )
    if indicator.owner_unit_id != unit.pk:
        if row.milestone:
            whole = figure(row.milestone.value, decimals)
        elif indicator.target_value is not None:
            whole = _by_period(indicator)
        else:
            whole = MUTED_DASH
        owner = ""
        if row.milestone or indicator.target_value is not None:
            owner = format_html(
                '<span class="fine-print target-owner">{}</span>',
                _says("for %(owner)s as a whole, not your unit's", owner=indicator.owner_unit.code),
            )
        return format_html('<span class="whole-target">{}</span>{}', whole, owner)
    if row.milestone:
        return figure(row.milestone.value, decimals)
    if indicator.target_value is not None:
        return _by_period(indicator)
    return MUTED_DASH


def _flag(row) -> str:
    """ " ⚠ unusual" after a saved value outside the plausible range."""
    if not row.current_is_implausible:
        return _literal("")
    return format_html(
        ' <span class="flag" title="{}"><span aria-hidden="true">⚠</span> {}</span>',
        row.indicator.implausible_message(),
        _constant("unusual"),
    )


def _edit_cells(row, form, value_label: str, save_url: str) -> list[str]:
    indicator = row.indicator
    value, comment, version = form["value"], form["comment"], form["version"]
    vid, cid = value.auto_id, comment.auto_id
    aria: str
    note: str
    if value.errors:
        aria = format_html('aria-invalid="true" aria-describedby="{}_error" autofocus', vid)
        note = format_html(
            '<p class="field-error" id="{}_error"><span aria-hidden="true">⚠</span> {}</p>',
            vid,
            _errors(value.errors),
        )
    elif row.conflict:
        aria, note = _literal("autofocus"), ""
    elif row.copied:
        aria = format_html('aria-describedby="{}_copied"', vid)
        note = format_html(
            '<p class="fine-print copied-note" id="{}_copied">{}</p>',
            vid,
            _says("Copied from %(code)s, not saved", code=row.previous_period.code),
        )
    else:
        aria, note = "", ""
    cells: list[str] = [
        format_html('          <td class="cell-value" data-label="{}">', value_label),
        format_html(
            '            <label class="cell-label" for="{}">{}</label>',
            vid,
            _says("Value of %(name)s for %(code)s", name=indicator.label, code=row.period.code),
        ),
        format_html(
            '            <input type="text" inputmode="decimal" name="{}" id="{}" '
            'data-cell="value"',
            value.html_name,
            vid,
        ),
        format_html(
            '                   value="{}" size="10" autocomplete="off"{}',
            default_if_none(value.value(), ""),
            _literal(' class="copied"') if row.copied else "",
        ),
        format_html("                   {}>", aria),
    ]
    if note:
        cells.append(format_html("            {}", note))
    if form.needs_confirmation:
        confirm = form["confirm"]
        cells.append(
            format_html(
                '            <label class="confirm"><input type="checkbox" name="{}" id="{}" '
                'value="on"> {}</label>',
                confirm.html_name,
                confirm.auto_id,
                confirm.label,
            )
        )
    comment_aria = ""
    if comment.errors:
        comment_aria = format_html(
            'aria-invalid="true" aria-describedby="{}_error"{}',
            cid,
            "" if value.errors else _literal(" autofocus"),
        )
    cells += [
        _literal("          </td>"),
        format_html('          <td class="cell-comment" data-label="{}">', _constant("Comment")),
        format_html(
            '            <label class="cell-label" for="{}">{}</label>',
            cid,
            _says("Comment on %(name)s", name=indicator.label),
        ),
        format_html(
            '            <input type="text" name="{}" id="{}" data-cell="comment"',
            comment.html_name,
            cid,
        ),
        format_html(
            '                   value="{}" maxlength="2000" autocomplete="off"',
            default_if_none(comment.value(), ""),
        ),
        format_html("                   {}>", comment_aria),
    ]
    if comment.errors:
        cells.append(
            format_html(
                '            <p class="field-error" id="{}_error"><span aria-hidden="true">⚠</span>'
                " {}</p>",
                cid,
                _errors(comment.errors),
            )
        )
    cells += [
        _literal("          </td>"),
        _literal('          <td class="row-actions">'),
        format_html(
            '            <input type="hidden" name="{}" value="{}" data-cell="version">',
            version.html_name,
            _out(default_if_none(version.value(), 0)),
        ),
        format_html(
            '            <button type="submit" id="save-{}" formaction="{}" data-row-save>{}'
            '<span class="visually-hidden"> — {}</span></button>',
            row.prefix,
            save_url,
            _constant("Save"),
            indicator.label,
        ),
        format_html(
            '            <span class="row-status" role="status">{}</span>{}',
            _status(row, form, version),
            _flag(row),
        ),
        _literal("          </td>"),
    ]
    return cells


def _status(row, form, version) -> str:
    """What the row says of its last save."""
    if version.errors:
        return format_html(
            '<span class="field-error"><span aria-hidden="true">⚠</span> {}</span>',
            _errors(version.errors),
        )
    if row.conflict:
        return format_html(
            '<span class="field-error"><span aria-hidden="true">⚠</span> {}</span>',
            _says(
                "Not saved: %(who)s changed this value to %(value)s at %(when)s. Check, then "
                "save again to replace it.",
                who=person(row.conflict.entered_by),
                value=figure(row.conflict.value, row.indicator.decimals),
                when=time_format(localtime(row.conflict.entered_at), "H:i"),
            ),
        )
    if row.notice:
        return format_html(
            '<span class="ok"><span aria-hidden="true">✔</span> {}</span>', row.notice
        )
    if form.errors:
        return format_html('<span class="field-error">{}</span>', _constant("Not saved."))
    if row.current:
        return format_html(
            '<span class="fine-print">{}</span>',
            _says("by %(who)s", who=person(row.current.entered_by)),
        )
    return ""
