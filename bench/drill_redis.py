"""The Redis-outage drill's driver (run by bench/drill_redis.sh, which starts the private Redis,
gunicorn, a worker and beat).

1. With Redis up: the dashboards fill the shared cache; /healthz and /healthz/status answer.
2. Redis is shut down (nothing kept) for $OUTAGE seconds. Meanwhile a steady stream of dashboard
   reads, page reads and saves (every 0.1 s), an import upload, and a report submitted for
   approval (a workflow e-mail to each approver); /healthz and /healthz/status are asked.
3. Redis is started again, empty. The drill times how long until the import is done and the
   e-mails are in the mail directory, and checks each e-mail was sent once.
"""

from __future__ import annotations

import csv
import io
import itertools
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import django
import requests

sys.path.insert(0, os.getcwd())
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.urls import reverse  # noqa: E402

from goals.models import DevelopmentGoal, ProgressReport, ReportingPeriod  # noqa: E402
from indicators.models import Indicator  # noqa: E402
from jobs.models import Job  # noqa: E402
from notifications.models import OutboxEmail  # noqa: E402
from strategy.models import Unit  # noqa: E402

BASE = sys.argv[1]
RPORT = os.environ["RPORT"]
OUTAGE = float(os.environ.get("OUTAGE", "60"))
MAIL = Path(os.environ["EMAIL_FILE_PATH"])
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
T0 = time.monotonic()
COUNTER = itertools.count(int(time.time()))  # group names unique across runs


def say(message: str) -> None:
    print(f"[{time.monotonic() - T0:6.1f} s] {message}", flush=True)


def session_for(username: str) -> requests.Session:
    session = requests.Session()
    token = CSRF.search(session.get(f"{BASE}/login/", timeout=10).text).group(1)
    session.post(
        f"{BASE}/login/",
        {"username": username, "password": "veikart-demo", "csrfmiddlewaretoken": token},
        timeout=30,
    )
    return session


def token(session: requests.Session, path: str) -> str:
    return CSRF.search(session.get(f"{BASE}{path}", timeout=30).text).group(1)


def health() -> str:
    live = requests.get(f"{BASE}/healthz", timeout=10)
    status = requests.get(f"{BASE}/healthz/status", timeout=10)
    checks = status.json()["checks"]
    short = {k: v if isinstance(v, str) else v["status"] for k, v in checks.items()}
    return f"/healthz {live.status_code}; /healthz/status {status.status_code} {short}"


def cache_keys() -> int:
    out = subprocess.run(
        ["redis-cli", "-p", RPORT, "-n", "1", "dbsize"], capture_output=True, text=True
    )
    return int(out.stdout.strip() or 0) if out.returncode == 0 else -1


