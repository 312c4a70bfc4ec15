"""Dashboard data built with factories: indicators owned at NTNU and at IE, values at the
departments, progress reports; `dashboard_data(scale)` multiplies the number of indicators."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import transaction

from goals.models import DevelopmentGoal
from indicators.models import Measurement
from tests.factories import (
    IndicatorFactory,
    MeasurementFactory,
    ProgressReportFactory,
    TargetFactory,
    period,
    unit,
)

YEARS = ["2019", "2020", "2021", "2022", "2023", "2024"]


def build(scale: int = 1, *, reports: bool = True) -> dict:
    """`scale` indicators per goal owned at NTNU (sum of the departments' values), one
    cumulative indicator at IE per scale step, a maintain one at NV, and reports. Called again
    with `reports=False` it adds that much more data.

    In one transaction: where tests commit (the browser tests' live server), the figures are
    settled once for all of it, not after each of its 150 writes."""
    with transaction.atomic():
        return _build(scale, reports=reports)


def _build(scale: int, *, reports: bool) -> dict:
    ntnu, ie, nv = unit("NTNU"), unit("IE"), unit("NV")
    departments = [u for u in ntnu.__class__.objects.filter(kind="department", active=True)]
    made = []
    for n, goal in enumerate(DevelopmentGoal.objects.all()):
        for k in range(scale):
            ind = IndicatorFactory(
                goal=goal,
                owner_unit=ntnu,
                aggregation="sum",
                decimals=0,
                baseline_value=Decimal(100 * len(departments)),
                target_value=Decimal(150 * len(departments)),
            )
            made.append(ind)
            rows = []
            for y, year in enumerate(YEARS):
                p = period(year)
                for d, dept in enumerate(departments):
                    if (d + n + k) % 7 == 0 and year == "2024":
                        continue  # some departments have not reported yet
                    value = 100 + (5 + (n % 4) * 2) * (y + 1) + d % 3
                    rows.append(Measurement(indicator=ind, unit=dept, period=p, value=value))
            Measurement.objects.bulk_create(rows)
            Measurement.announce_changed({m.key for m in rows})
            if k == 0 and n % 3 == 0:
                TargetFactory(
                    indicator=ind, period=period("2021"), value=Decimal(120 * len(departments))
                )
    goal = DevelopmentGoal.objects.get(code="RES-3")
    for _ in range(scale):
        cum = IndicatorFactory(
            goal=goal,
            owner_unit=ie,
            accumulation="cumulative",
            aggregation="sum",
            decimals=0,
            measure="count",
            baseline_value=Decimal(0),
            target_value=Decimal(100),
        )
        made.append(cum)
        for y, year in enumerate(YEARS):
            MeasurementFactory(
                indicator=cum, unit=unit("IDI"), period=period(year), value=5 * (y + 1)
            )
            if year != "2024":
                MeasurementFactory(
                    indicator=cum, unit=unit("IEL"), period=period(year), value=3 * (y + 1)
                )
    maintain = IndicatorFactory(
        goal=DevelopmentGoal.objects.get(code="EDU-1"),
        owner_unit=nv,
        direction="maintain",
        aggregation="mean",
        measure="score",
        decimals=1,
        baseline_value=Decimal("4.2"),
        target_value=Decimal("4.2"),
    )
    for dept in ("IBI", "IFY", "IKJ"):
        MeasurementFactory(
            indicator=maintain, unit=unit(dept), period=period("2024"), value=Decimal("4.0")
        )
    made.append(maintain)
    statuses = ["on_track", "at_risk", "off_track", "achieved"]
    for n, goal in enumerate(DevelopmentGoal.objects.all() if reports else []):
        for d, code in enumerate(["IDI", "IEL", "IBI", "IFY"]):
            ProgressReportFactory(
                goal=goal,
                unit=unit(code),
                period=period("2024"),
                status=statuses[(n + d) % 4],
                state="submitted" if d != 3 else "draft",
            )
    return {"indicators": made}


@pytest.fixture
def dashboard_data(strategy):
    return build


def code_of(named: str) -> str:
    """The code of a name as the downloads write it, "Publication points (IDI-PUB)"."""
    found = re.fullmatch(r".*\(([^()]+)\)", named.strip(), flags=re.S)
    assert found, f"no code after the name: {named!r}"
    return found.group(1)
