"""A Redis cache that fails open: with Redis unreachable, pages are computed instead of failing.

The shared cache only saves work (the dashboards compute a page once per data version); losing it
must cost time, not a page. Every operation that cannot reach Redis answers as a miss (`get`
returns the default, `set` stores nothing) and the error is logged as one warning per process per
`WARN_EVERY` seconds, not one per request. After a failure the cache is not asked again for
`RETRY_AFTER` seconds, so a Redis host that does not answer at all does not add its connect
timeout to every request while it is away.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger("veikart.cache")


class FailOpenRedisCache(RedisCache):
    WARN_EVERY = 60.0
    RETRY_AFTER = 5.0

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = params.setdefault("OPTIONS", {})
        # Fail fast: a request must not wait long on a cache it can do without.
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 0.5)
        super().__init__(server, params)
        self._lock = threading.Lock()
        self._down_until = 0.0
        self._warned_at: float | None = None
        self.failures = 0  # since the last warning

    def _call(self, operation: str, fallback: Any, *args: Any, **kwargs: Any) -> Any:
        if time.monotonic() < self._down_until:
            return fallback
        try:
            result = getattr(super(), operation)(*args, **kwargs)
        except RedisError as error:
            self._failed(operation, error)
            return fallback
        if self._warned_at is not None:
            self._recovered()
        return result

    def _failed(self, operation: str, error: RedisError) -> None:
        now = time.monotonic()
        with self._lock:
            self._down_until = now + self.RETRY_AFTER
            self.failures += 1
            if self._warned_at is not None and now - self._warned_at < self.WARN_EVERY:
                return
            self._warned_at, failures, self.failures = now, self.failures, 0
        logger.warning(
            "Cache unreachable (%s: %s); serving without it, %d failed operation(s) since the "
            "last warning",
            operation,
            type(error).__name__,
            failures,
            extra={"event": "cache_unavailable"},
        )

    def _recovered(self) -> None:
        with self._lock:
            if self._warned_at is None:
                return
            self._warned_at, self.failures = None, 0
        logger.warning("Cache reachable again", extra={"event": "cache_recovered"})

    def get(self, key, default=None, version=None):
        return self._call("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", False, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", None, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", list(data), data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", False, key, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, keys, version)

    def clear(self):
        return self._call("clear", False)

    def incr(self, key, delta=1, version=None):
        # A counter cannot be faked: raise as Django's backends do for a missing key.
        result = self._call("incr", None, key, delta, version)
        if result is None:
            raise ValueError(f"Key '{key}' not found (the cache is unreachable)")
        return result
