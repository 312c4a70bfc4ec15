"""The indicator trend chart is built as plain data; it must be what plotly itself would give."""

from __future__ import annotations

import json

import plotly.graph_objects as go

from dashboards import charts


def plotly_built(labels, actuals, trajectory, target, names) -> dict:
    fig = go.Figure(layout=charts._layout(height=280, xaxis={"type": "category"}))
    if trajectory:
        fig.add_trace(
            go.Scatter(
                x=[t[0] for t in trajectory],
                y=[t[1] for t in trajectory],
                name=names["trajectory"],
                mode="lines",
                line={"color": charts.GREY, "dash": "dash"},
            )
        )
    fig.add_trace(
        go.Scatter(
            x=labels,
            y=actuals,
            name=names["actual"],
            mode="lines+markers",
            line={"color": charts.BLUE, "width": 3},
            marker={"size": 8},
        )
    )
    if target:
        fig.add_trace(
            go.Scatter(
                x=[target[0]],
                y=[target[1]],
                name=names["target"],
                mode="markers",
                marker={
                    "symbol": "star",
                    "size": 14,
                    "color": charts.ORANGE,
                    "line": {"color": charts.BLACK, "width": 1},
                },
            )
        )
    categories = sorted({*labels, *(t[0] for t in trajectory), *([target[0]] if target else [])})
    fig.update_xaxes(categoryorder="array", categoryarray=categories)
    fig.update_layout(legend={"orientation": "h", "y": -0.25})
    return fig.to_plotly_json()


def same(built: dict, fig: go.Figure) -> bool:
    return json.dumps(built, sort_keys=True, default=str) == json.dumps(
        fig.to_plotly_json(), sort_keys=True, default=str
    )


def test_the_progress_lines_are_the_figure_plotly_would_build():
    series = [(f"RES-{n}", ["2023", "2024"], [10.0 * n, None]) for n in range(1, 9)]
    palette = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000"]
    symbols = ["circle", "square", "diamond", "triangle-up", "x", "cross", "star"]
    fig = go.Figure(
        layout=charts._layout(height=320, yaxis={"title": {"text": "%"}, "rangemode": "tozero"})
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
    assert same(charts.progress_lines(series), fig)
