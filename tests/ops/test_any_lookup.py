"""`field__any=[…]` (ops.lookups) selects the same rows as `__in`, for plain and foreign-key
columns, and nothing for an empty list."""

import pytest

from strategy.models import Unit


def test_any_selects_the_same_units_as_in(units):
    wanted = [units["IE"].pk, units["IDI"].pk, units["NTNU"].pk]
    assert set(Unit.objects.filter(pk__any=wanted)) == set(Unit.objects.filter(pk__in=wanted))
    assert Unit.objects.filter(pk__any=wanted).count() == 3


def test_any_on_a_foreign_key_selects_the_children_of_the_units_given(units):
    children = Unit.objects.filter(parent_id__any=[units["IE"].pk])
    assert set(children) == set(Unit.objects.filter(parent=units["IE"]))
    assert units["IDI"] in children


def test_any_of_nothing_selects_nothing(units):
    assert not Unit.objects.filter(pk__any=[]).exists()


@pytest.mark.django_db
def test_any_refuses_a_value_that_is_not_an_id():
    with pytest.raises(ValueError):
        list(Unit.objects.filter(pk__any=["IDI"]))
