from __future__ import annotations

from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


class OpsConfig(AppConfig):
    """Running Veikart in production: health, logs, error pages, session limits, audit events."""

    name = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        # Connects the signal receivers, registers the checks and the `__any` lookup.
        from ops import audit, checks, lookups  # noqa: F401
        from ops.history import on_post_migrate

        # Once per migrate: post_migrate is sent per app with models, and ops has none.
        post_migrate.connect(
            on_post_migrate,
            sender=apps.get_app_config("pghistory"),
            dispatch_uid="ops.history.cheap_functions",
        )
