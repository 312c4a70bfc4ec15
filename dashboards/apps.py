from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = _("Dashboards")

    def ready(self) -> None:
        # board registers the board report's job handler.
        from dashboards import board, signals  # noqa: F401

        signals.connect()
