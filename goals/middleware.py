"""Record who changed what, from which page, in the history of reports and measurements."""

from __future__ import annotations

from django.core.exceptions import MiddlewareNotUsed
from django.db import connection
from pghistory.middleware import HistoryMiddleware as PghistoryMiddleware


class HistoryMiddleware(PghistoryMiddleware):
    """django-pghistory's context middleware (user and URL on every event), on PostgreSQL only.

    pghistory records changes with PostgreSQL triggers and passes the request's user and URL to
    them by prefixing each statement with `set_config(...)`; SQLite has neither, so there the
    middleware stands aside and nothing is recorded (the report page says so).
    """

    def __init__(self, get_response) -> None:
        if connection.vendor != "postgresql":
            raise MiddlewareNotUsed
        super().__init__(get_response)
