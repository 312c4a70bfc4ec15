"""What a server process loads at start, kept out of the garbage collector's way.

A process holds about 110,000 objects once Django, the apps and the URL configuration are
loaded. CPython's full collection walks every tracked object: at national scale it ran every
ten or so dashboard pages and took 70–140 ms, the slowest twentieth of the goal and unit pages
(p95 265 ms against a p50 of 120 ms). Those objects live as long as the process, so they are
moved to the collector's permanent generation once loaded (`gc.freeze`, as Python's documentation
advises for forking servers); a full collection then walks only what requests created since.
"""

from __future__ import annotations

import gc


def freeze_loaded() -> None:
    """Exclude every object alive now from later collections (called once a process has
    loaded the project: the web server's `config.wsgi`, each Celery worker process)."""
    gc.collect()  # what is garbage already is freed, not frozen
    gc.freeze()
