from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from dashboards import figures


class Command(BaseCommand):
    help = (
        "rebuild: recompute and store every dashboard figure. check: recompute every figure "
        "from the raw rows and list each one that differs from the stored one (exit 1 if any). "
        "settle: apply the pending changes now."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["rebuild", "check", "settle"])
        parser.add_argument(
            "--limit", type=int, default=0, help="check: stop after this many differences."
        )

    def _say(self, text: str) -> None:
        self.stdout.write(f"[{time.perf_counter() - self._started:7.1f} s] {text}")

    def handle(self, *args, action: str, limit: int, **options) -> None:
        self._started = time.perf_counter()
        if action == "rebuild":
            result = figures.rebuild(progress=self._say)
            self.stdout.write(
                self.style.SUCCESS(
                    f"Stored {len(result.indicators):,} indicator, {len(result.groups):,} goal, "
                    f"pillar and area and {len(result.completeness):,} completeness figures in "
                    f"{time.perf_counter() - self._started:.1f} s."
                )
            )
        elif action == "settle":
            figures.settle(wait=True)
            self.stdout.write(self.style.SUCCESS("Nothing pending."))
        else:
            pending = figures.pending()
            found = figures.differences(progress=self._say, limit=limit or None)
            for line in found:
                self.stdout.write(line)
            if pending:
                self.stdout.write("Changes are pending: run `figures settle` before checking.")
            if found:
                raise CommandError(f"{len(found)} stored figures differ from the raw rows.")
            self.stdout.write(self.style.SUCCESS("0 differences: the stored figures are right."))
