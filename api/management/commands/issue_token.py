"""Issue an access token for a user from the command line (scripts, CI, first set-up)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from api.models import AccessToken, Scope


class Command(BaseCommand):
    help = "Issue an API access token for USERNAME and print it (shown only this once)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="command line")
        parser.add_argument("--scope", choices=Scope.values, default=Scope.READ)
        parser.add_argument("--days", type=int, default=30)

    def handle(self, *args, username: str, name: str, scope: str, days: int, **options) -> None:
        if not 1 <= days <= 366:
            raise CommandError("--days must lie between 1 and 366.")
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user “{username}”.")
        _token, plaintext = AccessToken.issue(
            user=user, name=name, scope=scope, expires_at=timezone.now() + timedelta(days=days)
        )
        self.stdout.write(plaintext)
