"""Plotly figures built on the server; static/js/dashboards.js draws them with Plotly.newPlot.

Each function returns the figure as a plain dict for `json_script`, built as the dict plotly's
`Figure.to_plotly_json()` gives (tests/dashboards/test_charts.py compares them): validating
through graph objects took most of a page's time (the overview's five sparklines: two thirds).
Colours are Okabe–Ito and every status is also written out in the hover text and labels, never
shown by colour alone.
"""

from __future__ import annotations

import functools
import json
from typing import Any

import plotly.graph_objects as go

from dashboards.scoring import Status
from dashboards.tables import STATUS_COLOURS, STATUS_ICONS, STATUS_LABELS

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


def sparkline(labels: list[str], values: list[float | None], name: str) -> dict[str, Any]:
    return {
        "data": [
            {
                "connectgaps": False,
                "hovertemplate": "%{x}: %{y:.0f} %<extra></extra>",
                "line": {"color": BLUE, "width": 2},
                "marker": {"size": 4},
                "mode": "lines+markers",
                "name": name,
                "x": list(labels),
                "y": list(values),
                "type": "scatter",
            }
        ],
        "layout": _layout(
            height=60,
            margin={"l": 2, "r": 2, "t": 4, "b": 4},
            xaxis={"visible": False, "fixedrange": True},
            yaxis={"visible": False, "fixedrange": True},
            showlegend=False,
            template=_template(),
        ),
    }


def sunburst(nodes: list[dict[str, Any]]) -> dict[str, Any]:
    """nodes: id, parent, label, status, href (area → pillar → goal)."""
    return {
        "data": [
            {
                "branchvalues": "total",
                "customdata": [
                    f"{STATUS_ICONS[n['status']]} {STATUS_LABELS[n['status']]}" for n in nodes
                ],
                "hovertemplate": "%{label}<br>%{customdata}<extra></extra>",
                "ids": [n["id"] for n in nodes],
                "insidetextorientation": "horizontal",
                "labels": [n["label"] for n in nodes],
                "marker": {
                    "colors": [STATUS_COLOURS[n["status"]] for n in nodes],
                    "line": {"color": "#ffffff", "width": 1},
                },
                "maxdepth": 3,
                "parents": [n["parent"] for n in nodes],
                "texttemplate": "%{label}<br>%{customdata}",
                "values": [n.get("value", 1) for n in nodes],
                "type": "sunburst",
            }
        ],
        "layout": _layout(
            height=460, margin={"l": 0, "r": 0, "t": 0, "b": 0}, template=_template()
        ),
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


def indicator_trend(
    *,
    labels: list[str],
    actuals: list[float | None],
    trajectory: list[tuple[str, float]],
    target: tuple[str, float] | None,
    names: dict[str, str],
) -> dict[str, Any]:
    """Actual values against the expected trajectory and the target."""
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
def _template() -> dict[str, Any]:
    """plotly's default template, as every figure it builds carries it. One object shared by
    every chart (parsing a copy per chart cost more than building the chart): read only, the
    figures are only ever serialised."""
    return json.loads(json.dumps(go.Figure().to_plotly_json()["layout"].get("template", {})))


def heatmap(rows: list[str], columns: list[str], statuses: list[list[Status]]) -> dict[str, Any]:
    """Units × goals, one cell per reported status, with the status written in the cell."""
    order = [Status.OFF_TRACK, Status.AT_RISK, Status.ON_TRACK, Status.NO_DATA]
    # Cell centres (0.5, 1.5, ...) keep clear of the colour-band edges.
    z = [[order.index(s) + 0.5 for s in row] for row in statuses]
    text = [[STATUS_ICONS[s] for s in row] for row in statuses]
    hover = [[str(STATUS_LABELS[s]) for s in row] for row in statuses]
    scale = []
    for n, status in enumerate(order):
        scale += [[n / 4, STATUS_COLOURS[status]], [(n + 1) / 4, STATUS_COLOURS[status]]]
    return {
        "data": [
            {
                "colorscale": scale,
                "customdata": hover,
                "hovertemplate": "%{y} · %{x}<br>%{customdata}<extra></extra>",
                "showscale": False,
                "text": text,
                "texttemplate": "%{text}",
                "x": list(columns),
                "xgap": 2,
                "y": list(rows),
                "ygap": 2,
                "z": z,
                "zmax": 4,
                "zmin": 0,
                "type": "heatmap",
            }
        ],
        "layout": _layout(
            height=max(200, 34 * len(rows) + 80),
            margin={"l": 70, "r": 10, "t": 10, "b": 60},
            yaxis={"autorange": "reversed", "type": "category"},
            xaxis={"type": "category", "side": "bottom"},
            template=_template(),
        ),
    }
