"""Serve plotly.js from the installed plotly package, and nothing else from that folder.

The package's folder holds ~10 MB of other files, so it is not added to STATICFILES_DIRS; this
finder exposes the one file as `vendor/plotly.min.js` (for runserver, WhiteNoise's finders
mode and collectstatic alike).
"""

from __future__ import annotations

from pathlib import Path

import plotly
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PREFIX = "vendor"
NAME = "plotly.min.js"
SOURCE = Path(plotly.__file__).parent / "package_data"


class PlotlyFinder(BaseFinder):
    def check(self, **kwargs):
        return []

    def find(self, path: str, find_all: bool = False, **kwargs):
        find_all = find_all or kwargs.get("all", False)
        if path == f"{PREFIX}/{NAME}" and (SOURCE / NAME).exists():
            match = str(SOURCE / NAME)
            return [match] if find_all else match
        return [] if find_all else None

    def list(self, ignore_patterns):
        storage = FileSystemStorage(location=SOURCE)
        storage.prefix = PREFIX
        yield NAME, storage
