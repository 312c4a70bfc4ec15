"""A row of the measurement grid, rendered in Python: a reporter's grid has hundreds of rows
(180 for a department at national scale). The markup is the template's it replaced, line for
line; it is built as plain strings with every value `escaped` and marked safe once per row
(ops.markup): `format_html` for each of its pieces was most of the page's time. The states are
tested in `tests/indicators/test_measurement_grid.py` and the browser tests of the grid."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from django import template
from django.utils.formats import localize, time_format
from django.utils.safestring import SafeString
from django.utils.timezone import localtime
from django.utils.translation import get_language, gettext, ngettext

from goals.templatetags.reporting import figure, person
from indicators.models import Measure
from ops.addresses import address_pattern
from ops.markup import escaped, marked

register = template.Library()

MUTED_DASH = '<span class="muted">—</span>'
WARNING = '<span aria-hidden="true">⚠</span>'
COPIED = ' class="copied"'


def _as_format(translated: str) -> str:
    """A translation's `%(name)s` placeholders as `{name}` (its own braces doubled)."""
    return re.sub(r"%\((\w+)\)s", r"{\1}", translated.replace("{", "{{").replace("}", "}}"))


@lru_cache(maxsize=256)
def _translated(msgid: str, language: str | None) -> str:
    """`msgid` translated and made a format string (a grid asks for each 180 times)."""
    return _as_format(gettext(msgid))


def _says(msgid: str, **values) -> str:
    """`{% blocktranslate with … %}`: the translation as written, the values localized and
    escaped; `_says(msgid)` is `{% translate "…" %}` of a literal."""
    return _translated(msgid, get_language()).format(
        **{name: escaped(localize(value)) for name, value in values.items()}
    )


def _errors(errors) -> str:
    """`{{ errors|join:" " }}`."""
    return " ".join(escaped(error) for error in errors)


# Sample arguments of the addresses a row links to (`address_pattern`).
SAMPLES = {
    "indicators:measurement_save": ("zzunitzz", 987654321, "zzperiodzz"),
    "dashboards:indicator": (987654321,),
}


def _url(name: str, *args) -> str:
    return address_pattern(name, *SAMPLES[name]).format(*args)


class Inputs(NamedTuple):
    """What a row's inputs hold and say: from its form after a save was tried, else from the
    stored value (a grid's GET builds no form for its hundreds of rows)."""

    value: str
    comment: str
    version: object
    value_errors: list
    comment_errors: list
    version_errors: list
    refused: bool
    needs_confirmation: bool
    confirm_name: str = ""
    confirm_label: str = ""

    @classmethod
    def of(cls, row) -> Inputs:
        form = row.form
        if form is None:
            initial = row.initial()
            return cls(
                _or_blank(initial.get("value")),
                _or_blank(initial.get("comment")),
                initial["version"],
                [],
                [],
                [],
                refused=False,
                needs_confirmation=False,
            )
        confirm = form["confirm"]
        return cls(
            _or_blank(form["value"].value()),
            _or_blank(form["comment"].value()),
            form["version"].value(),
            form["value"].errors,
            form["comment"].errors,
            form["version"].errors,
            refused=bool(form.errors),
            needs_confirmation=form.needs_confirmation,
            confirm_name=confirm.html_name,
            confirm_label=confirm.label,
        )


def _or_blank(value) -> str:
    """`default_if_none:""`."""
    return "" if value is None else str(value)


def _state(row, inputs: Inputs) -> str:
    """The row's class beside `grid-row`: its last save's outcome."""
    if inputs.refused:
        return " has-error"
    if row.conflict:
        return " has-conflict"
    if row.notice:
        return " saved"
    return " copied" if row.copied else ""


