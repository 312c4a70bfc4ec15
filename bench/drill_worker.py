"""The worker-kill drill's driver (run by bench/drill_worker.sh, which starts the private Redis).

1. Writes a CSV of $ROWS valid values (every open period × indicator × unit the admin may
   report, new values and changed ones) and stores it as an import job, queued on Redis.
2. Starts worker A; once A is inside the apply transaction (progress 80 % and an INSERT/UPDATE
   on measurements in flight), kills A's whole process group with SIGKILL.
3. Checks nothing was applied, starts worker B and waits: A stops beating, so beat's sweep
   (every minute) queues the job again under a new task id within about two minutes, and B
   runs it. (Redis would hand A's unacknowledged message back only after the visibility
   timeout, an hour; that late delivery finds the job done and skips it, as in step 4.)
4. Checks the import is applied exactly once, then sends the same message once more (a late
   duplicate delivery) and checks it is skipped and changes nothing.
"""

from __future__ import annotations

import csv
import io
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import django

sys.path.insert(0, os.getcwd())
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, Max, Sum  # noqa: E402

from goals.models import ReportingPeriod  # noqa: E402
from indicators.models import Indicator, Measurement  # noqa: E402
from jobs.models import Job, JobKind  # noqa: E402
from jobs.tasks import run_job  # noqa: E402
from strategy.policy import EDIT, Policy  # noqa: E402

ROWS = int(os.environ.get("ROWS", "30000"))
LOGS = Path(os.environ.get("DRILL_LOGS", tempfile.gettempdir()))
T0 = time.monotonic()


def say(message: str) -> None:
    print(f"[{time.monotonic() - T0:6.1f} s] {message}", flush=True)


def snapshot() -> dict:
    return Measurement.objects.aggregate(rows=Count("pk"), versions=Sum("version"))


def job_row(pk: int) -> Job:
    return Job.objects.without_files().get(pk=pk)


def start_worker(name: str) -> subprocess.Popen:
    log = (LOGS / f"veikart-drill-worker-{name}.log").open("w")
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel=info",
         "--concurrency=1", "--without-mingle", "--without-gossip", "-n", f"{name}@drill"],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip


def stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise SystemExit(f"timed out waiting for {what}")


def applying(job: Job) -> bool:
    if job_row(job.pk).progress < 80:
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL "
            "AND (query LIKE 'INSERT%%' OR query LIKE 'UPDATE%%')"  # the apply's writes
        )
        return cursor.fetchone()[0] > 0


def in_transaction_elsewhere() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL"
        )
        return cursor.fetchone()[0]


def the_file(user) -> bytes:
    random.seed(6)
    stored = {
        (m["indicator_id"], m["unit_id"], m["period_id"])
        for m in Measurement.objects.values("indicator_id", "unit_id", "period_id")
    }
    # The demo has few open periods (12,925 open cells at ntnu scale); this throwaway copy opens
    # every period of the strategy so that the file can be larger than any user's upload.
    ReportingPeriod.objects.filter(strategy__is_current=True).update(is_open=True)
    periods = list(ReportingPeriod.objects.filter(strategy__is_current=True))
    units = list(Policy.for_user(user).units(EDIT))
    cells = []
    for indicator in Indicator.objects.active().select_related("owner_unit"):
        for unit in units:
            if not unit.path.startswith(indicator.owner_unit.path):
                continue
            for period in periods:
                if period.kind == indicator.frequency:
                    cells.append((indicator, unit, period))
    random.shuffle(cells)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["indicator_code", "unit_code", "period", "value", "comment"])
    new = 0
    for indicator, unit, period in cells[:ROWS]:
        new += (indicator.pk, unit.pk, period.pk) not in stored
        writer.writerow([indicator.code, unit.code, period.code, random.randint(1, 5), "drill"])
    say(f"file: {min(ROWS, len(cells))} rows of {len(cells)} possible cells, {new} without a value")
    return out.getvalue().encode()


