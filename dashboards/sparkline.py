"""Sparklines drawn on the server as inline SVG: no JavaScript, nothing for the browser to parse.

`sparkline_svg` is a pure function from points to markup. The SVG carries no `style`
attribute (the Content-Security-Policy forbids inline styles): colours come from the classes
`spark-line`, `spark-dot`, `spark-target` in static/css/veikart.css, sizes from presentation
attributes. It is an image with a <title> that says what it shows, in words, for screen readers.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from ops.markup import escaped, marked

Number = float | int | Decimal


def _finite(value: Number | None) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def sparkline_svg(
    values: Sequence[Number | None],
    *,
    title: str,
    target: Number | None = None,
    width: int = 120,
    height: int = 32,
    padding: int = 3,
) -> SafeString:
    """An inline SVG line through `values` (None: a gap), with a dot on the latest value and,
    if given, a dashed line at `target`. `title` names the image for assistive technology
    (e.g. "Median progress 2019–2024: 12 %, 20 %, 31 %"); it is escaped.

    Fewer than two values give no line, only the dot (or nothing): the title still says so.
    """
    if width <= 2 * padding or height <= 2 * padding:
        raise ValueError("The sparkline is smaller than its padding.")
    points = [_finite(v) for v in values]
    target_value = _finite(target)
    known = [v for v in points if v is not None]
    scale = known + ([target_value] if target_value is not None else [])
    low, high = (min(scale), max(scale)) if scale else (0.0, 1.0)
    if high == low:
        low, high = low - 1, high + 1
    step = (width - 2 * padding) / max(len(points) - 1, 1)

    def x(index: int) -> str:
        return f"{padding + index * step:.1f}"

    def y(value: float) -> str:
        return f"{padding + (high - value) / (high - low) * (height - 2 * padding):.1f}"

    runs, current = [], []
    for index, value in enumerate(points):
        if value is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append(f"{x(index)},{y(value)}")
    if current:
        runs.append(current)
    # Built as a plain string (ops.markup): a unit page draws a hundred. Every value in it is a
    # number formatted here but the title, which is escaped.
    lines = "".join(
        f'<polyline class="spark-line" points="{" ".join(run)}" fill="none" stroke-width="1.5"/>'
        for run in runs
        if len(run) > 1
    )
    target_line = ""
    if target_value is not None:
        target_line = (
            f'<line class="spark-target" x1="{padding}" x2="{width - padding}" '
            f'y1="{y(target_value)}" y2="{y(target_value)}" stroke-width="1" '
            'stroke-dasharray="3 2"/>'
        )
    dot = ""
    last = max((i for i, v in enumerate(points) if v is not None), default=None)
    if last is not None:
        dot = f'<circle class="spark-dot" cx="{x(last)}" cy="{y(points[last])}" r="2.5"/>'
    return marked(
        f'<svg class="sparkline" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'focusable="false"><title>{escaped(title)}</title>{target_line}{lines}{dot}</svg>'
    )


def trend_svg(
    *,
    title: str,
    actuals: Sequence[tuple[datetime.date, str, Number | None]],
    trajectory: Sequence[tuple[datetime.date, Number]] = (),
    target: tuple[datetime.date, str, Number] | None = None,
    band: tuple[datetime.date, Number, Number, Number] | None = None,
    width: int = 640,
    height: int = 220,
) -> SafeString:
    """An indicator's values against its expected trajectory, as an inline SVG chart.

    `actuals`: (period end, period code, value or None); `trajectory`: the knots of the expected
    path (period end, value); `target`: (end, code, value) marked with a ring; `band`: the
    forecast (target period end, projected, low, high), drawn from the latest value as a shaded
    band with a dashed line, so that it reads as a projection, not as data. Scales by time, so a
    target period a few years ahead sits where it belongs. `title` says it all in words.
    """
    left, right, top, bottom = 56, 16, 12, 26
    xs = [d for d, _label, v in actuals] + [d for d, _v in trajectory]
    ys = [_finite(v) for _d, _label, v in actuals] + [_finite(v) for _d, v in trajectory]
    if target is not None:
        xs.append(target[0])
        ys.append(_finite(target[2]))
    if band is not None:
        xs.append(band[0])
        ys += [_finite(v) for v in band[1:]]
    known = [y for y in ys if y is not None]
    low, high = (min(known), max(known)) if known else (0.0, 1.0)
    if high == low:
        low, high = low - 1, high + 1
    margin = (high - low) * 0.05
    low, high = low - margin, high + margin
    first = min(xs).toordinal() if xs else 0
    last = max(xs).toordinal() if xs else 1
    span = max(last - first, 1)

    def x(date: datetime.date) -> float:
        return left + (date.toordinal() - first) / span * (width - left - right)

    def y(value: float) -> float:
        return top + (high - value) / (high - low) * (height - top - bottom)

    def pts(pairs) -> str:
        return " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in pairs)

    parts: list[SafeString] = []
    for value in (low + margin, high - margin):
        parts.append(
            format_html(
                '<line class="trend-grid" x1="{}" x2="{}" y1="{}" y2="{}" '
                'stroke-width="1"/><text class="trend-axis" x="{}" y="{}" font-size="11" '
                'text-anchor="end">{}</text>',
                left,
                width - right,
                _f(y(value)),
                _f(y(value)),
                left - 6,
                _f(y(value) + 4),
                _axis_number(value),
            )
        )
    known_trajectory = [(d, float(v)) for d, v in trajectory if _finite(v) is not None]
    if len(known_trajectory) > 1:
        parts.append(
            format_html(
                '<polyline class="trend-trajectory" points="{}" fill="none" stroke-width="1.5" '
                'stroke-dasharray="6 4"/>',
                pts(known_trajectory),
            )
        )
    points = [(d, _finite(v)) for d, _label, v in actuals]
    latest = next(((d, v) for d, v in reversed(points) if v is not None), None)
    if band is not None and latest is not None:
        end, projected, band_low, band_high = band
        parts.append(
            format_html(
                '<polygon class="trend-band" points="{}"/>'
                '<polyline class="trend-forecast" points="{}" fill="none" stroke-width="1.5" '
                'stroke-dasharray="2 3"/>',
                pts([latest, (end, float(band_high)), (end, float(band_low)), latest]),
                pts([latest, (end, float(projected))]),
            )
        )
    run: list[tuple[datetime.date, float]] = []
    for d, v in [*points, (None, None)]:
        if v is None or d is None:
            if len(run) > 1:
                parts.append(
                    format_html(
                        '<polyline class="trend-actual" points="{}" fill="none" stroke-width="2"/>',
                        pts(run),
                    )
                )
            run = []
        else:
            run.append((d, v))
    for d, v in points:
        if v is not None:
            parts.append(
                format_html('<circle class="trend-dot" cx="{}" cy="{}" r="3"/>', _f(x(d)), _f(y(v)))
            )
    if target is not None and _finite(target[2]) is not None:
        parts.append(
            format_html(
                '<circle class="trend-target" cx="{}" cy="{}" r="5" fill="none" stroke-width="2"/>',
                _f(x(target[0])),
                _f(y(float(target[2]))),
            )
        )
    labels = {d: label for d, label, _v in actuals}
    if target is not None:
        labels[target[0]] = target[1]
    min_gap, placed = 34, []
    for d in sorted(labels):
        position = x(d)
        if placed and position - placed[-1] < min_gap:
            continue
        placed.append(position)
        parts.append(
            format_html(
                '<text class="trend-axis" x="{}" y="{}" font-size="11" '
                'text-anchor="middle">{}</text>',
                _f(position),
                height - 8,
                labels[d],
            )
        )
    return format_html(
        '<svg class="trend-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" '
        'role="img" focusable="false" preserveAspectRatio="xMidYMid meet"><title>{}</title>{}'
        "</svg>",
        width,
        height,
        title,
        format_html_join("", "{}", ((p,) for p in parts)),
    )


def _axis_number(value: float) -> str:
    magnitude = abs(value)
    if magnitude >= 100:
        return f"{value:,.0f}".replace(",", "\u202f")
    if magnitude >= 10:
        return f"{value:.1f}".rstrip("0").rstrip(".")
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _f(number: float) -> str:
    return f"{number:.1f}"
