"""A private `redis-server` that a test may stop and start, on its own port (never the machine's
Redis on 6379, which other work uses). `VEIKART_TEST_REDIS_PORT` picks the port (default 6391);
each pytest-xdist process adds its number, so that two never share one."""

from __future__ import annotations

import os
import shutil
import subprocess
import time

import redis

#: The pytest-xdist process's number (0 without xdist).
WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
PORT = int(os.environ.get("VEIKART_TEST_REDIS_PORT", "6391")) + WORKER


def shared_redis_url() -> str:
    """The machine's Redis database that tests with a real worker may empty: 5, plus the
    pytest-xdist process's number (`VEIKART_TEST_REDIS_URL` picks another)."""
    return os.environ.get("VEIKART_TEST_REDIS_URL", f"redis://127.0.0.1:6379/{5 + WORKER}")


class RedisServer:
    def __init__(self, port: int = PORT) -> None:
        self.port = port
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def ping(self) -> bool:
        try:
            # from_url: a client without redis-py's default retries with backoff (seconds).
            client = redis.Redis.from_url(self.url(), socket_connect_timeout=0.5)
            return bool(client.ping())
        except redis.RedisError:
            return False

    def start(self) -> None:
        if self.ping():
            if self.process is None:
                raise RuntimeError(f"something else already listens on port {self.port}")
            return
        self.process = subprocess.Popen(  # noqa: S603 — a fixed binary and arguments
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not self.ping():
            if time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop at once, keeping nothing: Redis comes back empty, as after a restart in
        production without persistence."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None
        deadline = time.monotonic() + 10
        while self.ping():
            if time.monotonic() > deadline:
                raise RuntimeError(f"redis-server on port {self.port} did not stop")
            time.sleep(0.05)
