"""Time `figures.settle()` after structure edits, on a seeded database (`seed_demo --scale ntnu`).

    DATABASE_URL=postgres://…/veikart_x .venv/bin/python bench/structure_edits.py [--check]

Each edit is made in a transaction that is rolled back after the settle, so the database is
left as it was and the same edits can be timed against another checkout (run the script from
that checkout). `--check` also asserts `figures.differences() == []` after each settle (a full
recomputation each: slow). The machine is shared: repeat, and read the spread.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import transaction  # noqa: E402

from dashboards import figures  # noqa: E402
from goals.models import DevelopmentGoal  # noqa: E402
from indicators.models import Indicator  # noqa: E402
from strategy.models import Pillar, Unit  # noqa: E402


class Rollback(Exception):
    pass


def rename_unit() -> None:
    unit = Unit.objects.get(code="IE")
    unit.name = "Renamed faculty"
    unit.save()


def rename_indicator() -> None:
    indicator = Indicator.objects.filter(active=True).order_by("id").first()
    indicator.name = "Renamed indicator"
    indicator.save()


def change_indicator_direction() -> None:
    indicator = Indicator.objects.filter(active=True).order_by("id").first()
    indicator.direction = "decrease" if indicator.direction != "decrease" else "increase"
    indicator.save()


def change_indicator_owner() -> None:
    indicator = Indicator.objects.filter(active=True, owner_unit__code="NTNU").order_by("id")[0]
    indicator.owner_unit = Unit.objects.get(code="IE")
    indicator.save()


def link_goal_to_pillar() -> None:
    goal = DevelopmentGoal.objects.order_by("id").first()
    goal.pillars.add(Pillar.objects.filter(area=goal.area).exclude(goals=goal).first())


def move_department() -> None:
    department = Unit.objects.filter(parent__code="IE", kind="department").order_by("code")[0]
    department.move(to=Unit.objects.get(code="NV"), on=datetime.date(2025, 6, 1))


def merge_department() -> None:
    first, second = Unit.objects.filter(parent__code="IE", kind="department").order_by("code")[:2]
    first.merge_into(second, on=datetime.date(2025, 1, 1))


def add_department() -> None:
    Unit.objects.create(code="NEW-DEPT", name="New department", kind="department",
                        parent=Unit.objects.get(code="IE"))  # fmt: skip


EDITS = {
    "rename a unit": rename_unit,
    "rename an indicator": rename_indicator,
    "change an indicator's direction": change_indicator_direction,
    "change an indicator's owner": change_indicator_owner,
    "link a goal to a pillar": link_goal_to_pillar,
    "move a department on 2025-06-01": move_department,
    "merge a department on 2025-01-01": merge_department,
    "add a department": add_department,
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--only", help="the edits whose name contains this")
    args = parser.parse_args()
    for name, edit in EDITS.items():
        if args.only and args.only not in name:
            continue
        for _ in range(args.repeat):
            try:
                with transaction.atomic():
                    edit()
                    started = time.perf_counter()
                    figures.settle(wait=True)
                    elapsed = time.perf_counter() - started
                    left = figures.differences(limit=5) if args.check else None
                    raise Rollback
            except Rollback:
                pass
            check = "" if left is None else f"  differences: {left or 'none'}"
            print(f"{name:36} settle {elapsed:7.2f} s{check}", flush=True)


if __name__ == "__main__":
    main()
