"""Any input in a grid cell is saved exactly or refused with a message; never a 500."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators.models import Measurement
from tests.factories import IndicatorFactory, period

# No NUL (tested on its own) and no lone surrogates (no browser can send them).
NO_NUL = st.text(
    alphabet=st.characters(blacklist_characters="\x00", blacklist_categories=["Cs"]), max_size=60
)
NUMBERISH = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(str),
    st.integers(-(10**30), 10**30).map(str),
    NO_NUL,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=NUMBERISH, comment=NO_NUL, version=st.sampled_from(["0", "1", "x", "-1"]))
def test_any_cell_input_is_saved_exactly_or_refused_with_a_message(
    client, personas, strategy, value, comment, version
):
    indicator = IndicatorFactory(
        measure="percent", decimals=2, baseline_value=None, target_value=None
    )
    client.force_login(personas.idi_reporter)
    prefix = f"m{indicator.pk}-{period('2025').pk}"
    response = client.post(
        reverse("indicators:measurement_save", args=["IDI", indicator.pk, "2025"]),
        {f"{prefix}-value": value, f"{prefix}-comment": comment, f"{prefix}-version": version},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    page = response.content.decode()
    saved = Measurement.objects.filter(indicator=indicator).first()
    if "Saved." in page:
        assert Decimal(0) <= saved.value <= Decimal(100)
        assert saved.comment == comment.strip()
    else:
        assert 'aria-invalid="true"' in page or "reload the page" in page
        assert saved is None