@register.simple_tag
def grid_row(row, unit, can_edit: bool) -> SafeString:
    """The `<tr>` of one indicator in one open period (`indicators.views.Row`)."""
    indicator, inputs = row.indicator, Inputs.of(row)
    decimals = indicator.decimals
    save_url = _url("indicators:measurement_save", unit.code, indicator.pk, row.period.code)
    saves_to = f' data-save-url="{escaped(save_url)}"' if can_edit else ""
    if row.previous_period:
        last_label = _says("Last period (%(code)s)", code=row.previous_period.code)
    else:
        last_label = _says("Last period")
    last = escaped(figure(row.previous.value, decimals)) if row.previous else MUTED_DASH
    lines: list[str] = [
        f'        <tr id="row-{escaped(row.prefix)}" class="grid-row{_state(row, inputs)}"'
        f"{saves_to}>",
        '          <th scope="row">',
        f'            <a href="{escaped(_url("dashboards:indicator", indicator.pk))}?unit='
        f'{escaped(unit.code)}">{escaped(indicator.label)}</a>',
        f'            <span class="fine-print">{_about(indicator, unit)}</span>',
        "          </th>",
        f'          <td class="num" data-label="{last_label}">{last}</td>',
        f'          <td class="num" data-label="{_says("Target")}">{_target(row, unit)}</td>',
    ]
    value_label = _says("Value %(code)s", code=row.period.code)
    if can_edit:
        lines += _edit_cells(row, inputs, value_label, save_url)
    else:
        if row.current:
            value = f"{escaped(figure(row.current.value, decimals))}{_flag(row)}"
        else:
            value = MUTED_DASH
        comment = (row.current.comment if row.current else "") or ""
        lines += [
            f'          <td data-label="{value_label}">{value}</td>',
            f'          <td data-label="{_says("Comment")}">{escaped(comment)}</td>',
            "          <td></td>",
        ]
    lines.append("        </tr>")
    return marked("\n".join(lines))


def _about(indicator, unit) -> str:
    """The line under the indicator's name: goal, whose it is, measure and decimals."""
    owner = ""
    if indicator.owner_unit_id != unit.pk:
        owner = f" · {_says('set by %(code)s', code=indicator.owner_unit.code)}"
    if indicator.decimals:
        decimals = _as_format(
            ngettext("%(counter)s decimal", "%(counter)s decimals", indicator.decimals)
        ).format(counter=escaped(localize(indicator.decimals)))
    else:
        decimals = _says("whole numbers")
    measure = _measures(get_language()).get(indicator.measure, indicator.measure)
    return f"{escaped(indicator.goal.code)}{owner} · {escaped(measure)} · {decimals}"


@lru_cache(maxsize=8)
def _measures(language: str | None) -> dict[str, str]:
    """`get_measure_display()` by measure, in `language` (a tenth of the row's time)."""
    return {measure.value: str(measure.label) for measure in Measure}


def _by_period(indicator) -> str:
    period = indicator.target_period
    by = _says("by %(code)s", code=period.code if period else "")
    target = escaped(figure(indicator.target_value, indicator.decimals))
    return f'{target} <span class="fine-print">({by})</span>'


def _target(row, unit) -> str:
    """The target the unit is measured against, and whose it is where not its own."""
    indicator, decimals = row.indicator, row.indicator.decimals
    if row.own_target:
        own = _says("your unit's target")
        return (
            f"{escaped(figure(row.own_target.value, decimals))}"
            f'<span class="fine-print">{own}</span>'
        )
    if indicator.owner_unit_id != unit.pk:
        if row.milestone:
            whole = escaped(figure(row.milestone.value, decimals))
        elif indicator.target_value is not None:
            whole = _by_period(indicator)
        else:
            whole = MUTED_DASH
        owner = ""
        if row.milestone or indicator.target_value is not None:
            says = _says(
                "for %(owner)s as a whole, not your unit's", owner=indicator.owner_unit.code
            )
            owner = f'<span class="fine-print target-owner">{says}</span>'
        return f'<span class="whole-target">{whole}</span>{owner}'
    if row.milestone:
        return escaped(figure(row.milestone.value, decimals))
    if indicator.target_value is not None:
        return _by_period(indicator)
    return MUTED_DASH


def _flag(row) -> str:
    """ " ⚠ unusual" after a saved value outside the plausible range."""
    if not row.current_is_implausible:
        return ""
    return (
        f' <span class="flag" title="{escaped(row.indicator.implausible_message())}">'
        f"{WARNING} {_says('unusual')}</span>"
    )


