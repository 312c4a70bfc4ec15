"""The server-side SVG sparkline: accessible, CSP-safe markup from plain points."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from dashboards.sparkline import sparkline_svg

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))  # noqa: S314 (our own markup, in a test)


def test_sparkline_is_an_image_named_by_its_title():
    svg = parse(sparkline_svg([1, 2, 3], title="Progress 2022–2024: 1, 2, 3"))
    assert svg.get("role") == "img"
    assert svg.find(f"{SVG}title").text == "Progress 2022–2024: 1, 2, 3"


def test_sparkline_has_no_inline_style_for_the_strict_csp():
    markup = str(sparkline_svg([1, 5, 3], title="t", target=4))
    assert "style" not in markup
    assert all(el.get("style") is None for el in parse(markup).iter())


def test_points_span_the_box_from_lowest_to_highest_value():
    svg = parse(sparkline_svg([0, 10], title="t", width=100, height=20, padding=0))
    assert svg.find(f"{SVG}polyline").get("points") == "0.0,20.0 100.0,0.0"


def test_latest_value_gets_a_dot():
    svg = parse(sparkline_svg([Decimal("1"), Decimal("2"), None], title="t", width=100, padding=0))
    dot = svg.find(f"{SVG}circle")
    assert dot.get("cx") == "50.0"


def test_a_missing_value_breaks_the_line_instead_of_counting_as_zero():
    svg = parse(sparkline_svg([1, 2, None, 3, 4], title="t"))
    lines = svg.findall(f"{SVG}polyline")
    assert len(lines) == 2
    assert all(len(line.get("points").split()) == 2 for line in lines)


def test_target_is_a_dashed_line_within_the_scale():
    svg = parse(sparkline_svg([0, 5], title="t", target=10, height=20, padding=0))
    target = svg.find(f"{SVG}line")
    assert (target.get("y1"), target.get("stroke-dasharray")) == ("0.0", "3 2")


def test_one_value_or_none_draws_no_line_but_keeps_the_title():
    assert parse(sparkline_svg([7], title="t")).find(f"{SVG}polyline") is None
    empty = parse(sparkline_svg([], title="No data yet"))
    assert empty.find(f"{SVG}title").text == "No data yet"
    assert empty.find(f"{SVG}circle") is None


def test_flat_series_is_drawn_in_the_middle():
    svg = parse(sparkline_svg([3, 3], title="t", height=20, padding=0))
    assert svg.find(f"{SVG}polyline").get("points") == "0.0,10.0 120.0,10.0"


def test_title_is_escaped():
    markup = str(sparkline_svg([1, 2], title='<script>alert("x")</script>'))
    assert "<script>" not in markup
    assert parse(markup).find(f"{SVG}title").text == '<script>alert("x")</script>'


def test_infinite_or_nan_values_are_gaps():
    svg = parse(sparkline_svg([1, math.nan, math.inf, 2], title="t"))
    assert svg.find(f"{SVG}polyline") is None


def test_a_box_smaller_than_its_padding_is_refused():
    with pytest.raises(ValueError, match="padding"):
        sparkline_svg([1, 2], title="t", width=4, padding=3)
