"""What a server process loads at start, kept out of the garbage collector's way.

Once Django, the apps, the models and the middleware are loaded (`get_wsgi_application`), a
process holds about 110,000 objects. CPython's full collection walks every tracked object: at
national scale it ran every ten or so dashboard pages and took 70–140 ms, the slowest
twentieth of the goal and unit pages (p95 265 ms against a p50 of 120 ms). Those objects live
as long as the process, so they are moved to the collector's permanent generation once loaded
(`gc.freeze`); a full collection then walks only what came later: the URL configuration and
templates (loaded on the first request), the cached frames, and what requests made.

Each process freezes after it has forked (gunicorn does not preload the app; Celery's prefork
children freeze on `worker_process_init`, other pools not at all): the aim is short
collections, not memory shared with the parent.
"""

from __future__ import annotations

import gc


def freeze_loaded() -> None:
    """Exclude every object alive now from later collections (called once a process has
    loaded the project: `config.wsgi`, `config.asgi`, each Celery worker process)."""
    gc.collect()  # what is garbage already is freed, not frozen
    gc.freeze()
