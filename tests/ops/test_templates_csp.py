"""Our templates carry nothing the Content-Security-Policy blocks: no inline script, no event
handler attributes, no style attributes or elements (the browser crawl proves the rest)."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"
FORBIDDEN = {
    "style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "style element": re.compile(r"<style[\s>]", re.IGNORECASE),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=\s*['\"]", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
    # A script element must load a file (src=) or be data (type="application/json").
    "inline script": re.compile(r"<script(?![^>]*\b(src|type=\"application/json\")\b)[^>]*>"),
}


def test_no_template_has_inline_script_or_style():
    found = [
        f"{path.relative_to(TEMPLATES)}: {what}"
        for path in TEMPLATES.rglob("*.html")
        for what, pattern in FORBIDDEN.items()
        if pattern.search(
            re.sub(r"{% comment %}.*?{% endcomment %}", "", path.read_text(), flags=re.S)
        )
    ]
    assert not found, found