def _edit_cells(row, inputs: Inputs, value_label: str, save_url: str) -> list[str]:
    indicator, prefix = row.indicator, escaped(row.prefix)
    vid, cid = f"id_{prefix}-value", f"id_{prefix}-comment"
    if inputs.value_errors:
        aria = f'aria-invalid="true" aria-describedby="{vid}_error" autofocus'
        note = (
            f'<p class="field-error" id="{vid}_error">{WARNING} {_errors(inputs.value_errors)}</p>'
        )
    elif row.conflict:
        aria, note = "autofocus", ""
    elif row.copied:
        aria = f'aria-describedby="{vid}_copied"'
        copied = _says("Copied from %(code)s, not saved", code=row.previous_period.code)
        note = f'<p class="fine-print copied-note" id="{vid}_copied">{copied}</p>'
    else:
        aria, note = "", ""
    value_name = _says("Value of %(name)s for %(code)s", name=indicator.label, code=row.period.code)
    cells: list[str] = [
        f'          <td class="cell-value" data-label="{value_label}">',
        f'            <label class="cell-label" for="{vid}">{value_name}</label>',
        f'            <input type="text" inputmode="decimal" name="{prefix}-value" id="{vid}" '
        'data-cell="value"',
        f'                   value="{escaped(inputs.value)}" size="10" autocomplete="off"'
        f"{COPIED if row.copied else ''}",
        f"                   {aria}>",
    ]
    if note:
        cells.append(f"            {note}")
    if inputs.needs_confirmation:
        name = escaped(inputs.confirm_name)
        cells.append(
            f'            <label class="confirm"><input type="checkbox" name="{name}" '
            f'id="id_{name}" value="on"> {escaped(inputs.confirm_label)}</label>'
        )
    comment_aria = ""
    if inputs.comment_errors:
        autofocus = "" if inputs.value_errors else " autofocus"
        comment_aria = f'aria-invalid="true" aria-describedby="{cid}_error"{autofocus}'
    cells += [
        "          </td>",
        f'          <td class="cell-comment" data-label="{_says("Comment")}">',
        f'            <label class="cell-label" for="{cid}">'
        f"{_says('Comment on %(name)s', name=indicator.label)}</label>",
        f'            <input type="text" name="{prefix}-comment" id="{cid}" data-cell="comment"',
        f'                   value="{escaped(inputs.comment)}" maxlength="2000" autocomplete="off"',
        f"                   {comment_aria}>",
    ]
    if inputs.comment_errors:
        cells.append(
            f'            <p class="field-error" id="{cid}_error">{WARNING}'
            f" {_errors(inputs.comment_errors)}</p>"
        )
    version = 0 if inputs.version is None else inputs.version
    cells += [
        "          </td>",
        '          <td class="row-actions">',
        f'            <input type="hidden" name="{prefix}-version" '
        f'value="{escaped(localize(version))}" data-cell="version">',
        f'            <button type="submit" id="save-{prefix}" formaction="{escaped(save_url)}" '
        f'data-row-save>{_says("Save")}<span class="visually-hidden"> — '
        f"{escaped(indicator.label)}</span></button>",
        f'            <span class="row-status" role="status">{_status(row, inputs)}</span>'
        f"{_flag(row)}",
        "          </td>",
    ]
    return cells


def _status(row, inputs: Inputs) -> str:
    """What the row says of its last save."""
    if inputs.version_errors:
        return f'<span class="field-error">{WARNING} {_errors(inputs.version_errors)}</span>'
    if row.conflict:
        said = _says(
            "Not saved: %(who)s changed this value to %(value)s at %(when)s. Check, then "
            "save again to replace it.",
            who=person(row.conflict.entered_by),
            value=figure(row.conflict.value, row.indicator.decimals),
            when=time_format(localtime(row.conflict.entered_at), "H:i"),
        )
        return f'<span class="field-error">{WARNING} {said}</span>'
    if row.notice:
        return f'<span class="ok"><span aria-hidden="true">✔</span> {escaped(row.notice)}</span>'
    if inputs.refused:
        return f'<span class="field-error">{_says("Not saved.")}</span>'
    if row.current:
        by = _says("by %(who)s", who=person(row.current.entered_by))
        return f'<span class="fine-print">{by}</span>'
    return ""
