"""bench.settings for the worker-kill drill: Redis gives an unacknowledged message back after
60 s instead of an hour, so the drill sees the redelivery a dead worker leaves behind (the
production value, 3600 s, is only longer than the task's hard time limit)."""

from bench.settings import *  # noqa: F403

CELERY_BROKER_TRANSPORT_OPTIONS = {**CELERY_BROKER_TRANSPORT_OPTIONS, "visibility_timeout": 60}  # noqa: F405
