from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from strategy.loading import FixtureError, FixtureLoader


class Command(BaseCommand):
    help = "Load the strategy, units and reporting periods from fixtures/ (safe to repeat)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--fixtures-dir", type=Path, default=Path(settings.BASE_DIR) / "fixtures"
        )

    def handle(self, *args, fixtures_dir: Path, **options) -> None:
        try:
            result = FixtureLoader(fixtures_dir).load_all()
        except FixtureError as error:
            raise CommandError(f"Nothing was loaded. {error}") from error
        self.stdout.write(self.style.SUCCESS(f"Loaded {result}."))
