"""What the indicators domain tells the features when measurement values change.

Model signals see save() and delete() only; bulk writes (conditional UPDATEs for optimistic
locking, bulk inserts for imports) send none. Every write path of the domain sends
`measurements_changed` instead, so a feature that derives figures from values has one signal to
listen to.
"""

from django.dispatch import Signal

# Measurement rows were inserted, updated or deleted. Sent inside the writer's transaction.
# kwargs: keys, a set of (indicator_id, unit_id, period_id); kept, those of them whose value was
# stored before and still is (its number or comment changed in place), so a listener that only
# counts which values exist can leave them alone. A writer that cannot tell for sure sends
# none (`Measurement.write` tells, from the rows it locked).
measurements_changed = Signal()
