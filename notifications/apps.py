from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from goals.signals import comment_posted, report_step_taken


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # The receivers use models, which are only importable once the registry is ready.
        from notifications.receivers import on_comment_posted, on_report_step_taken

        report_step_taken.connect(on_report_step_taken, dispatch_uid="notifications-report-step")
        comment_posted.connect(on_comment_posted, dispatch_uid="notifications-comment")