def import_file(admin) -> bytes:
    """Ten values the administrator may enter: open periods, active indicators."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["indicator_code", "unit_code", "period", "value", "comment"])
    rows = 0
    periods = {p.kind: p for p in ReportingPeriod.objects.open()}
    for indicator in Indicator.objects.active().select_related("owner_unit")[:10]:
        period = periods.get(indicator.frequency)
        if period is not None:
            writer.writerow([indicator.code, indicator.owner_unit.code, period.code, 7, "drill"])
            rows += 1
    say(f"import file: {rows} rows")
    return out.getvalue().encode()


def report_to_submit() -> tuple[str, int]:
    """The report page of a goal IDI has not submitted yet in an open period, and its version."""
    idi = Unit.objects.get(code="IDI")
    period = ReportingPeriod.objects.open().filter(kind="year").order_by("-start").first()
    for goal in DevelopmentGoal.objects.order_by("code"):
        report = ProgressReport.objects.filter(unit=idi, period=period, goal=goal).first()
        if report is None or report.state in ("draft", "returned"):
            url = reverse("goals:report", args=["IDI", period.code, goal.pk])
            return url, report.version if report else 0
    raise SystemExit("no report left to submit")


def traffic(sessions, seconds: float, events: dict) -> list[dict]:
    """Reads (dashboards, strategy page) and saves every 0.1 s; `events` run once at their time."""
    admin = sessions["admin"]
    results, started = [], time.monotonic()
    pages = ["/dashboard/", "/dashboard/area/RES/", "/"]
    while time.monotonic() - started < seconds:
        at = time.monotonic() - started
        for when in [w for w in events if w <= at]:
            events.pop(when)()
        n = next(COUNTER)
        t0 = time.monotonic()
        try:
            if n % 4:
                response = admin.get(f"{BASE}{pages[n % 4 - 1]}", timeout=30)
                kind, status = "read", response.status_code
            else:
                response = admin.post(
                    f"{BASE}/admin/auth/group/add/",
                    {
                        "name": f"redis-drill-{n}",
                        "csrfmiddlewaretoken": token(admin, "/admin/auth/group/add/"),
                    },
                    allow_redirects=False,
                    timeout=30,
                )
                kind, status = (
                    ("saved" if response.status_code == 302 else "write"),
                    (response.status_code),
                )
        except requests.RequestException as error:
            kind, status = "error", type(error).__name__
        results.append({"kind": kind, "status": status, "ms": (time.monotonic() - t0) * 1000})
        time.sleep(0.1)
    return results


def summary(name: str, results: list[dict]) -> None:
    bad = [r for r in results if r["status"] not in (200, 302)]
    ms = sorted(r["ms"] for r in results)
    say(
        f"{name}: {len(results)} requests ({sum(r['kind'] == 'read' for r in results)} reads, "
        f"{sum(r['kind'] == 'saved' for r in results)} saves confirmed), {len(bad)} failed "
        f"{sorted({str(r['status']) for r in bad})}; median {ms[len(ms) // 2]:.0f} ms, "
        f"p95 {ms[int(len(ms) * 0.95)]:.0f} ms"
    )


def main() -> None:
    for stale in MAIL.glob("*"):
        stale.unlink()
    sessions = {name: session_for(name) for name in ("admin", "idi-reporter")}
    admin_user = get_user_model().objects.get(username="admin")
    content = import_file(admin_user)
    report_url, version = report_to_submit()
    say(f"Redis up: {health()}")
    summary("with Redis up, 10 s", traffic(sessions, 10, {}))
    say(f"cache keys in Redis: {cache_keys()}")

    subprocess.run(["redis-cli", "-p", RPORT, "shutdown", "nosave"], capture_output=True)
    say("Redis shut down")
    state: dict = {}

    def upload() -> None:
        admin = sessions["admin"]
        t0 = time.monotonic()
        response = admin.post(
            f"{BASE}/data/import/",
            {"csrfmiddlewaretoken": token(admin, "/data/")},
            files={"file": ("values.csv", content)},
            allow_redirects=False,
            timeout=30,
        )
        state["job"] = Job.objects.order_by("-pk").first()
        say(
            f"import upload: {response.status_code} in {(time.monotonic() - t0) * 1000:.0f} ms; "
            f"job {state['job'].pk} {state['job'].state}, sent to the broker: "
            f"{state['job'].sent_at is not None}"
        )
        page = admin.get(f"{BASE}{state['job'].get_absolute_url()}", timeout=30).text
        say("job page: " + re.search(r"job-interruption\">([^<]+)<", page).group(1).strip())

    def submit() -> None:
        reporter = sessions["idi-reporter"]
        before = OutboxEmail.objects.count()
        response = reporter.post(
            f"{BASE}{report_url}",
            {
                "status": "on_track",
                "narrative": "Submitted while Redis was down.",
                "next_steps": "",
                "risks": "",
                "version": str(version),
                "action": "submit",
                "csrfmiddlewaretoken": token(reporter, report_url),
            },
            allow_redirects=False,
            timeout=30,
        )
        state["emails"] = OutboxEmail.objects.count() - before
        say(f"report submitted: {response.status_code}; {state['emails']} e-mail(s) in the outbox")

    def probe_health() -> None:
        say(f"during the outage: {health()}")

    outage = traffic(sessions, OUTAGE, {5: upload, 10: submit, 20: probe_health})
    summary(f"with Redis down, {OUTAGE:.0f} s", outage)

    log = f"{tempfile.gettempdir()}/veikart-drill-redis.log"
    subprocess.run(
        ["redis-server", "--port", RPORT, "--bind", "127.0.0.1", "--save", "", "--appendonly",
         "no", "--daemonize", "yes", "--logfile", log],
        check=True,
    )  # fmt: skip
    back = time.monotonic()
    say("Redis started again (empty)")
    job, expected, done_at, mail_at = state["job"], state["emails"], None, None
    while time.monotonic() - back < 180 and (done_at is None or mail_at is None):
        if done_at is None and Job.objects.without_files().get(pk=job.pk).is_finished:
            done_at = time.monotonic() - back
            say(f"import {Job.objects.without_files().get(pk=job.pk).state} {done_at:.1f} s after")
        sent = sum(f.read_text().count("\nSubject: ") for f in MAIL.glob("*"))
        if mail_at is None and sent >= expected:
            mail_at = time.monotonic() - back
            say(f"{sent} e-mail(s) sent {mail_at:.1f} s after")
        time.sleep(0.5)
    summary("after Redis is back, 10 s", traffic(sessions, 10, {}))
    time.sleep(60)  # one more sweep: nothing may be sent twice
    sent = sum(f.read_text().count("\nSubject: ") for f in MAIL.glob("*"))
    say(f"e-mails sent in all: {sent} for {expected} in the outbox (once each: {sent == expected})")
    say(f"cache keys in Redis again: {cache_keys()}")
    say(f"Redis back: {health()}")


main()
