"""Sparklines drawn on the server as inline SVG: no JavaScript, nothing for the browser to parse.

`sparkline_svg` is a pure function from points to markup. The SVG carries no `style`
attribute (the Content-Security-Policy forbids inline styles): colours come from the classes
`spark-line`, `spark-dot`, `spark-target` in static/css/veikart.css, sizes from presentation
attributes. It is an image with a <title> that says what it shows, in words, for screen readers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

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
    lines = format_html_join(
        "",
        '<polyline class="spark-line" points="{}" fill="none" stroke-width="1.5"/>',
        ((" ".join(run),) for run in runs if len(run) > 1),
    )
    target_line = ""
    if target_value is not None:
        target_line = format_html(
            '<line class="spark-target" x1="{}" x2="{}" y1="{}" y2="{}" stroke-width="1" '
            'stroke-dasharray="3 2"/>',
            padding,
            width - padding,
            y(target_value),
            y(target_value),
        )
    dot = ""
    last = max((i for i, v in enumerate(points) if v is not None), default=None)
    if last is not None:
        dot = format_html(
            '<circle class="spark-dot" cx="{}" cy="{}" r="2.5"/>', x(last), y(points[last])
        )
    return format_html(
        '<svg class="sparkline" xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" '
        'viewBox="0 0 {} {}" role="img" focusable="false"><title>{}</title>{}{}{}</svg>',
        width,
        height,
        width,
        height,
        title,
        target_line,
        lines,
        dot,
    )
