from __future__ import annotations

import pytest

from ops import plotly


@pytest.mark.skipif(not plotly.BUNDLE.exists(), reason="npm install brings plotly.js")
def test_plotly_stylesheet_and_head_match_the_installed_bundle():
    """After upgrading plotly.js, run `python -m ops.plotly` to regenerate both files."""
    bundle = plotly.BUNDLE.read_text(encoding="utf-8")
    assert plotly.STYLESHEET.read_text(encoding="utf-8") == plotly.stylesheet(bundle)
    assert plotly.HEAD.read_text(encoding="utf-8") == plotly.head(bundle)


def test_the_basic_bundle_is_served_as_a_static_file(client, personas):
    from django.contrib.staticfiles import finders

    assert finders.find("vendor/plotly-basic.min.js").endswith("plotly-basic.min.js")
