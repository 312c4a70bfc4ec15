from __future__ import annotations

from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running Veikart in production: health, logs, error pages, session limits, audit events."""

    name = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from ops import audit, checks  # noqa: F401 — connects the signal receivers, registers checks
