"""History as it was: a period's roll-up uses the units that existed then, and no dashboard
page fails after a change to the units. Completeness under a filter counts every value owed."""

from __future__ import annotations

import csv
import datetime
import io

import pytest

from dashboards import figures
from dashboards.models import IndicatorFigure
from strategy.models import Unit
from tests.dashboards.test_pages import PAGES, get
from tests.factories import period, unit


def figures_of(year: str) -> dict:
    return {
        f.indicator_id: (f.value, f.reported, f.expected_units, f.status)
        for f in IndicatorFigure.objects.filter(period=period(year))
    }


def test_closing_a_department_leaves_earlier_periods_figures_as_they_were(dashboard_data):
    made = dashboard_data(1)["indicators"]
    figures.rebuild()
    before_2024, before_2025 = figures_of("2024"), figures_of("2025")
    above_idi = [i.pk for i in made if i.owner_unit.code in ("NTNU", "IE")]

    idi = Unit.objects.get(code="IDI")
    idi.active = False
    idi.valid_to = datetime.date(2024, 12, 31)  # closed at the end of 2024
    idi.save()
    figures.settle()

    assert figures_of("2024") == before_2024
    after_2025 = figures_of("2025")
    assert [after_2025[i][2] for i in above_idi] == [before_2025[i][2] - 1 for i in above_idi]


def test_closing_a_unit_today_keeps_every_past_figure(dashboard_data):
    dashboard_data(1)
    figures.rebuild()
    before = figures_of("2024")
    iel = Unit.objects.get(code="IEL")
    iel.active = False
    iel.save()
    figures.settle()
    assert iel.valid_to == datetime.date.today()
    assert figures_of("2024") == before


@pytest.mark.parametrize(
    "change", ["close", "reparent", "move", "merge", "merge into a new unit", "move a faculty"]
)
def test_no_dashboard_page_fails_after_a_change_to_the_units(
    client, personas, dashboard_data, change
):
    dashboard_data(1)
    idi = Unit.objects.get(code="IDI")
    on = datetime.date(2024, 1, 1)
    if change == "close":
        idi.active = False
        idi.save()
    elif change == "reparent":  # a correction: the new parent for all time
        idi.parent = unit("NV")
        idi.save()
    elif change == "move":
        idi.move(to=unit("NV"), on=on)
    elif change == "merge":
        idi.merge_into(unit("IBI"), on=on)
    elif change == "merge into a new unit":
        new = Unit.objects.create(
            code="IDX", name="IDX", kind="department", parent=unit("NV"), valid_from=on
        )
        idi.merge_into(new, on=on)
    else:
        unit("IE").move(to=unit("NV"), on=on)
    client.force_login(personas.rector)
    units = ["NV", "IDI", "IBI", "IDX", "IE"]
    goal_pages = [f"/dashboard/area/RES/goal/RES-3/?unit={code}" for code in units]
    for url in [*PAGES, *goal_pages, *(f"/dashboard/unit/{code}/" for code in units)]:
        for year in ("2023", "2024"):
            assert get(client, url, period=year).status_code in (200, 404), (url, year)


def test_completeness_under_a_faculty_counts_the_university_indicators_a_department_owes(
    client, personas, dashboard_data
):
    made = dashboard_data(1)["indicators"]
    owed_to_ntnu = sum(1 for i in made if i.owner_unit.code == "NTNU" and i.frequency == "year")
    client.force_login(personas.rector)
    response = get(
        client, "/dashboard/completeness/", unit="IE", format="csv", table="completeness"
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, idi = rows[0], next(r for r in rows if r[0].endswith(" (IDI)"))
    assert int(idi[header.index("Values due")]) >= owed_to_ntnu > 0
