"""The shared Redis cache fails open: with its Redis stopped, dashboards are computed and served,
and the outage is logged once, not per request."""

from __future__ import annotations

import logging

import pytest
from django.core.cache import caches
from django.test import override_settings

from ops.cache import FailOpenRedisCache

# Shares a Redis server with other files: one pytest-xdist process runs them all.
pytestmark = pytest.mark.xdist_group("redis")


@pytest.fixture
def redis_cache(private_redis, settings):
    """CACHE_URL pointing at the private Redis, as docs/performance.md recommends."""
    cache_settings = {
        "default": {
            "BACKEND": "ops.cache.FailOpenRedisCache",
            "LOCATION": private_redis.url(1),
            "KEY_PREFIX": "veikart",
        }
    }
    # Changing CACHES makes Django forget its cache connections (django.test.signals).
    with override_settings(CACHES=cache_settings):
        cache = caches["default"]
        assert isinstance(cache, FailOpenRedisCache)
        yield cache


def test_dashboards_answer_while_the_cache_redis_is_down(
    client, personas, dashboard_data, private_redis, redis_cache, caplog
):
    dashboard_data(1)
    client.force_login(personas.rector)
    assert client.get("/dashboard/", {"period": "2024"}).status_code == 200
    assert redis_cache._cache.get_client().keys("veikart:*")  # the page went to Redis

    private_redis.stop()
    with caplog.at_level(logging.WARNING, logger="veikart.cache"):
        first = client.get("/dashboard/", {"period": "2024"})
        redis_cache._down_until = 0  # ask Redis again at once, as after RETRY_AFTER
        second = client.get("/dashboard/area/RES/", {"period": "2024"})
    assert (first.status_code, second.status_code) == (200, 200)
    assert b'id="dashboard"' in second.content
    warnings = [r for r in caplog.records if r.name == "veikart.cache"]
    assert [r.event for r in warnings] == ["cache_unavailable"]


def test_the_cache_is_used_again_once_redis_is_back(private_redis, redis_cache, caplog):
    private_redis.stop()
    assert redis_cache.get("page", "miss") == "miss"
    redis_cache.set("page", "computed")  # nothing is stored, nothing raised

    private_redis.start()
    redis_cache._down_until = 0
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="veikart.cache"):
        redis_cache.set("page", "computed")
    assert redis_cache.get("page") == "computed"
    assert [r.event for r in caplog.records if r.name == "veikart.cache"] == ["cache_recovered"]


def test_after_a_failure_the_cache_is_not_asked_again_for_a_while(private_redis, redis_cache):
    private_redis.stop()
    redis_cache.get("page")
    private_redis.start()
    redis_cache.set("page", "computed")  # within RETRY_AFTER: skipped
    redis_cache._down_until = 0
    assert redis_cache.get("page", "miss") == "miss"
