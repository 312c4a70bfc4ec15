"""Time the goal page and an indicator page on an already seeded database. Run by hand:

    DATABASE_URL=postgres://…/veikart_bench_ntnu .venv/bin/python bench/goal_page.py
    … bench/goal_page.py --goal EDU/EDU-1 --requests 50

DEBUG off, Django's test Client logged in as the rector; prints p50 and p95 over `--requests`
requests after one warm-up (the structure cache and the settled figures are then in place).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--goal", default="EDU/EDU-1", help="area/goal")
    parser.add_argument("--period", default="2024")
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret-" + "x" * 50)
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("STATIC_STORAGE", "plain")  # no collectstatic needed
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from indicators.models import Indicator

    client = Client()
    client.force_login(get_user_model().objects.get(username="rector"))
    area, goal = args.goal.split("/")
    urls = [("goal " + goal, f"/dashboard/area/{area}/goal/{goal}/?period={args.period}")]
    indicator = Indicator.objects.filter(goal__code=goal, active=True).order_by("code").first()
    try:
        if indicator is not None:
            path = reverse("dashboards:indicator", args=[indicator.pk])
            urls.append((f"indicator {indicator.code}", f"{path}?period={args.period}"))
    except NoReverseMatch:
        pass  # before the indicator page existed
    for name, url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        times, cpu = [], []
        for _ in range(args.requests):
            start, start_cpu = time.perf_counter(), time.process_time()
            client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        # The CPU time of this process (Python and rendering, not the database server) is
        # steadier than the wall clock on a shared machine.
        print(
            f"{name:<24} {len(response.content) / 1024:7.0f} kB  p50 "
            f"{statistics.median(times):6.1f} ms  p95 {percentile(times, 0.95):6.1f} ms  "
            f"CPU p50 {statistics.median(cpu):6.1f} ms  p95 {percentile(cpu, 0.95):6.1f} ms"
        )


if __name__ == "__main__":
    main()
