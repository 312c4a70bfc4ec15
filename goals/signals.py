"""What the goals domain tells the features (dashboards, notifications) when it changes.

The domain sends; features connect receivers in their AppConfig.ready(). The domain never
imports a feature (see STYLE.md, Layers).
"""

from django.dispatch import Signal

# A report's workflow step has committed. Sent after the commit, once per step (not for a
# refused step, a rolled-back one or a repeated click). kwargs: step ("submitted", "returned",
# "approved"), report_id, by (the user), comment.
report_step_taken = Signal()

# A period is being closed for reporting. Sent inside the closing transaction, with the period's
# row locked, so that what a receiver stores (the figures "as reported") commits or rolls back
# with the close itself. kwargs: period, by (the user or None).
period_closing = Signal()

# A comment (or a reply) has been posted. Sent after the commit. kwargs: comment_id.
comment_posted = Signal()

# Asked (not told) when a report form is built: the goal's status for the report's unit and
# period as computed from the values, which the domain does not compute itself. A feature that
# computes statuses (dashboards) answers with "on_track", "at_risk" or "off_track", or None when
# it has no figure. kwargs: goal_id, unit_id, period_id. Without a receiver nothing is computed
# and the form asks for an action only by the reported status.
computed_status_asked = Signal()
