from __future__ import annotations

import io
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from demo.context_processors import forget_generated_data
from demo.generator import seed_demo
from demo.scales import DEMO_PASSWORD, DEMO_USERNAMES, SCALES, DemoDataError
from goals.models import ReportState
from indicators.models import Indicator
from ops.history import history_context
from strategy.loading import FixtureError


class Command(BaseCommand):
    help = (
        "Replace the generated demo data (units, indicators, targets, measurements, progress "
        "reports) and upsert the demo users. The same --seed gives the same data."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--scale",
            choices=list(SCALES),
            default="small",
            help="small: the loaded units, for development and tests; ntnu: about 60 units; "
            "national: about 600 units, for load tests.",
        )
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same data.")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when generated data is already there (keeps what users entered).",
        )

    def handle(self, *args, scale: str, seed: int, if_empty: bool, **options) -> None:
        if if_empty and Indicator.objects.filter(is_generated=True).exists():
            self.stdout.write(
                "Demo data is already there; logins: "
                f"{', '.join(DEMO_USERNAMES)} (password: {DEMO_PASSWORD})."
            )
            return
        started = time.perf_counter()
        try:
            with history_context(command="seed_demo", scale=scale, seed=seed):
                result = seed_demo(scale=scale, seed=seed)
        except (DemoDataError, FixtureError) as error:
            raise CommandError(f"Nothing was generated. {error}") from error
        # The dashboards' stored figures for the new data (a command by name: the domain
        # does not import the dashboards).
        figures_started = time.perf_counter()
        call_command("figures", "rebuild", stdout=io.StringIO())
        forget_generated_data()
        figures_elapsed = time.perf_counter() - figures_started
        elapsed = time.perf_counter() - started

        states = ", ".join(f"{result.reports[state]:,} {state}" for state in ReportState.values)
        lines = [
            f"Demo data, scale {result.scale}, seed {result.seed}:",
            f"  units         {result.units:,} ({result.generated_units:,} generated)",
            f"  indicators    {result.indicators:,}",
            f"  targets       {result.targets:,} milestones",
            f"  measurements  {result.measurements:,}",
            f"  reports       {result.report_total:,}: {states}; "
            f"{result.missing_reports:,} not reported",
            f"  users         {', '.join(result.users)} (password: {DEMO_PASSWORD})",
            f"  elapsed       {elapsed:.1f} s (dashboard figures {figures_elapsed:.1f} s)",
        ]
        self.stdout.write(self.style.SUCCESS(lines[0]))
        self.stdout.write("\n".join(lines[1:]))
