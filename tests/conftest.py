"""Shared fixtures: NTNU's strategy and units, and the personas every test speaks of."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.conf import settings as django_settings

from strategy.loading import FixtureLoader
from strategy.models import Membership, Role, Strategy, Unit
from tests.factories import UserFactory

FIXTURES_DIR = django_settings.BASE_DIR / "fixtures"


def ensure_strategy_loaded() -> None:
    if not Strategy.objects.filter(code="ntnu-2018-2025").exists():
        FixtureLoader(FIXTURES_DIR).load_all()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        ensure_strategy_loaded()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Tests roll the database back, so cached dashboards must not outlive a test."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _tasks_may_be_joined():
    """Celery's eager `apply_async` sets a process-wide "joining would block" flag and restores
    the old value after; when a live server's threads run eager tasks at the same time (the
    stored figures are settled on every commit), the restores interleave and can leave it set,
    so every later `.get()` of an eager result refuses. Each test starts with it cleared."""
    from celery import _state

    _state._set_task_join_will_block(False)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def strategy(db) -> Strategy:
    """NTNU's strategy 2018–2025 with its units and periods (reloaded if a test flushed them)."""
    ensure_strategy_loaded()
    return Strategy.objects.get(code="ntnu-2018-2025")


@pytest.fixture
def units(strategy) -> dict[str, Unit]:
    return {unit.code: unit for unit in Unit.objects.all()}


@dataclass
class Personas:
    administrator: object
    rector: object
    ie_leader: object
    idi_reporter: object
    nv_reporter: object
    outsider: object

    def all(self) -> dict[str, object]:
        return dict(self.__dict__)


def member(username: str, unit: Unit, role: str, **extra):
    user = UserFactory(username=username, **extra)
    Membership.objects.create(user=user, unit=unit, role=role)
    return user


@pytest.fixture
def personas(units) -> Personas:
    """An administrator, the rector (viewer at the root), the IE faculty leader (approver),
    a department reporter at IDI, a reporter of another faculty (NV) and an outsider."""
    return Personas(
        administrator=UserFactory(username="admin", is_staff=True, is_superuser=True),
        rector=member("rector", units["NTNU"], Role.VIEWER),
        ie_leader=member("ie-leader", units["IE"], Role.APPROVER),
        idi_reporter=member("idi-reporter", units["IDI"], Role.REPORTER),
        nv_reporter=member("nv-reporter", units["NV"], Role.REPORTER),
        outsider=UserFactory(username="outsider"),
    )


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """The test client leaves the last request's language active; start every test in English."""
    from django.utils import translation

    yield
    translation.activate("en")


@pytest.fixture
def private_redis():
    """A redis-server of this test's own that it may stop (`.stop()`) and start (`.start()`)."""
    import shutil

    from tests.redis_server import RedisServer

    if not shutil.which("redis-server"):
        pytest.fail("redis-server is not installed (apt-get install redis-server)")
    server = RedisServer()
    server.start()
    yield server
    server.stop()
