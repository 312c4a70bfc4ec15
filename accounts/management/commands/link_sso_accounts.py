"""Link existing Veikart accounts to their single sign-on identities from a CSV file.

    manage.py link_sso_accounts links.csv [--dry-run]

The file has a header row with the columns `username` (the Veikart account) and `external_id`
(what the provider asserts, e.g. the Feide username `olanor@ntnu.no`). Every row is checked
first; if any row is wrong, nothing is linked and every problem is reported with its line.
"""

from __future__ import annotations

import contextlib
import csv
import io
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import ExternalIdentity, normalize_identifier

COLUMNS = ("username", "external_id")


class Command(BaseCommand):
    help = "Link Veikart accounts to single sign-on identities (CSV: username,external_id)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file with the columns username and external_id")
        parser.add_argument("--dry-run", action="store_true", help="check the file, change nothing")

    def handle(self, *args, file: str, dry_run: bool, **options):
        rows = read_rows(Path(file))
        links, problems = check_rows(rows)
        if problems:
            raise CommandError(
                "Nothing was linked; fix these lines and run again:\n" + "\n".join(problems)
            )
        new = [(user, identifier) for user, identifier in links if not _already(user, identifier)]
        if not dry_run:
            with transaction.atomic():
                for user, identifier in new:
                    ExternalIdentity.objects.create(user=user, identifier=identifier)
        verb = "Would link" if dry_run else "Linked"
        self.stdout.write(
            f"{verb} {len(new)} accounts; {len(links) - len(new)} were already linked."
        )


def read_rows(path: Path) -> list[tuple[int, dict]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError as exc:
        raise CommandError(f"No such file: {path}") from exc
    except UnicodeDecodeError as exc:
        raise CommandError(f"{path} is not a UTF-8 text file (save it as CSV UTF-8).") from exc
    dialect = csv.excel
    with contextlib.suppress(csv.Error):  # one column or an odd header: plain commas
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        raise CommandError(
            f"The first line must name the columns username and external_id; missing: "
            f"{', '.join(missing)}."
        )
    reader.fieldnames = header
    rows = [
        (reader.line_num, row) for row in reader if any((v or "").strip() for v in row.values())
    ]
    if not rows:
        raise CommandError(f"{path} has no rows to link.")
    return rows


def check_rows(rows: list[tuple[int, dict]]) -> tuple[list[tuple[object, str]], list[str]]:
    users = get_user_model().objects
    problems: list[str] = []
    links = []
    seen_users: dict[str, int] = {}
    seen_ids: dict[str, int] = {}
    wanted = {(row.get("username") or "").strip() for _, row in rows}
    by_username = {u.username: u for u in users.filter(username__in=wanted)}
    existing = {
        identity.identifier: identity
        for identity in ExternalIdentity.objects.select_related("user").filter(
            identifier__in=[normalize_identifier(row.get("external_id") or "") for _, row in rows]
        )
    }
    existing_by_user = {
        identity.user_id: identity
        for identity in ExternalIdentity.objects.filter(user__in=by_username.values())
    }
    for line, row in rows:
        username = (row.get("username") or "").strip()
        identifier = normalize_identifier(row.get("external_id") or "")
        if not username or not identifier:
            problems.append(f"line {line}: both username and external_id are needed")
            continue
        if len(identifier) > 255:
            problems.append(f"line {line}: the external_id is longer than 255 characters")
            continue
        user = by_username.get(username)
        if user is None:
            problems.append(f"line {line}: there is no Veikart user {username!r}")
            continue
        if username in seen_users:
            problems.append(f"line {line}: {username!r} is also on line {seen_users[username]}")
            continue
        if identifier in seen_ids:
            problems.append(f"line {line}: {identifier!r} is also on line {seen_ids[identifier]}")
            continue
        seen_users[username], seen_ids[identifier] = line, line
        linked = existing.get(identifier)
        if linked is not None and linked.user_id != user.pk:
            problems.append(
                f"line {line}: {identifier!r} is already linked to {linked.user.username!r}"
            )
            continue
        own = existing_by_user.get(user.pk)
        if own is not None and own.identifier != identifier:
            problems.append(
                f"line {line}: {username!r} is already linked to {own.identifier!r} "
                "(remove that link in the admin first)"
            )
            continue
        links.append((user, identifier))
    return links, problems


def _already(user, identifier: str) -> bool:
    return ExternalIdentity.objects.filter(user=user, identifier=identifier).exists()
