"""Benchmark the writes that history triggers slow down, on PostgreSQL with the triggers on.

    .venv/bin/python bench/writes.py                         # seed ntnu, import 10,000 values
    .venv/bin/python bench/writes.py seed --scale national --repeat 1
    .venv/bin/python bench/writes.py import --rows 10000 --repeat 3
    .venv/bin/python bench/writes.py --root /tmp/before ...  # the same against another checkout

`seed` times `manage.py seed_demo --scale S` on a fresh database `veikart_bench_writes_<scale>`
(created, migrated, strategy loaded; the command's own "elapsed" is what counts). `import` runs
an import job of N values (valid rows of open periods, as the demo administrator) through the
real path, `Job.run` → `spreadsheets.imports.import_measurements` → `apply_changes`, on the
seeded ntnu database; the first run is a warm-up that creates the missing values, every later
run changes all N. Each run prints rows/s of the whole job and of `apply_changes` alone.

Before each measurement it prints what the database's triggers are: row or statement level,
and whether the functions they call hold an EXCEPTION block (a subtransaction per call). The
machine is shared: repeat, and read the spread, not one number.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = "postgres://postgres@127.0.0.1:5432/"
PSQL = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc"]


def sql(database: str, statement: str) -> str:
    out = subprocess.run([*PSQL, statement, database], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def trigger_state(database: str) -> str:
    levels = sql(
        database,
        "SELECT string_agg(DISTINCT CASE WHEN tgtype & 1 = 1 THEN 'row' ELSE 'statement' END, ',')"
        " FROM pg_trigger WHERE tgname LIKE 'pgtrigger_%' AND tgrelid::regclass::text IN"
        " ('indicators_measurement', 'goals_progressreport')",
    )
    blocks = sql(
        database,
        "SELECT string_agg(proname || '=' || (prosrc ILIKE '%EXCEPTION%')::text, ', ')"
        " FROM pg_proc WHERE proname IN ('_pgtrigger_should_ignore', '_pgh_attach_context')",
    )
    return f"history triggers: {levels or 'none'}-level; EXCEPTION block: {blocks}"


def manage(root: Path, database: str, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": PG + database, "PYTHONPATH": str(root)}
    python = str(ROOT / ".venv" / "bin" / "python")
    out = subprocess.run(
        [python, "manage.py", *args], cwd=root, env=env, capture_output=True, text=True
    )
    if out.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{out.stderr[-3000:]}")
    return out.stdout


def fresh_database(root: Path, name: str) -> None:
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    manage(root, name, "migrate", "--noinput", "-v0")
    manage(root, name, "load_strategy")


def bench_seed(root: Path, scale: str, repeat: int) -> str:
    database = f"veikart_bench_writes_{scale}"
    for run in range(1, repeat + 1):
        fresh_database(root, database)
        if run == 1:
            print(f"seed_demo --scale {scale} ({root}); {trigger_state(database)}", flush=True)
        started = time.perf_counter()
        output = manage(root, database, "seed_demo", "--scale", scale)
        wall = time.perf_counter() - started
        elapsed = re.search(r"elapsed\s+([\d.]+) s", output)
        rows = re.search(r"measurements\s+([\d,]+)", output)
        print(
            f"  run {run}: seed_demo {float(elapsed.group(1)):.1f} s "
            f"(command {wall:.1f} s), {rows.group(1)} measurements",
            flush=True,
        )
    return database


def bench_import(root: Path, database: str, rows: int, repeat: int) -> None:
    print(f"import of {rows:,} values ({root}, {database}); {trigger_state(database)}", flush=True)
    env = {**os.environ, "DATABASE_URL": PG + database, "PYTHONPATH": str(root)}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    python = str(ROOT / ".venv" / "bin" / "python")
    subprocess.run(
        [python, __file__, "child-import", "--rows", str(rows), "--repeat", str(repeat)],
        cwd=root,
        env=env,
        check=True,
    )


def child_import(rows: int, repeat: int) -> None:
    """In the child process: Django set up against the bench database and the chosen checkout."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from goals.models import ReportingPeriod
    from indicators.models import Indicator
    from jobs.models import Job, JobKind, JobState
    from spreadsheets import imports
    from strategy.models import Unit

    admin = get_user_model().objects.get(username="admin")
    periods = list(ReportingPeriod.objects.filter(is_open=True, strategy__is_current=True))
    units = list(Unit.objects.filter(active=True).only("pk", "code", "path"))
    keys = []
    for indicator in Indicator.objects.active().select_related("owner_unit").order_by("pk"):
        for period in periods:
            if period.kind != indicator.frequency:
                continue
            for unit in units:
                if unit.path.startswith(indicator.owner_unit.path):
                    keys.append((indicator.code, unit.code, period.code))
    if len(keys) < rows:
        sys.exit(f"only {len(keys):,} valid keys in open periods; ask for fewer rows")
    keys = keys[:rows]

    applied: list[float] = []
    original = imports.apply_changes

    def timed_apply(changes, *, user):
        started = time.perf_counter()
        try:
            return original(changes, user=user)
        finally:
            applied.append(time.perf_counter() - started)

    imports.apply_changes = timed_apply
    for run in range(repeat + 1):
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer)
        writer.writerow(imports.COLUMNS)
        for i, (indicator, unit, period) in enumerate(keys):
            # 2–5: valid for every measure (scores are 1–5) and decimals; changes every run.
            writer.writerow([indicator, "", unit, period, 2 + (run + i) % 4, ""])
        job = Job.objects.create(
            kind=JobKind.IMPORT_MEASUREMENTS,
            created_by=admin,
            payload={"format": "csv", "language": "en"},
            upload=buffer.getvalue().encode(),
            upload_name="bench.csv",
        )
        started = time.perf_counter()
        job.run(task_id=f"bench-{job.pk}")
        total = time.perf_counter() - started
        job.refresh_from_db()
        if job.state != JobState.DONE:
            sys.exit(f"import job failed: {job.errors[:3]}")
        label = "warm-up" if run == 0 else f"run {run}"
        print(
            f"  {label}: job {total:.2f} s = {rows / total:,.0f} rows/s; apply_changes "
            f"{applied[-1]:.2f} s = {rows / applied[-1]:,.0f} rows/s; {job.result}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", nargs="?", default="all", choices=["all", "seed", "import"])
    parser.add_argument("--root", type=Path, default=ROOT, help="checkout to run (default: this)")
    parser.add_argument("--scale", default="ntnu", choices=["small", "ntnu", "national"])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--database", help="import into this seeded database")
    args = parser.parse_args()
    if args.what == "seed" or args.what == "all":
        database = bench_seed(args.root.resolve(), args.scale, args.repeat)
    else:
        database = args.database or "veikart_bench_writes_ntnu"
    if args.what == "import" or args.what == "all":
        bench_import(args.root.resolve(), database, args.rows, args.repeat)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "child-import":
        child = argparse.ArgumentParser()
        child.add_argument("command")
        child.add_argument("--rows", type=int)
        child.add_argument("--repeat", type=int)
        options = child.parse_args()
        child_import(options.rows, options.repeat)
    else:
        main()
