"""Serve single files from node_modules as static files, and nothing else from that folder.

node_modules holds the browser tests' tools too; only the files listed in FILES are exposed
(to runserver, whitenoise and collectstatic alike).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage

# static path → file under node_modules (installed by `npm install`, see package.json)
FILES = {
    "vendor/plotly-basic.min.js": "plotly.js-basic-dist-min/plotly-basic.min.js",
    "vendor/plotly-basic.LICENSE.txt": "plotly.js-basic-dist-min/LICENSE",
}


def node_modules() -> Path:
    return Path(settings.BASE_DIR) / "node_modules"


class NodeModulesFinder(BaseFinder):
    def check(self, **kwargs):
        missing = [name for name in FILES.values() if not (node_modules() / name).exists()]
        if missing:
            return [
                Error(
                    f"Missing from node_modules: {', '.join(missing)}",
                    hint="Run `npm install` (make install does).",
                    id="ops.E001",
                )
            ]
        return []

    def find(self, path: str, find_all: bool = False, **kwargs):
        find_all = find_all or kwargs.get("all", False)
        source = FILES.get(path)
        if source and (node_modules() / source).exists():
            match = str(node_modules() / source)
            return [match] if find_all else match
        return [] if find_all else None

    def list(self, ignore_patterns):
        for path, source in FILES.items():
            if (node_modules() / source).exists():
                yield path, _Renamed(node_modules(), source)


class _Renamed(FileSystemStorage):
    """A storage that opens the node_modules file under its static name (collectstatic copies
    from `storage.path(path)` / `storage.open(path)`)."""

    def __init__(self, location: Path, source: str) -> None:
        super().__init__(location=location)
        self.source = source

    def path(self, name: str) -> str:
        return super().path(self.source)

    def open(self, name: str, mode: str = "rb"):
        return super().open(self.source, mode)

    def get_modified_time(self, name: str):
        return super().get_modified_time(self.source)
