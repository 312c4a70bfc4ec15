from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Generated demo data (`manage.py seed_demo`). Nothing in the domain knows this app exists."""

    name = "demo"
    verbose_name = _("Demo data")
