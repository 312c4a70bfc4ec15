"""Plotly figures built on the server; static/js/dashboards.js draws them with Plotly.newPlot.

Each function returns the figure as a plain dict for `json_script`. Only scatter traces: the
page loads plotly.js' basic bundle (scatter, bar, pie). Small charts that need no interaction
are drawn on the server instead (dashboards/sparkline.py), and statuses are shown in HTML
tables and lists, never by colour alone.
"""

from __future__ import annotations

import functools
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


def _plain(fig: go.Figure) -> dict[str, Any]:
    return fig.to_plotly_json()


def progress_lines(series: list[tuple[str, list[str], list[float | None]]]) -> dict[str, Any]:
    """Progress (percent of the way to target) over periods, one line per goal."""
    palette = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000"]
    symbols = ["circle", "square", "diamond", "triangle-up", "x", "cross", "star"]
    fig = go.Figure(
        layout=_layout(height=320, yaxis={"title": {"text": "%"}, "rangemode": "tozero"})
    )
    for n, (name, labels, values) in enumerate(series):
        fig.add_trace(
            go.Scatter(
                x=labels,
                y=values,
                name=name,
                mode="lines+markers",
                line={"color": palette[n % len(palette)]},
                marker={"symbol": symbols[n % len(symbols)], "size": 8},
                hovertemplate=f"{name}<br>%{{x}}: %{{y:.0f}} %<extra></extra>",
            )
        )
    fig.update_layout(legend={"orientation": "h", "y": -0.2})
    return _plain(fig)


def indicator_trend(
    *,
    labels: list[str],
    actuals: list[float | None],
    trajectory: list[tuple[str, float]],
    target: tuple[str, float] | None,
    names: dict[str, str],
) -> dict[str, Any]:
    """Actual values against the expected trajectory and the target.

    Built as the plain dict plotly's `Figure.to_plotly_json()` gives: a goal page draws a dozen
    of these, and validating them through graph objects took two thirds of its time."""
    data: list[dict[str, Any]] = []
    if trajectory:
        data.append(
            {
                "line": {"color": GREY, "dash": "dash"},
                "mode": "lines",
                "name": names["trajectory"],
                "x": [t[0] for t in trajectory],
                "y": [t[1] for t in trajectory],
                "type": "scatter",
            }
        )
    data.append(
        {
            "line": {"color": BLUE, "width": 3},
            "marker": {"size": 8},
            "mode": "lines+markers",
            "name": names["actual"],
            "x": list(labels),
            "y": list(actuals),
            "type": "scatter",
        }
    )
    if target:
        data.append(
            {
                "marker": {
                    "color": ORANGE,
                    "line": {"color": BLACK, "width": 1},
                    "size": 14,
                    "symbol": "star",
                },
                "mode": "markers",
                "name": names["target"],
                "x": [target[0]],
                "y": [target[1]],
                "type": "scatter",
            }
        )
    categories = sorted({*labels, *(t[0] for t in trajectory), *([target[0]] if target else [])})
    layout = _layout(
        height=280,
        xaxis={"type": "category", "categoryorder": "array", "categoryarray": categories},
        legend={"orientation": "h", "y": -0.25},
        template=_template(),
    )
    return {"data": data, "layout": layout}


@functools.cache
def _template_json() -> str:
    return json.dumps(go.Figure().to_plotly_json()["layout"].get("template", {}))


def _template() -> dict[str, Any]:
    return json.loads(_template_json())
