"""The change history of a progress report and its goal's measurements, as people read it.

The events themselves are written by django-pghistory's PostgreSQL triggers: a snapshot of the
row after every insert and update and before every delete, linked to a context holding the user
and URL of the request. Here consecutive snapshots of each object are compared to list who
changed which field from what to what. Fed by a fixed number of queries (events of reports,
events of measurements, of the goal's indicators and target milestones, users).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from goals.models import ProgressReport, ReportState, ReportStatus

REPORT_FIELDS = {
    "status": (_("Status"), ReportStatus),
    "narrative": (_("Narrative"), None),
    "next_steps": (_("Next steps"), None),
    "risks": (_("Risks"), None),
    "state": (_("Workflow state"), ReportState),
    "return_comment": (_("Comment on return"), None),
    "approval_comment": (_("Comment on approval"), None),
}
MEASUREMENT_FIELDS = {"value": (_("Value"), None), "comment": (_("Comment"), None)}
COMMENT_FIELDS = {"body": (_("Comment"), None), "for_board": (_("For the board"), None)}
ACTION_FIELDS = {
    "cause": (_("Cause"), None),
    "action": (pgettext_lazy("remedy", "Action"), None),
    "owner": (_("Owner"), None),
    "due": (_("Due by"), None),
    "closed_at": (_("Closed"), None),
}
# What an auditor asks about an indicator of the goal: its name, baseline, target and roll-up.
INDICATOR_FIELDS = {
    "name": (_("Name"), None),
    "baseline_value": (_("Baseline value"), None),
    "target_value": (_("Target value"), None),
    "aggregation": (_("Combine up the unit tree by"), None),
    "accumulation": (_("Values are"), None),
    "active": (_("Active"), None),
}
TARGET_FIELDS = {"value": (_("Target milestone"), None)}


def history_is_recorded() -> bool:
    """Triggers exist only on PostgreSQL; SQLite (the quick demo) records no history."""
    return connection.vendor == "postgresql"


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class Entry:
    at: datetime.datetime
    who: str
    subject: str
    action: str
    changes: list[Change]
    seq: int = 0  # events of one transaction share a timestamp; their ids keep them in order


def report_history(report: ProgressReport) -> list[Entry]:
    """Newest first: the report's events, those of its goal's values for the unit and period, of
    the comments on it and of the actions raised in it."""
    if report.pk is None or not history_is_recorded():
        return []
    report_events = apps.get_model("goals", "ProgressReportEvent")
    measurement_events = apps.get_model("indicators", "MeasurementEvent")
    reports = list(
        report_events.objects.filter(pgh_obj_id=report.pk)
        .select_related("pgh_context")
        .order_by("pgh_id")
    )
    measurements = list(
        measurement_events.objects.filter(
            indicator__goal=report.goal_id,
            unit=report.unit_id,
            period__start__gte=report.period.start,
            period__end__lte=report.period.end,
        )
        .select_related("pgh_context", "indicator", "period")
        .order_by("pgh_id")
    )
    comments = list(
        apps.get_model("goals", "CommentEvent")
        .objects.filter(goal=report.goal_id, unit=report.unit_id, period=report.period_id)
        .select_related("pgh_context")
        .order_by("pgh_id")
    )
    actions = list(
        apps.get_model("goals", "ActionEvent")
        .objects.filter(report=report.pk)
        .select_related("pgh_context")
        .order_by("pgh_id")
    )
    indicator_events = apps.get_model("indicators", "IndicatorEvent")
    target_events = apps.get_model("indicators", "TargetEvent")
    indicators = list(
        indicator_events.objects.filter(goal=report.goal_id)
        .select_related("pgh_context")
        .order_by("pgh_id")
    )
    targets = list(
        target_events.objects.filter(indicator__goal=report.goal_id)
        .select_related("pgh_context", "indicator", "period")
        .order_by("pgh_id")
    )
    user_ids = {
        event.pgh_context.metadata.get("user")
        for event in [*reports, *measurements, *comments, *actions, *indicators, *targets]
        if event.pgh_context is not None
    }
    users = {
        user.pk: user.get_full_name() or user.get_username()
        for user in get_user_model().objects.filter(pk__in=[pk for pk in user_ids if pk])
    }
    entries = _entries(reports, REPORT_FIELDS, users, lambda event: _("Report"))
    entries += _entries(
        measurements,
        MEASUREMENT_FIELDS,
        users,
        lambda event: f"{event.indicator.name} ({event.period.code})",
    )
    entries += _entries(comments, COMMENT_FIELDS, users, lambda event: _("Comment"))
    entries += _entries(
        actions, ACTION_FIELDS, users, lambda event: pgettext_lazy("remedy", "Action")
    )
    entries += _entries(
        indicators, INDICATOR_FIELDS, users, lambda event: _("Indicator %s") % event.code
    )
    entries += _entries(
        targets,
        TARGET_FIELDS,
        users,
        lambda event: f"{event.indicator.code} ({event.period.code})",
    )
    return sorted(entries, key=lambda entry: (entry.at, entry.seq), reverse=True)


def _entries(events, fields, users, subject) -> list[Entry]:
    entries = []
    previous: dict[int, object] = {}
    for event in events:
        before = previous.get(event.pgh_obj_id)
        changes = []
        for name, (label, choices) in fields.items():
            old = _shown(getattr(before, name), choices) if before is not None else ""
            new = _shown(getattr(event, name), choices)
            if event.pgh_label == "delete":
                old, new = new, ""
            if old != new:
                changes.append(Change(str(label), old, new))
        previous[event.pgh_obj_id] = event
        if not changes:
            continue
        metadata = event.pgh_context.metadata if event.pgh_context else {}
        entries.append(
            Entry(
                at=event.pgh_created_at,
                who=users.get(metadata.get("user"))
                or str(_("someone outside the web application")),
                subject=str(subject(event)),
                action=str(
                    {"insert": _("created"), "update": _("changed"), "delete": _("deleted")}[
                        event.pgh_label
                    ]
                ),
                changes=changes,
                seq=event.pgh_id,
            )
        )
    return entries


def _shown(value, choices) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if choices is not None:
        try:
            return str(choices(value).label)
        except ValueError:
            return str(value)
    return str(value)
