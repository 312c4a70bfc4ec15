"""The measurement grid: one row per indicator and open period, each saved on its own."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.models import Measurement
from tests.factories import IndicatorFactory, MeasurementFactory, TargetFactory, period, unit

HTMX = {"HTTP_HX_REQUEST": "true"}


def save_url(indicator, period_code="2025", unit="IDI") -> str:
    return reverse("indicators:measurement_save", args=[unit, indicator.pk, period_code])


def cell(indicator, period_code="2025", **values) -> dict[str, str]:
    prefix = f"m{indicator.pk}-{period(period_code).pk}"
    return {f"{prefix}-{name}": value for name, value in values.items()}


@pytest.fixture
def reporter_client(client, personas):
    client.force_login(personas.idi_reporter)
    return client


@pytest.fixture
def indicator(strategy):
    return IndicatorFactory(name_en="Publication points", decimals=1)


def test_grid_shows_last_periods_value_and_the_target_beside_each_cell(reporter_client, indicator):
    MeasurementFactory(indicator=indicator, period=period("2024"), value=Decimal("120.5"))
    TargetFactory(indicator=indicator, period=period("2025"), value=Decimal("140"))
    page = reporter_client.get(reverse("indicators:grid", args=["IDI"])).content.decode()
    assert "Publication points" in page
    assert "Last period (2024)" in page
    assert "120.5" in page
    assert "140.0" in page


def test_grid_groups_thousands_and_says_whose_target_an_inherited_indicator_has(
    reporter_client, strategy
):
    inherited = IndicatorFactory(
        owner_unit=unit("NTNU"), measure="nok", decimals=0, target_value=Decimal("550704528")
    )
    MeasurementFactory(indicator=inherited, period=period("2024"), value=Decimal("6803883"))
    page = reporter_client.get(reverse("indicators:grid", args=["IDI"])).content.decode()
    assert "6,803,883" in page
    assert "550,704,528" in page
    assert "for NTNU as a whole" in page


def test_copy_from_last_period_prefills_empty_cells_without_saving(reporter_client, indicator):
    MeasurementFactory(indicator=indicator, period=period("2024"), value=Decimal("120.5"))
    page = reporter_client.get(reverse("indicators:grid", args=["IDI"]), {"prefill": "last"})
    assert 'value="120.5"' in page.content.decode()
    assert not Measurement.objects.filter(period=period("2025")).exists()


def test_a_cell_saves_a_value_and_comment_with_htmx(reporter_client, indicator, personas):
    response = reporter_client.post(
        save_url(indicator),
        cell(indicator, value="131,5", comment="From Cristin", version="0"),
        **HTMX,
    )
    assert response.status_code == 200
    assert "Saved." in response.content.decode()
    saved = Measurement.objects.get(indicator=indicator, period=period("2025"))
    assert saved.value == Decimal("131.5")
    assert saved.comment == "From Cristin"
    assert saved.entered_by == personas.idi_reporter


def test_a_cell_saves_without_javascript_and_redirects_to_the_grid(reporter_client, indicator):
    response = reporter_client.post(save_url(indicator), cell(indicator, value="7", version="0"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("indicators:grid", args=["IDI"]))


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("abc", "is not a number"),
        ("12.34", "Use at most 1 decimals"),
        ("NaN", "Enter a finite number"),
        ("-Infinity", "Enter a finite number"),
        ("1" * 15, "too large"),
        ("-5", "between 0 and"),
        ("", "This field is required."),
        ("1e5", "is not a number"),
    ],
)
def test_a_wrong_value_is_refused_with_a_message_naming_the_problem(
    reporter_client, indicator, typed, message
):
    response = reporter_client.post(
        save_url(indicator), cell(indicator, value=typed, version="0"), **HTMX
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert 'aria-invalid="true"' in page
    assert not Measurement.objects.exists()


def test_a_wrong_value_keeps_what_was_typed_and_leaves_other_rows_alone(reporter_client, indicator):
    other = IndicatorFactory(name_en="Other indicator")
    MeasurementFactory(indicator=other, period=period("2025"), value=Decimal("3"))
    response = reporter_client.post(
        save_url(indicator), cell(indicator, value="12,345", comment="typed", version="0"), **HTMX
    )
    page = response.content.decode()
    assert 'value="12,345"' in page
    assert 'value="typed"' in page
    assert "Other indicator" not in page  # only this row is swapped
    assert Measurement.objects.get(indicator=other).value == Decimal("3")


def test_percent_values_must_lie_between_0_and_100(reporter_client, strategy):
    percent = IndicatorFactory(
        measure="percent", decimals=1, baseline_value=None, target_value=None
    )
    page = reporter_client.post(
        save_url(percent), cell(percent, value="100.1", version="0"), **HTMX
    ).content.decode()
    assert "between 0 and 100" in page


def test_a_nul_byte_is_refused_with_a_message(reporter_client, indicator):
    page = reporter_client.post(
        save_url(indicator), cell(indicator, value="1\x002", version="0"), **HTMX
    ).content.decode()
    assert "Null characters are not allowed." in page
    assert not Measurement.objects.exists()


def test_a_megabyte_comment_is_refused(reporter_client, indicator):
    page = reporter_client.post(
        save_url(indicator),
        cell(indicator, value="1", comment="x" * 1_000_000, version="0"),
        **HTMX,
    ).content.decode()
    assert "at most 2000 characters" in page
    assert not Measurement.objects.exists()


def test_a_stale_value_is_refused_with_who_changed_it(client, personas, indicator):
    MeasurementFactory(
        indicator=indicator,
        period=period("2025"),
        value=Decimal("10"),
        entered_by=personas.ie_leader,
    )
    client.force_login(personas.idi_reporter)
    page = client.post(
        save_url(indicator), cell(indicator, value="11", version="0"), **HTMX
    ).content.decode()
    assert "Not saved: ie-leader changed this value to 10.0" in page
    assert Measurement.objects.get(indicator=indicator).value == Decimal("10")


def test_saving_the_same_value_twice_is_not_a_conflict(reporter_client, indicator):
    data = cell(indicator, value="5", version="0")
    reporter_client.post(save_url(indicator), data, **HTMX)
    second = reporter_client.post(save_url(indicator), data, **HTMX)
    assert "Saved." in second.content.decode()
    assert Measurement.objects.get(indicator=indicator).version == 1


def test_a_value_for_a_closed_period_is_refused(reporter_client, indicator):
    response = reporter_client.post(
        save_url(indicator, "2024"), cell(indicator, "2024", value="5", version="0")
    )
    assert response.status_code == 403
    assert not Measurement.objects.exists()


def test_a_yearly_indicator_takes_no_value_for_a_tertial(reporter_client, indicator):
    response = reporter_client.post(
        save_url(indicator, "2025-T3"), cell(indicator, "2025-T3", value="5", version="0")
    )
    assert response.status_code == 404


def test_tertial_indicators_are_listed_under_the_open_tertial(reporter_client, strategy):
    IndicatorFactory(name_en="Tertial indicator", frequency="tertial")
    page = reporter_client.get(reverse("indicators:grid", args=["IDI"])).content.decode()
    tertial = page.index('id="section-2025-T3"')
    assert page.index("Tertial indicator") > tertial


def test_viewer_sees_values_but_no_inputs(client, personas, indicator):
    MeasurementFactory(indicator=indicator, period=period("2025"), value=Decimal("42"))
    client.force_login(personas.rector)
    page = client.get(reverse("indicators:grid", args=["IDI"])).content.decode()
    assert "42.0" in page
    assert '<input type="text"' not in page


@pytest.mark.parametrize("count", [2, 12])
def test_grid_uses_a_fixed_number_of_queries(
    client, personas, strategy, django_assert_max_num_queries, count
):
    for indicator in IndicatorFactory.create_batch(count):
        MeasurementFactory(indicator=indicator, period=period("2024"))
        MeasurementFactory(indicator=indicator, period=period("2025"))
        TargetFactory(indicator=indicator, period=period("2025"))
    IndicatorFactory.create_batch(count, frequency="tertial")
    client.force_login(personas.idi_reporter)
    # The same at both sizes; one of them finds the namesakes of the indicators listed.
    with django_assert_max_num_queries(14):
        client.get(reverse("indicators:grid", args=["IDI"]))


def test_without_javascript_a_wrong_value_shows_the_whole_grid_with_the_message(
    reporter_client, indicator
):
    IndicatorFactory(name_en="Other indicator")
    response = reporter_client.post(save_url(indicator), cell(indicator, value="x", version="0"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" in page
    assert "“x” is not a number." in page
    assert "Other indicator" in page


def test_a_department_enters_values_for_its_facultys_indicators(reporter_client, units):
    faculty = IndicatorFactory(name_en="Faculty-wide indicator", owner_unit=units["IE"])
    page = reporter_client.get(reverse("indicators:grid", args=["IDI"])).content.decode()
    assert "Faculty-wide indicator" in page
    assert "set by IE" in page
    reporter_client.post(save_url(faculty), cell(faculty, value="3", version="0"))
    assert Measurement.objects.get(indicator=faculty).unit == units["IDI"]


def test_a_faculty_cannot_enter_values_for_a_departments_indicator(client, personas, indicator):
    client.force_login(personas.ie_leader)
    response = client.post(save_url(indicator, unit="IE"), cell(indicator, value="3", version="0"))
    assert response.status_code == 404


@pytest.mark.parametrize("persona", ["idi_reporter", "rector"])
def test_markup_in_a_name_or_a_comment_is_shown_as_text_in_the_grid(
    client, personas, strategy, persona
):
    hostile = IndicatorFactory(name_en='Reads <img src=x onerror="alert(1)"> & {more}')
    MeasurementFactory(
        indicator=hostile, period=period("2025"), comment='"><script>alert(2)</script>'
    )
    client.force_login(getattr(personas, persona))
    page = client.get(reverse("indicators:grid", args=["IDI"])).content.decode()
    assert "<img src=x" not in page
    assert "<script>alert(2)" not in page
    assert "Reads &lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; {more}" in page
    assert "&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in page


def test_markup_typed_into_a_refused_cell_comes_back_as_text(reporter_client, indicator):
    """The row answered after a refused save holds what was typed, escaped in its inputs."""
    response = reporter_client.post(
        save_url(indicator),
        cell(indicator, value='1"><script>alert(3)</script>', comment="<b>bold</b>", version="0"),
        **HTMX,
    )
    row = response.content.decode()
    assert 'aria-invalid="true"' in row
    assert "<script>" not in row and "<b>bold" not in row
    assert 'value="1&quot;&gt;&lt;script&gt;alert(3)&lt;/script&gt;"' in row
    assert 'value="&lt;b&gt;bold&lt;/b&gt;"' in row
    assert not Measurement.objects.filter(indicator=indicator).exists()
