"""Benchmark the dashboards on PostgreSQL at the ntnu and national scales. Run by hand:

    .venv/bin/python bench/dashboards.py                    # seeds (once) and measures both
    .venv/bin/python bench/dashboards.py --scales ntnu --requests 50

Each scale gets its own database `veikart_bench_<scale>`, created, migrated and seeded with
`seed_demo --scale <scale>` on the first run (`--national-from veikart_seedtime` copies an
already seeded database instead of seeding national again). The measuring runs in a child
process with DEBUG off and Django's test Client, logged in as the rector, and prints for every
dashboard page the time of its first request (right after a reporter's save), p50/p95 over the
following ones, and p50/p95 of one request after each of 20 more saves (the figures it reads
just changed), beside a bare view that renders base.html and one
raw SQL query computing the overview's figures; then the grid save p95 and the rows/s of an
import of 10,000 values, each twice: as the request (or the import job) runs them with a Celery
worker, where settling the figures is queued and leaves them, with the settle timed on its own;
and eagerly (no broker), where the save waits for the settle.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = "postgres://postgres@127.0.0.1:5432/"
AFTER_SAVES = 20  # saves, each followed by one request of a page

PAGES = [
    ("overview", "/dashboard/?period=2024"),
    ("area", "/dashboard/area/RES/?period=2024"),
    ("pillar", "/dashboard/area/RES/pillar/RES-P2/?period=2024"),
    ("goal", "/dashboard/area/RES/goal/RES-3/?period=2024"),
    ("unit (faculty)", "/dashboard/unit/IE/?period=2024"),
    ("unit (dept)", "/dashboard/unit/IDI/?period=2024"),
    ("completeness", "/dashboard/completeness/?period=2024"),
]

# The overview's figures in one statement: per area, the indicators' values for 2024 at their
# reporting units (period of the indicator's frequency ending last by 2024-12-31), rolled up by
# sum or mean straight over the reporting units, scored against the linear trajectory, and
# counted. Simpler than the method (no own-value override, no carrying, no milestones), so it
# is a lower bound for the work the page does.
RAW_SQL = """
WITH ref AS (
  SELECT DISTINCT ON (kind) id, kind, "end" FROM goals_reportingperiod
  WHERE "end" <= DATE '2024-12-31' ORDER BY kind, "end" DESC
), val AS (
  SELECT i.id, g.area_id, i.baseline_value b, i.target_value t, i.direction,
         bp."end" AS b_end, tp."end" AS t_end, ref."end" AS r_end,
         CASE i.aggregation WHEN 'mean' THEN avg(m.value) ELSE sum(m.value) END AS actual,
         count(m.id) AS reported
  FROM indicators_indicator i
  JOIN goals_developmentgoal g ON g.id = i.goal_id
  JOIN ref ON ref.kind = i.frequency
  LEFT JOIN goals_reportingperiod bp ON bp.id = i.baseline_period_id
  LEFT JOIN goals_reportingperiod tp ON tp.id = i.target_period_id
  LEFT JOIN indicators_measurement m ON m.indicator_id = i.id AND m.period_id = ref.id
  WHERE i.active
  GROUP BY i.id, g.area_id, bp."end", tp."end", ref."end"
), scored AS (
  SELECT area_id, reported,
    CASE WHEN actual IS NULL OR t IS NULL OR b IS NULL THEN 'no_data'
         WHEN t = b THEN 'level'
         ELSE CASE
           WHEN (actual - b) / (t - b) >= 1 THEN 'on_track'
           WHEN ((actual - b) / (t - b)) / GREATEST(0.0001, LEAST(1.0,
                 ((extract(year from r_end) - extract(year from b_end)) * 12
                  + extract(month from r_end) - extract(month from b_end))
               / NULLIF((extract(year from t_end) - extract(year from b_end)) * 12
                  + extract(month from t_end) - extract(month from b_end), 0))) >= 0.95
             THEN 'on_track'
           ELSE 'behind' END
    END AS status,
    CASE WHEN actual IS NOT NULL AND t <> b THEN (actual - b) / (t - b) END AS progress
  FROM val
)
SELECT area_id, status, count(*), sum(reported),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY progress)
FROM scored GROUP BY area_id, status
"""


def run(cmd: list[str], env: dict | None = None) -> None:
    subprocess.run(cmd, check=True, cwd=ROOT, env={**os.environ, **(env or {})})


def database_exists(name: str) -> bool:
    out = subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-tAc",
            f"SELECT 1 FROM pg_database WHERE datname = '{name}'",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip() == "1"


def prepare(scale: str, national_from: str | None) -> str:
    name = f"veikart_bench_{scale}"
    url = PG + name
    env = {"DATABASE_URL": url}
    python = str(ROOT / ".venv" / "bin" / "python")
    if not database_exists(name):
        if scale == "national" and national_from:
            print(f"copying {national_from} into {name} …", flush=True)
            run(["createdb", "-h", "127.0.0.1", "-U", "postgres", "-T", national_from, name])
            run([python, "manage.py", "migrate", "--noinput", "-v0"], env)
        else:
            print(f"seeding {name} (scale {scale}) …", flush=True)
            run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name])
            run([python, "manage.py", "migrate", "--noinput", "-v0"], env)
            run([python, "manage.py", "load_strategy"], env)
            run([python, "manage.py", "seed_demo", "--scale", scale], env)
    return url


def spread(times: list[float]) -> str:
    return (
        f"p50 {statistics.median(times):.1f} ms, p95 {percentile(times, 0.95):.1f} ms "
        f"over {len(times)}"
    )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(requests: int, pages: list[str] | None = None) -> None:
    """In the child process: DATABASE_URL points at the bench database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.exceptions import ValidationError
    from django.db import connection, transaction
    from django.test import Client

    from config.celery import app
    from dashboards import figures
    from indicators.models import Measurement
    from ops.memory import freeze_loaded
    from spreadsheets.imports import Change, apply_changes

    settings.ROOT_URLCONF = "bench.urls"
    freeze_loaded()  # what a web or worker process does once it has loaded (config.wsgi)
    client = Client()
    client.force_login(get_user_model().objects.get(username="rector"))
    counts = {
        "units": django.apps.apps.get_model("strategy", "Unit").objects.count(),
        "indicators": django.apps.apps.get_model("indicators", "Indicator").objects.count(),
        "measurements": Measurement.objects.count(),
    }
    print("data:", ", ".join(f"{v} {k}" for k, v in counts.items()))
    # Statistics and visibility maps as a running server's autovacuum keeps them: autovacuum
    # is off on some machines here, and a table never analyzed since its bulk load gets plans
    # 100 times slower, one never vacuumed no index-only scans.
    with connection.cursor() as cursor:
        cursor.execute("SHOW autovacuum")
        print("autovacuum:", cursor.fetchone()[0], "(vacuuming and analyzing every table first)")
        cursor.execute("VACUUM ANALYZE")

    def timed(url: str) -> float:
        start = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - start) * 1000
        assert response.status_code == 200, (url, response.status_code)
        return elapsed

    def series(url: str) -> list[float]:
        timed(url)  # warm-up
        return [timed(url) for _ in range(requests)]

    bare = series("/bench/bare/")
    raw = []
    with connection.cursor() as cursor:
        for _ in range(max(5, requests // 5)):
            start = time.perf_counter()
            cursor.execute(RAW_SQL)
            cursor.fetchall()
            raw.append((time.perf_counter() - start) * 1000)
    bare95, raw50 = percentile(bare, 0.95), statistics.median(raw)
    # A reporter's grid saves (Measurement.record, with the figures it updates: without a
    # broker the settling task runs on commit, inside the save).
    sample = list(
        Measurement.objects.filter(unit__children__isnull=True, period__code="2024")
        .select_related("indicator", "unit", "period", "entered_by")
        .order_by("pk")[: max(requests, 20)]
    )
    saves: list[float] = []
    settles: list[float] = []

    def changed(indicator, value, step: int):
        """The value moved by `step`, or back by it where that would leave its indicator's
        range (a percentage at 99.5): the bench saves the same values again and again."""
        try:
            indicator.check_value(value + step)
        except ValidationError:
            return value - step
        return value + step

    def reporter_saves(m) -> None:
        current = Measurement.objects.get(pk=m.pk)
        start = time.perf_counter()
        Measurement.record(
            indicator=m.indicator,
            unit=m.unit,
            period=m.period,
            value=changed(m.indicator, current.value, 1),
            comment=current.comment,
            by=current.entered_by or get_user_model().objects.get(username="rector"),
            based_on=current.version,
        )
        saves.append((time.perf_counter() - start) * 1000)

    def reporter_enters(m) -> None:
        """A value entered where there was none (most saves in a reporting round): the stored
        one is deleted first, and that delete settled, untimed."""
        current = Measurement.objects.get(indicator=m.indicator, unit=m.unit, period=m.period)
        current.delete()
        figures.settle()
        start = time.perf_counter()
        Measurement.record(
            indicator=m.indicator,
            unit=m.unit,
            period=m.period,
            value=current.value,
            comment=current.comment,
            by=current.entered_by or get_user_model().objects.get(username="rector"),
            based_on=0,  # no value yet, as the grid sends it
        )
        saves.append((time.perf_counter() - start) * 1000)

    # Query counts are pinned in tests/dashboards/test_pages.py (the test Client resets the
    # query log at every request, so they are not counted here).
    # "first": the page's first request in the process (templates compiled then), right after
    # a save; "after saves": each of AFTER_SAVES saves followed by one request of the page,
    # warm, which then reads the figures the save changed.
    print(
        f"{'page':<16}{'first':>7}{'p50':>8}{'p95':>8}{'p95/bare':>10}"
        f"{'after saves p50':>17}{'p95':>8}{'p95/bare':>10}"
    )
    print(f"{'bare base.html':<16}{'':>7}{statistics.median(bare):>8.1f}{bare95:>8.1f}")
    print(f"{'raw SQL':<16}{'':>7}{raw50:>8.1f}{percentile(raw, 0.95):>8.1f}")
    for n, (name, url) in enumerate(p for p in PAGES if not pages or p[0] in pages):
        reporter_saves(sample[n % len(sample)])  # the next request reads the updated figures
        cold = timed(url)
        times = [timed(url) for _ in range(requests)]
        after = []
        for k in range(AFTER_SAVES):
            reporter_saves(sample[(n + k) % len(sample)])
            after.append(timed(url))
        p95, after95 = percentile(times, 0.95), percentile(after, 0.95)
        print(
            f"{name:<16}{cold:>7.0f}{statistics.median(times):>8.1f}{p95:>8.1f}"
            f"{p95 / bare95:>10.2f}{statistics.median(after):>17.1f}{after95:>8.1f}"
            f"{after95 / bare95:>10.2f}"
        )

    def queued(work) -> None:
        """`work` as with a worker: the settle task goes to a queue nobody reads (in memory),
        then the settle runs here, timed apart, as the worker would run it."""
        app.conf.task_always_eager = False
        try:
            work()
        finally:
            app.conf.task_always_eager = True
        start = time.perf_counter()
        figures.settle()
        settles.append((time.perf_counter() - start) * 1000)

    def both_ways(save) -> tuple[str, str, str]:
        """`save` of every sample value settled in the save, then again with a worker: the
        spread of the eager saves, of the requests and of the worker's settles."""
        saves.clear()
        for m in sample[: max(requests, 20)]:
            save(m)
        eager = list(saves)
        saves.clear()
        settles.clear()
        for m in sample[: max(requests, 20)]:
            queued(lambda m=m: save(m))
        return spread(eager), spread(saves), spread(settles)

    eager, request, settle = both_ways(reporter_saves)
    print(f"grid save, settle queued (a worker): {request}; the worker's settle: {settle}")
    print(f"grid save, settled eagerly in the save: {eager}")
    eager, request, settle = both_ways(reporter_enters)
    print(f"grid save of a new value, settle queued: {request}; the worker's settle: {settle}")
    print(f"grid save of a new value, settled eagerly in the save: {eager}")
    rows = list(
        Measurement.objects.select_related("indicator", "unit", "period").order_by("pk")[:10_000]
    )
    user = get_user_model().objects.get(username="rector")

    for step in (1, 2):

        def apply(step=step) -> None:
            with transaction.atomic():
                apply_changes(
                    [
                        Change(
                            n,
                            m.indicator,
                            m.unit,
                            m.period,
                            changed(m.indicator, m.value, step),
                            None,
                        )
                        for n, m in enumerate(rows)
                    ],
                    user=user,
                )

        start = time.perf_counter()
        if step == 1:
            settles.clear()
            queued(apply)
            elapsed = time.perf_counter() - start - settles[0] / 1000
            print(
                f"import of {len(rows)} values, settle queued (a worker): {elapsed:.1f} s, "
                f"{len(rows) / elapsed:.0f} rows/s; the worker's settle: {settles[0] / 1000:.1f} s"
            )
        else:
            apply()
            elapsed = time.perf_counter() - start
            print(
                f"import of {len(rows)} values, settled eagerly: {elapsed:.1f} s, "
                f"{len(rows) / elapsed:.0f} rows/s"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", nargs="+", default=["ntnu", "national"])
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--national-from", default=None, help="copy this seeded database")
    parser.add_argument("--pages", nargs="+", default=None, help="only these pages (names)")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.requests, args.pages)
        return
    for scale in args.scales:
        url = prepare(scale, args.national_from)
        print(f"\n== {scale} ({url}) ==", flush=True)
        env = {
            "DATABASE_URL": url,
            "DEBUG": "false",
            "SECRET_KEY": "bench-only-not-secret-" * 3,  # at least 50 characters
            "STATIC_STORAGE": "plain",  # no collectstatic needed
            "ALLOWED_HOSTS": "testserver",
            "SECURE_SSL_REDIRECT": "false",  # the test Client speaks plain HTTP
            "PYTHONPATH": str(ROOT),
        }
        pages = ["--pages", *args.pages] if args.pages else []
        run([sys.executable, __file__, "--measure", "--requests", str(args.requests), *pages], env)


if __name__ == "__main__":
    main()
