"""The admin's "History" page of a tracked model shows django-pghistory's events: who changed
which field from what to what, and when (through the web, the admin or a script)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

# A mixin for ModelAdmin subclasses: typed as one so that the admin's attributes are known.
if TYPE_CHECKING:
    _AdminBase = admin.ModelAdmin
else:
    _AdminBase = object


class HistoryAdminMixin(_AdminBase):
    """Replace the admin's own log (admin edits only) with the database-recorded history.

    With `history_references` the page also lists the events of rows pointing at the object
    (a goal's pillar links, an indicator's target milestones).
    """

    history_references = False

    def history_view(self, request, object_id, extra_context=None):
        from pghistory.models import Events

        model = self.model
        obj = self.get_object(request, admin.utils.unquote(object_id))
        if obj is None:
            raise Http404
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        events = Events.objects.references(obj) if self.history_references else None
        events = events if events is not None else Events.objects.tracks(obj)
        events = list(events.order_by("-pgh_created_at")[:500])
        user_ids = {
            (event.pgh_context or {}).get("user")
            for event in events
            if isinstance(event.pgh_context, dict)
        }
        users = {
            user.pk: user.get_username()
            for user in get_user_model().objects.filter(pk__in=[pk for pk in user_ids if pk])
        }
        rows = []
        for event in events:
            context = event.pgh_context if isinstance(event.pgh_context, dict) else {}
            changes = event.pgh_diff or {}
            if event.pgh_label == "insert":
                changes = {name: [None, value] for name, value in (event.pgh_data or {}).items()}
            rows.append(
                {
                    "at": event.pgh_created_at,
                    "subject": event.pgh_model.split(".")[-1].removesuffix("Event"),
                    "who": users.get(context.get("user") or 0)
                    or _("someone outside the web application"),
                    "action": {
                        "insert": _("created"),
                        "update": _("changed"),
                        "delete": _("deleted"),
                    }.get(event.pgh_label, event.pgh_label),
                    "changes": sorted(
                        (name, old, new) for name, (old, new) in changes.items() if old != new
                    ),
                }
            )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Change history: %s") % obj,
            "subtitle": None,
            "object": obj,
            "opts": model._meta,
            "rows": rows,
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/recorded_history.html", context)
