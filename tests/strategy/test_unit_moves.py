"""Moving and merging units, through the model's verbs and through the admin, which uses them:
bad input gets a clear message and changes nothing."""

from __future__ import annotations

import datetime
from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError

from strategy.models import Unit, UnitParentHistory
from tests.factories import unit

DAY = datetime.date(2025, 1, 1)


class FormValues(HTMLParser):
    """The values a browser would send for the first POST form of an admin page."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None
        self._in_form = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("method", "").lower() == "post":
            self._in_form = True
        if not self._in_form or ("name" not in a and tag != "option"):
            return
        if tag == "input" and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.values[a["name"]] = a.get("value") or ("on" if a.get("type") == "checkbox" else "")
        elif tag == "select":
            self._select = a["name"]
            self.values.setdefault(a["name"], "")
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self.values[a["name"]] = ""

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._in_form = False


def change_unit(client, code: str, **changes):
    url = f"/admin/strategy/unit/{unit(code).pk}/change/"
    parser = FormValues()
    parser.feed(client.get(url).content.decode())
    data = {**parser.values, **{k: str(v) for k, v in changes.items()}}
    return client.post(url, data)


@pytest.fixture
def admin_client(client, personas):
    client.force_login(personas.administrator)
    return client


def state(code: str) -> tuple:
    u = unit(code)
    return (u.parent_id, u.path, u.active, u.valid_to, u.successor_id, u.parent_history.count())


# --- The verbs ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "to", "on", "message"),
    [
        ("IE", "IDI", DAY, "below itself"),
        ("IE", "IE", DAY, "below itself"),
        ("IDI", "IE", DAY, "already placed there"),
        ("IDI", "NV", datetime.date(2999, 1, 1), "future"),
    ],
)
def test_a_refused_move_says_why_and_changes_nothing(strategy, code, to, on, message):
    before = state(code)
    with pytest.raises(ValidationError, match=message):
        unit(code).move(to=unit(to), on=on)
    assert state(code) == before


def test_a_move_must_come_after_the_units_last_move(strategy):
    idi = unit("IDI")
    idi.move(to=unit("NV"), on=DAY)
    with pytest.raises(ValidationError, match="after the unit's last move"):
        idi.move(to=unit("IE"), on=DAY)


def test_a_move_must_come_after_the_unit_became_valid(strategy):
    Unit.objects.filter(code="IDI").update(valid_from=DAY)
    with pytest.raises(ValidationError, match="after the unit became valid"):
        unit("IDI").move(to=unit("NV"), on=DAY)


def test_moving_a_faculty_moves_its_departments_paths(strategy):
    unit("IE").move(to=unit("NV"), on=DAY)
    assert unit("IDI").path == "NTNU/NV/IE/IDI/"


@pytest.mark.parametrize(
    ("code", "into", "message"),
    [
        ("IDI", "IDI", "into itself"),
        ("IE", "IDI", "into itself or a unit below it"),
        ("IE", "NV", "units below it first"),
    ],
)
def test_a_refused_merge_says_why_and_changes_nothing(strategy, code, into, message):
    before = state(code)
    with pytest.raises(ValidationError, match=message):
        unit(code).merge_into(unit(into), on=DAY)
    assert state(code) == before


def test_a_closed_unit_can_neither_merge_nor_be_merged_into(strategy):
    unit("IFY").merge_into(unit("IKJ"), on=DAY)
    with pytest.raises(ValidationError, match="already closed"):
        unit("IFY").merge_into(unit("IBI"), on=DAY)
    with pytest.raises(ValidationError, match="into a closed unit"):
        unit("IBI").merge_into(unit("IFY"), on=DAY)


def test_a_unit_cannot_name_itself_its_successor_in_the_database(strategy):
    idi = unit("IDI")
    with pytest.raises(Exception, match="unit_not_own_successor"):
        Unit.objects.filter(pk=idi.pk).update(successor=idi)


# --- The admin ------------------------------------------------------------------------------


def test_the_admin_moves_a_unit_through_the_verb_and_shows_its_parent_history(admin_client):
    response = change_unit(admin_client, "IDI", parent=unit("NV").pk, moved_on="2025-01-01")
    assert response.status_code == 302
    assert UnitParentHistory.objects.filter(unit=unit("IDI"), parent=unit("IE")).exists()
    page = admin_client.get(f"/admin/strategy/unit/{unit('IDI').pk}/change/").content.decode()
    assert "Parent history" in page
    assert "Dec. 31, 2024" in page or "2024-12-31" in page


def test_the_admin_merges_a_unit_and_shows_its_successor(admin_client):
    response = change_unit(admin_client, "IFY", merge_into=unit("IKJ").pk, merged_on="2025-01-01")
    assert response.status_code == 302
    ify = unit("IFY")
    assert (ify.active, ify.successor.code, ify.valid_to) == (
        False,
        "IKJ",
        datetime.date(2024, 12, 31),
    )
    page = admin_client.get(f"/admin/strategy/unit/{ify.pk}/change/").content.decode()
    assert "IKJ" in page.split("Successor", 1)[1][:400]


@pytest.mark.parametrize(
    ("code", "changes", "message"),
    [
        ("IDI", {"parent": "NV", "moved_on": ""}, "Give the day the unit moved."),
        ("IE", {"parent": "IDI", "moved_on": "2025-01-01"}, "below itself"),
        ("IDI", {"parent": "NV", "moved_on": "2999-01-01"}, "cannot be in the future"),
        ("IDI", {"parent": "NV", "moved_on": "yesterday"}, "Enter a valid date."),
        ("IFY", {"merge_into": "IKJ", "merged_on": ""}, "Give the day the unit was merged."),
        ("IFY", {"merge_into": "IFY", "merged_on": "2025-01-01"}, "into itself"),
        ("IE", {"merge_into": "IDI", "merged_on": "2025-01-01"}, "into itself or a unit below"),
        ("IE", {"merge_into": "NV", "merged_on": "2025-01-01"}, "units below it first"),
        ("IFY", {"merged_on": "2025-01-01"}, "Choose the unit to merge into."),
        (
            "IDI",
            {
                "parent": "NV",
                "moved_on": "2025-01-01",
                "merge_into": "IKJ",
                "merged_on": "2025-01-01",
            },
            "not both at once",
        ),
    ],
)
def test_the_admin_refuses_a_bad_move_or_merge_with_a_message_and_changes_nothing(
    admin_client, code, changes, message
):
    before = state(code)
    values = {k: (unit(v).pk if k in ("parent", "merge_into") else v) for k, v in changes.items()}
    response = change_unit(admin_client, code, **values)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert state(code) == before


def test_loading_the_strategy_again_keeps_a_recorded_move(strategy):
    from io import StringIO

    from django.core.management import call_command

    unit("IDI").move(to=unit("NV"), on=DAY)
    call_command("load_strategy", stdout=StringIO())
    assert unit("IDI").path == "NTNU/NV/IDI/"
