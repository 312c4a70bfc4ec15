"""factory_boy factories. Strategy, units and periods come from the real fixtures."""

from __future__ import annotations

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from goals.models import DevelopmentGoal, ProgressReport, ReportingPeriod
from indicators.models import Indicator, Measurement, Target
from strategy.models import Unit

PASSWORD = "correct horse battery staple"

# The cause and action a report form needs when it reports a goal at risk or off track.
AN_ACTION = {
    "cause": "Two lecturers left.",
    "remedy": "Recruit two lecturers.",
    "owner": "Head of department",
    "due": "2025-06-30",
}


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def goal(code: str = "RES-3") -> DevelopmentGoal:
    return DevelopmentGoal.objects.get(code=code)


def period(code: str = "2025") -> ReportingPeriod:
    return ReportingPeriod.objects.get(code=code)


def unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    goal = factory.LazyFunction(goal)
    owner_unit = factory.LazyFunction(lambda: unit("IDI"))
    code = factory.Sequence(lambda n: f"T-{n:04d}")
    name_en = factory.Sequence(lambda n: f"Publication points {n}")
    name_nb = factory.Sequence(lambda n: f"Publiseringspoeng {n}")
    measure = "points"
    decimals = 1
    direction = "increase"
    baseline_value = Decimal("100.0")
    baseline_period = factory.LazyFunction(lambda: period("2018"))
    target_value = Decimal("150.0")
    target_period = factory.LazyFunction(lambda: period("2025"))
    frequency = "year"


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    indicator = factory.SubFactory(IndicatorFactory)
    period = factory.LazyFunction(lambda: period("2022"))
    value = Decimal("130")


class MeasurementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measurement

    indicator = factory.SubFactory(IndicatorFactory)
    unit = factory.LazyFunction(lambda: unit("IDI"))
    period = factory.LazyFunction(lambda: period("2024"))
    value = Decimal("120.5")


class ProgressReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressReport

    goal = factory.LazyFunction(goal)
    unit = factory.LazyFunction(lambda: unit("IDI"))
    period = factory.LazyFunction(period)
    status = "on_track"
    narrative = "Publication points rose by 8% on last year."
