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


def test_the_indicator_trend_is_the_figure_plotly_would_build():
    names = {"actual": "Actual", "trajectory": "Expected", "target": "Target"}
    for args in [
        (
            ["2019", "2020", "2021"],
            [1.0, None, 3.0],
            [("2018", 0.0), ("2025", 10.0)],
            ("2025", 10.0),
        ),
        (["2024-T1"], [4.5], [], None),
    ]:
        built = charts.indicator_trend(
            labels=args[0], actuals=args[1], trajectory=args[2], target=args[3], names=names
        )
        assert json.dumps(built, sort_keys=True, default=str) == json.dumps(
            plotly_built(*args, names), sort_keys=True, default=str
        )
