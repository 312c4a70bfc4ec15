"""The unit page's table "This unit's share in indicators owned higher up": read from the stored
figures (`IndicatorShare`), the same roll-up as the owner's figure, in a fixed number of
queries; a unit without units below it shows its own value as entered."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboards import figures
from dashboards.models import IndicatorShare
from indicators.models import Measurement
from strategy.models import Unit
from tests.dashboards.conftest import code_of
from tests.factories import IndicatorFactory, MeasurementFactory, period, unit


def shares(client, code: str, year: str = "2024") -> dict[str, dict[str, str]]:
    response = client.get(
        f"/dashboard/unit/{code}/", {"period": year, "format": "csv", "table": "contributions"}
    )
    assert response.status_code == 200
    rows = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
    return {code_of(r["Indicator"]): r for r in rows}


def ie_departments() -> int:
    return Unit.objects.filter(parent__code="IE", active=True).count()


@pytest.fixture
def owned_at_ntnu(strategy):
    """A sum owned at NTNU: IDI 10 and IEL 5 in 2024 (IE), NV's IBI 7; a cumulative count owned
    at NTNU with IDI's running total 40 in 2023 and none in 2024."""
    total = IndicatorFactory(code="SUM-1", owner_unit=unit("NTNU"), aggregation="sum", decimals=0)
    for code, value in (("IDI", 10), ("IEL", 5), ("IBI", 7)):
        MeasurementFactory(indicator=total, unit=unit(code), period=period("2024"), value=value)
    running = IndicatorFactory(
        code="CUM-1",
        owner_unit=unit("NTNU"),
        aggregation="sum",
        accumulation="cumulative",
        measure="count",
        decimals=0,
    )
    MeasurementFactory(indicator=running, unit=unit("IDI"), period=period("2023"), value=40)
    return total, running


def test_a_faculty_sees_its_departments_sum_of_an_indicator_owned_by_the_university(
    client, personas, owned_at_ntnu
):
    client.force_login(personas.rector)
    row = shares(client, "IE")["SUM-1"]
    assert row["Value of this unit"] == "15"
    assert row["Units reported"] == "2"
    assert row["Units expected"] == str(ie_departments())


def test_a_carried_running_total_counts_as_the_faculty_share_but_not_as_reported(
    client, personas, owned_at_ntnu
):
    client.force_login(personas.rector)
    row = shares(client, "IE")["CUM-1"]
    assert row["Value of this unit"] == "40"
    assert row["Units reported"] == "0"


def test_a_department_sees_its_own_value_as_its_share(client, personas, owned_at_ntnu):
    client.force_login(personas.rector)
    table = shares(client, "IDI")
    assert (table["SUM-1"]["Value of this unit"], table["SUM-1"]["Units reported"]) == ("10", "1")
    assert table["CUM-1"]["Value of this unit"] == "40"
    assert table["CUM-1"]["Units expected"] == "1"


def test_a_department_without_a_value_shows_none(client, personas, owned_at_ntnu):
    client.force_login(personas.rector)
    row = shares(client, "ITK")["SUM-1"]
    assert (row["Value of this unit"], row["Units reported"]) == ("", "0")


def test_the_faculty_share_follows_a_save_on_the_next_request(client, personas, owned_at_ntnu):
    total, _running = owned_at_ntnu
    client.force_login(personas.rector)
    shares(client, "IE")
    current = Measurement.objects.get(indicator=total, unit=unit("IDI"))
    Measurement.record(
        indicator=total,
        unit=unit("IDI"),
        period=period("2024"),
        value=Decimal(30),
        comment="",
        by=personas.idi_reporter,
        based_on=current.version,
    )
    assert shares(client, "IE")["SUM-1"]["Value of this unit"] == "35"


def test_the_faculty_share_is_read_from_the_stored_figures(client, personas, owned_at_ntnu):
    total, _running = owned_at_ntnu
    figures.settle()
    stored = IndicatorShare.objects.get(indicator=total, unit=unit("IE"), period=period("2024"))
    assert stored.value == 15
    # Not a roll-up at read time: a stored figure changed behind the settler's back shows.
    IndicatorShare.objects.filter(pk=stored.pk).update(value=99)
    client.force_login(personas.rector)
    assert shares(client, "IE")["SUM-1"]["Value of this unit"] == "99"


def test_stored_shares_equal_a_full_recompute_after_writes(owned_at_ntnu, personas):
    total, running = owned_at_ntnu
    figures.settle()
    MeasurementFactory(indicator=running, unit=unit("IEL"), period=period("2024"), value=3)
    Measurement.objects.filter(indicator=total, unit=unit("IEL")).get().delete()
    figures.settle()
    assert figures.differences() == []


def count_queries(client, url: str) -> int:
    client.get(url, {"period": "2024"})
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, {"period": "2024"}).status_code == 200
    return len(queries)


@pytest.mark.parametrize("code", ["IE", "IDI"])
def test_the_share_table_reads_the_same_few_queries_at_two_data_sizes(
    client, personas, strategy, code
):
    def more(n: int) -> None:
        for k in range(n):
            for aggregation in ("sum", "mean", "none"):
                ind = IndicatorFactory(owner_unit=unit("NTNU"), aggregation=aggregation)
                for dept in ("IDI", "IEL", "ITK"):
                    MeasurementFactory(indicator=ind, unit=unit(dept), value=10 + k)

    more(2)
    figures.settle()
    client.force_login(personas.rector)
    small = count_queries(client, f"/dashboard/unit/{code}/")
    more(8)
    figures.settle()
    assert count_queries(client, f"/dashboard/unit/{code}/") == small <= 15


def test_a_unit_owning_more_indicators_than_fit_shows_the_first_and_downloads_all(
    client, personas, strategy
):
    from indicators.models import Indicator

    Indicator.objects.bulk_create(
        [IndicatorFactory.build(code=f"MANY-{n:03d}", owner_unit=unit("IDI")) for n in range(105)]
    )
    client.force_login(personas.rector)
    page = client.get("/dashboard/unit/IE/", {"period": "2024"}).content.decode()
    assert "The first 100 of 105 rows" in page
    assert "MANY-099" in page and "MANY-100" not in page
    download = client.get(
        "/dashboard/unit/IE/", {"period": "2024", "format": "csv", "table": "indicators"}
    ).content.decode("utf-8-sig")
    assert len(download.strip().splitlines()) == 1 + 105
