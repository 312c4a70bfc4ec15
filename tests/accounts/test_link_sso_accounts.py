"""Linking accounts in bulk from a CSV file, as an IT administrator does before switching on
single sign-on: all or nothing, with every bad line named."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import ExternalIdentity


def run(tmp_path, content: str | bytes, *args: str) -> str:
    path = tmp_path / "links.csv"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    out = StringIO()
    call_command("link_sso_accounts", str(path), *args, stdout=out)
    return out.getvalue()


def links() -> dict[str, str]:
    return dict(ExternalIdentity.objects.values_list("user__username", "identifier"))


def test_a_file_links_each_account(tmp_path, personas, django_assert_max_num_queries):
    content = "username,external_id\nidi-reporter,PerHan@ntnu.no\nrector,rektor@ntnu.no\n\n"
    with django_assert_max_num_queries(10):
        out = run(tmp_path, content)
    assert "Linked 2 accounts; 0 were already linked." in out
    assert links() == {"idi-reporter": "perhan@ntnu.no", "rector": "rektor@ntnu.no"}
    # Running it again changes nothing.
    assert "Linked 0 accounts; 2 were already linked." in run(tmp_path, content)


def test_excel_semicolons_and_a_byte_order_mark_are_read(tmp_path, personas):
    run(tmp_path, "\ufeffUsername;External_ID\r\nidi-reporter;perhan@ntnu.no\r\n".encode())
    assert links() == {"idi-reporter": "perhan@ntnu.no"}


def test_a_dry_run_changes_nothing(tmp_path, personas):
    out = run(tmp_path, "username,external_id\nrector,rektor@ntnu.no\n", "--dry-run")
    assert "Would link 1 accounts" in out
    assert links() == {}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("user,id\nrector,rektor@ntnu.no\n", "missing: username, external_id"),
        ("username,external_id\n", "has no rows to link"),
        ("username,external_id\nnobody,x@ntnu.no\n", "line 2: there is no Veikart user 'nobody'"),
        ("username,external_id\nrector,\n", "line 2: both username and external_id are needed"),
        (
            "username,external_id\nrector,a@ntnu.no\nrector,b@ntnu.no\n",
            "line 3: 'rector' is also on line 2",
        ),
        (
            "username,external_id\nrector,a@ntnu.no\noutsider,A@ntnu.no\n",
            "line 3: 'a@ntnu.no' is also on line 2",
        ),
        ("username,external_id\nrector," + "x" * 300 + "\n", "longer than 255"),
    ],
    ids=["header", "empty", "unknown-user", "blank", "user-twice", "id-twice", "too-long"],
)
def test_a_bad_file_links_nothing_and_names_each_problem(tmp_path, personas, content, message):
    with pytest.raises(CommandError) as refused:
        run(tmp_path, content)
    assert message in str(refused.value)
    assert links() == {}


def test_an_identity_of_someone_else_or_a_second_identity_is_refused(tmp_path, personas):
    ExternalIdentity.objects.create(user=personas.rector, identifier="rektor@ntnu.no")
    content = "username,external_id\nidi-reporter,rektor@ntnu.no\nrector,other@ntnu.no\n"
    with pytest.raises(CommandError) as refused:
        run(tmp_path, content)
    assert "line 2: 'rektor@ntnu.no' is already linked to 'rector'" in str(refused.value)
    assert "line 3: 'rector' is already linked to 'rektor@ntnu.no'" in str(refused.value)
    assert links() == {"rector": "rektor@ntnu.no"}


def test_a_file_that_is_not_text_or_missing_is_refused(tmp_path, db):
    with pytest.raises(CommandError, match="not a UTF-8 text file"):
        run(tmp_path, b"PK\x03\x04\xff\xfe\x00binary")
    with pytest.raises(CommandError, match="No such file"):
        call_command("link_sso_accounts", str(tmp_path / "absent.csv"))
