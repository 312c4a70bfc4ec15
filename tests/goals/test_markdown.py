"""The one function that turns reporters' Markdown into HTML safe to show."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from goals.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, render_markdown


def test_markdown_basics_are_kept():
    html = render_markdown("**bold** and *italic*\n\n- one\n- two\n\n[NTNU](https://www.ntnu.no)")
    assert "<strong>bold</strong>" in html
    assert "<em>italic</em>" in html
    assert "<li>one</li>" in html
    assert '<a href="https://www.ntnu.no" rel="noopener noreferrer nofollow">NTNU</a>' in html


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="#" onclick="alert(1)">x</a>',
        '<div hx-post="/logout/" hx-trigger="load">x</div>',
        '<a href="/x" hx-get="/admin/" data-secret="1">x</a>',
        "[click](javascript:alert(1))",
        '<a href="JaVaScRiPt:alert(1)">x</a>',
        '<a href="data:text/html,<script>alert(1)</script>">x</a>',
        "<iframe src=https://evil.example></iframe>",
        '<p style="position:fixed">x</p>',
        "<svg onload=alert(1)>",
        "<form action=/logout/><button>x</button></form>",
    ],
)
def test_scripts_handlers_htmx_attributes_and_javascript_links_are_removed(payload):
    html = render_markdown(payload).lower()
    for forbidden in ("<script", "onerror", "onclick", "onload", "hx-", "data-", "javascript:"):
        assert forbidden not in html
    for forbidden in ("<iframe", "style=", "<form", "<svg", "<img", "data:text"):
        assert forbidden not in html


def test_headings_move_three_levels_down_keeping_their_order():
    html = render_markdown("# Big\n\n### Small")
    assert "<h1>" not in html
    assert "<h3>Big</h3>" in html
    assert "<h5>Small</h5>" in html


class TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append((tag, attrs))


HTMLISH = st.lists(
    st.sampled_from([*"<>/=\"' ax:()[]#*-_\n", "script", "onclick", "hx-get", "javascript"]),
    max_size=60,
)


@given(st.one_of(st.text(max_size=300), HTMLISH.map("".join)))
def test_any_text_renders_only_allowed_tags_attributes_and_links(text):
    collector = TagCollector()
    collector.feed(render_markdown(text))
    for tag, attrs in collector.tags:
        assert tag in ALLOWED_TAGS
        for name, value in attrs:
            assert name in ALLOWED_ATTRIBUTES.get(tag, set()) | {"rel"}
            if name == "href":
                assert (value or "").split(":")[0].lower() in {"http", "https", "mailto"} or (
                    ":" not in (value or "")
                )


def test_markdown_headings_render_as_headings_below_the_pages_own():
    html = render_markdown("# Results\n\n## Publications\n\nText")
    assert "<h3>Results</h3>" in html
    assert "<h4>Publications</h4>" in html
    assert "<h1" not in html and "<h2" not in html


def test_markdown_tables_and_code_blocks_render_and_stay_sanitised():
    html = render_markdown(
        '| Unit | Points |\n|---|---|\n| IDI | 131 |\n\n```\nx = 1\n```\n\n<b onclick="x()">b</b>'
    )
    assert "<th>Unit</th>" in html and "<td>131</td>" in html
    assert "<pre><code>x = 1" in html
    assert "onclick" not in html
