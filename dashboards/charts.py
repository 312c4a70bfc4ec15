"""Plotly figures built on the server; static/js/dashboards.js draws them with Plotly.newPlot.

Each function returns the figure as a plain dict for `json_script`. Only scatter traces: the
page loads plotly.js' basic bundle (scatter, bar, pie). Small charts that need no interaction
are drawn on the server instead (dashboards/sparkline.py), and statuses are shown in HTML
tables and lists, never by colour alone.
"""

from __future__ import annotations

import json
from typing import Any

import plotly.graph_objects as go

FONT = {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 13}
BLUE, ORANGE, GREY, BLACK = "#0072B2", "#E69F00", "#777777", "#000000"


def _layout(**extra) -> dict[str, Any]:
    return {
        "font": FONT,
        "margin": {"l": 40, "r": 10, "t": 10, "b": 40},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        **extra,
    }


def progress_lines(series: list[tuple[str, list[str], list[float | None]]]) -> dict[str, Any]:
    """Progress (percent of the way to target) over periods, one line per goal."""
    palette = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000"]
    symbols = ["circle", "square", "diamond", "triangle-up", "x", "cross", "star"]
    data = [
        {
            "hovertemplate": f"{name}<br>%{{x}}: %{{y:.0f}} %<extra></extra>",
            "line": {"color": palette[n % len(palette)]},
            "marker": {"symbol": symbols[n % len(symbols)], "size": 8},
            "mode": "lines+markers",
            "name": name,
            "x": list(labels),
            "y": list(values),
            "type": "scatter",
        }
        for n, (name, labels, values) in enumerate(series)
    ]
    layout = _layout(
        height=320,
        yaxis={"title": {"text": "%"}, "rangemode": "tozero"},
        legend={"orientation": "h", "y": -0.2},
        template=_template(),
    )
    return {"data": data, "layout": layout}


def _template() -> dict[str, Any]:
    """plotly's default template, as every figure it builds carries it. One object shared by
    every chart (parsing a copy per chart cost more than building the chart): read only, the
    figures are only ever serialised."""
    return json.loads(json.dumps(go.Figure().to_plotly_json()["layout"].get("template", {})))