def main() -> None:
    admin = get_user_model().objects.get(username="admin")
    content = the_file(admin)
    before = snapshot()
    say(f"before: {before['rows']} measurements, version sum {before['versions']}")
    job = Job.objects.create(
        kind=JobKind.IMPORT_MEASUREMENTS,
        created_by=admin,
        payload={"format": "csv", "language": "en"},
        upload=content,
        upload_name="drill.csv",
    )
    job._dispatch()
    say(f"job {job.pk} queued ({len(content) / 1e6:.1f} MB)")

    worker_a = start_worker("a")
    try:
        kill_while_applying(job, worker_a)
    finally:
        if worker_a.poll() is None:
            os.killpg(worker_a.pid, signal.SIGKILL)
            worker_a.wait()
    wait_for(lambda: in_transaction_elsewhere() == 0, 60, "PostgreSQL to roll back")
    after_kill = snapshot()
    killed = job_row(job.pk)
    say(
        f"after the kill: {after_kill['rows']} measurements, version sum "
        f"{after_kill['versions']} (unchanged: {after_kill == before}); job {killed.state}, "
        f"attempts {killed.attempts}, task {killed.task_id}"
    )
    finish(job, before, after_kill)


def kill_while_applying(job: Job, worker_a: subprocess.Popen) -> None:
    """SIGKILL worker A's process group (main process and pool child) inside the apply."""
    wait_for(lambda: applying(job), 300, "worker A to apply")
    say("worker A started writing measurements")
    time.sleep(float(os.environ.get("KILL_AFTER", "1.5")))
    assert applying(job), "the apply ended before the kill; set a lower KILL_AFTER"
    say(f"worker A is still applying (progress {job_row(job.pk).progress} %); kill -9 its group")
    os.killpg(worker_a.pid, signal.SIGKILL)
    worker_a.wait()


def finish(job: Job, before: dict, after_kill: dict) -> None:
    worker_b = start_worker("b")
    try:
        started = time.monotonic()
        wait_for(lambda: job_row(job.pk).interruption, 600, "the sweep to queue the job again")
        say(f"the sweep queued the job again {time.monotonic() - started:.0f} s after B started")
        wait_for(lambda: job_row(job.pk).is_finished, 600, "the job to finish on worker B")
        done = job_row(job.pk)
        say(
            f"worker B finished it {time.monotonic() - started:.0f} s after starting: "
            f"{done.state}, attempts {done.attempts}, task {done.task_id}, result {done.result}; "
            f"interruption {done.interruption!r} at {done.interrupted_at:%H:%M:%S}, "
            f"finished {done.finished_at:%H:%M:%S}"
        )
        after = snapshot()
        from_file = Measurement.objects.filter(entered_by_id=job.created_by_id, comment="drill")
        touched = from_file.aggregate(
            rows=Count("pk"), times=Count("entered_at", distinct=True), last=Max("entered_at")
        )
        result = done.result
        grown = after["versions"] - before["versions"]
        say(
            f"after: {after['rows']} measurements (+{after['rows'] - before['rows']}, "
            f"created {result.get('created')}), version sum +{grown}"
            f" (created + updated {result['created'] + result['updated']}); "
            f"{touched['rows']} rows from the file, written "
            f"at {touched['times']} distinct time(s)"
        )
        run_job.apply_async(args=[job.pk], task_id=done.task_id)
        say("sent the same message again (a late duplicate delivery)")
        time.sleep(5)
        again = snapshot()
        log = (LOGS / "veikart-drill-worker-b.log").read_text()
        say(
            f"after the duplicate: {again['rows']} measurements, version sum {again['versions']} "
            f"(unchanged: {again == after}); job {job_row(job.pk).state}, attempts "
            f"{job_row(job.pk).attempts}; worker B log: {log.count('skips it')} skipped delivery"
        )
        ok = (
            after_kill == before
            and done.state == "done"
            and after["rows"] - before["rows"] == result.get("created")
            and grown == result.get("created") + result.get("updated")  # new rows are version 1
            and again == after
        )
        say("EXACTLY ONCE: yes" if ok else "EXACTLY ONCE: NO")
    finally:
        stop(worker_b)


main()
