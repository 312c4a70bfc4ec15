"""Server processes keep what they load at start out of the garbage collector's walks
(ops.memory): a full collection over it took 70–140 ms in the middle of a request."""

from __future__ import annotations

import pytest

from tests.ops.test_settings import PRODUCTION, run_django

# Django, the apps, the models and the middleware: about 110,000 objects.
LOADED = 50_000


def frozen_after(code: str) -> int:
    done = run_django("-c", f"import gc; {code}; print(gc.get_freeze_count())", **PRODUCTION)
    assert done.returncode == 0, done.stderr
    return int(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "process, code",
    [
        ("web server", "import config.wsgi"),
        ("ASGI server", "import config.asgi"),
        (
            "Celery worker",
            "import django; django.setup(); from config.celery import app; "
            "from celery.signals import worker_process_init; worker_process_init.send(None)",
        ),
    ],
)
def test_a_server_process_keeps_what_it_loaded_out_of_the_collectors_walks(process, code):
    assert frozen_after(code) > LOADED


def test_a_script_that_only_sets_django_up_freezes_nothing():
    assert frozen_after("import django; django.setup()") == 0
