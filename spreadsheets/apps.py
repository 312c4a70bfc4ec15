from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpreadsheetsConfig(AppConfig):
    name = "spreadsheets"
    verbose_name = _("Import and export")

    def ready(self) -> None:
        # Register the job handlers and the system check.
        from spreadsheets import checks, exports, imports  # noqa: F401
