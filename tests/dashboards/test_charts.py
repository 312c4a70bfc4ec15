"""The indicator trend chart is built as plain data; it must be what plotly itself would give."""

from __future__ import annotations

import json

import plotly.graph_objects as go

from dashboards import charts
from dashboards.scoring import Status
from dashboards.tables import STATUS_COLOURS, STATUS_ICONS, STATUS_LABELS


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


def same(built: dict, fig: go.Figure) -> bool:
    return json.dumps(built, sort_keys=True, default=str) == json.dumps(
        fig.to_plotly_json(), sort_keys=True, default=str
    )


def test_the_sparkline_is_the_figure_plotly_would_build():
    labels, values = ["2022", "2023", "2024"], [40.0, None, 61.5]
    fig = go.Figure(
        go.Scatter(
            x=labels,
            y=values,
            mode="lines+markers",
            line={"color": charts.BLUE, "width": 2},
            marker={"size": 4},
            name="Research",
            hovertemplate="%{x}: %{y:.0f} %<extra></extra>",
            connectgaps=False,
        ),
        layout=charts._layout(
            height=60,
            margin={"l": 2, "r": 2, "t": 4, "b": 4},
            xaxis={"visible": False, "fixedrange": True},
            yaxis={"visible": False, "fixedrange": True},
            showlegend=False,
        ),
    )
    assert same(charts.sparkline(labels, values, "Research"), fig)


def test_the_sunburst_is_the_figure_plotly_would_build():
    nodes = [
        {"id": "a", "parent": "", "label": "Research", "status": Status.ON_TRACK, "value": 2},
        {"id": "g", "parent": "a", "label": "RES-1", "status": Status.AT_RISK},
        {"id": "h", "parent": "a", "label": "RES-2", "status": Status.NO_DATA},
    ]
    fig = go.Figure(
        go.Sunburst(
            ids=[n["id"] for n in nodes],
            parents=[n["parent"] for n in nodes],
            labels=[n["label"] for n in nodes],
            values=[n.get("value", 1) for n in nodes],
            branchvalues="total",
            marker={
                "colors": [STATUS_COLOURS[n["status"]] for n in nodes],
                "line": {"color": "#ffffff", "width": 1},
            },
            customdata=[f"{STATUS_ICONS[n['status']]} {STATUS_LABELS[n['status']]}" for n in nodes],
            hovertemplate="%{label}<br>%{customdata}<extra></extra>",
            texttemplate="%{label}<br>%{customdata}",
            insidetextorientation="horizontal",
            maxdepth=3,
        ),
        layout=charts._layout(height=460, margin={"l": 0, "r": 0, "t": 0, "b": 0}),
    )
    assert same(charts.sunburst(nodes), fig)


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


def test_the_heatmap_is_the_figure_plotly_would_build():
    rows, columns = ["IDI", "IEL"], ["RES-1", "RES-2", "EDU-1"]
    statuses = [
        [Status.ON_TRACK, Status.NO_DATA, Status.OFF_TRACK],
        [Status.AT_RISK, Status.ON_TRACK, Status.NO_DATA],
    ]
    order = [Status.OFF_TRACK, Status.AT_RISK, Status.ON_TRACK, Status.NO_DATA]
    scale = []
    for n, status in enumerate(order):
        scale += [[n / 4, STATUS_COLOURS[status]], [(n + 1) / 4, STATUS_COLOURS[status]]]
    fig = go.Figure(
        go.Heatmap(
            z=[[order.index(s) + 0.5 for s in row] for row in statuses],
            x=columns,
            y=rows,
            zmin=0,
            zmax=4,
            colorscale=scale,
            showscale=False,
            text=[[STATUS_ICONS[s] for s in row] for row in statuses],
            texttemplate="%{text}",
            customdata=[[str(STATUS_LABELS[s]) for s in row] for row in statuses],
            hovertemplate="%{y} · %{x}<br>%{customdata}<extra></extra>",
            xgap=2,
            ygap=2,
        ),
        layout=charts._layout(
            height=max(200, 34 * len(rows) + 80),
            margin={"l": 70, "r": 10, "t": 10, "b": 60},
            yaxis={"autorange": "reversed", "type": "category"},
            xaxis={"type": "category", "side": "bottom"},
        ),
    )
    assert same(charts.heatmap(rows, columns, statuses), fig)
