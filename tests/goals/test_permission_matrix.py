"""Every persona × every URL of reporting × its methods, with the expected status.

Another unit's objects answer 404 (their existence is not revealed) and stay unchanged; a user
who may read a unit but not change it gets 403; anonymous users are sent to log in. The last
tests fail when a URL is added to the `goals` or `indicators` namespace without a row here, and
check CSRF on every change, htmx included.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import get_resolver, reverse

from goals.models import Comment, ProgressReport
from indicators.models import Indicator, Measurement, Target
from tests.factories import (
    AN_ACTION,
    IndicatorFactory,
    ProgressReportFactory,
    goal,
    period,
    unit,
)

PERSONAS = ["administrator", "rector", "ie_leader", "idi_reporter", "nv_reporter", "outsider"]
LOGIN = "login"  # expected "status" for anonymous users: a redirect to the login page


@dataclass
class World:
    indicator: Indicator
    draft: ProgressReport
    submitted: ProgressReport
    owned_by_ie: Indicator
    idi_target: Target


@pytest.fixture
def world(strategy) -> World:
    owned_by_ie = IndicatorFactory(owner_unit=unit("IE"))
    return World(
        indicator=IndicatorFactory(),
        draft=ProgressReportFactory(goal=goal("RES-3"), state="draft"),
        submitted=ProgressReportFactory(goal=goal("RES-2"), state="submitted"),
        owned_by_ie=owned_by_ie,
        idi_target=Target.objects.create(
            indicator=owned_by_ie, unit=unit("IDI"), period=period("2025"), value=40
        ),
    )


def report_args(report):
    return [report.unit.code, report.period.code, report.goal_id]


def snapshot(world: World) -> tuple:
    """Everything a request of this matrix could change."""
    return (
        list(ProgressReport.objects.order_by("pk").values()),
        list(Measurement.objects.order_by("pk").values()),
        list(Indicator.objects.order_by("pk").values_list("pk", "code", "name")),
        list(Comment.objects.order_by("pk").values()),
        list(Target.objects.order_by("pk").values()),
    )


@dataclass
class Row:
    name: str
    method: str
    url: Callable[[World], str]
    expected: dict[str, int | str]
    data: Callable[[World], dict] = lambda world: {}


def cell_data(world: World) -> dict:
    prefix = f"m{world.indicator.pk}-{period('2025').pk}"
    return {f"{prefix}-value": "12", f"{prefix}-comment": "", f"{prefix}-version": "0"}


def attach_data(world: World) -> dict:
    return {
        "goal": goal("RES-3").pk,
        "name": "New indicator",
        "measure": "count",
        "decimals": "0",
        "direction": "increase",
        "frequency": "year",
        "accumulation": "per_period",
        "token": "feedc0ffee",
    }


READ = {"administrator": 200, "rector": 200, "ie_leader": 200, "idi_reporter": 200}
READ |= {"nv_reporter": 404, "outsider": 404}
EDIT = {"administrator": 302, "rector": 403, "ie_leader": 302, "idi_reporter": 302}
EDIT |= {"nv_reporter": 404, "outsider": 404}
APPROVE = EDIT | {"idi_reporter": 403}
NOT_ALLOWED = dict.fromkeys(PERSONAS, 405)
# Comments: the rectorate (a viewer at the root) and approvers; a reporter reads them only.
COMMENT_ON_REPORT = EDIT | {"rector": 302, "idi_reporter": 403}
READ_GOAL = dict.fromkeys(PERSONAS, 200) | {"outsider": 404}
COMMENT_ON_GOAL = COMMENT_ON_REPORT | {"nv_reporter": 403}
# The targets of the units below IE, on an indicator IE owns: IDI's reporter cannot read IE.
READ_IE = READ | {"idi_reporter": 404}
EDIT_IE = EDIT | {"idi_reporter": 404}
EVERYONE_REDIRECTED = dict.fromkeys(PERSONAS, 302)

MATRIX = [
    Row("goals:landing", "get", lambda w: reverse("goals:landing"), EVERYONE_REDIRECTED),
    Row("goals:landing", "post", lambda w: reverse("goals:landing"), NOT_ALLOWED),
    Row(
        "goals:my_unit",
        "get",
        lambda w: reverse("goals:my_unit"),
        EVERYONE_REDIRECTED | {"outsider": 200},
    ),
    Row("goals:my_unit", "post", lambda w: reverse("goals:my_unit"), NOT_ALLOWED),
    Row("goals:unit", "get", lambda w: reverse("goals:unit", args=["IDI"]), READ),
    Row("goals:unit", "post", lambda w: reverse("goals:unit", args=["IDI"]), NOT_ALLOWED),
    Row("goals:report", "get", lambda w: reverse("goals:report", args=report_args(w.draft)), READ),
    Row(
        "goals:report",
        "post",
        lambda w: reverse("goals:report", args=report_args(w.draft)),
        EDIT,
        lambda w: {
            "status": "at_risk",
            "narrative": "Changed",
            "version": w.draft.version,
            **AN_ACTION,
        },
    ),
    Row(
        "goals:report",
        "put",
        lambda w: reverse("goals:report", args=report_args(w.draft)),
        NOT_ALLOWED,
    ),
    Row(
        "goals:report_review",
        "post",
        lambda w: reverse("goals:report_review", args=report_args(w.submitted)),
        APPROVE,
        lambda w: {"decision": "approve", "version": w.submitted.version},
    ),
    Row(
        "goals:report_review",
        "get",
        lambda w: reverse("goals:report_review", args=report_args(w.submitted)),
        NOT_ALLOWED,
    ),
    Row(
        "goals:report_comment",
        "post",
        lambda w: reverse("goals:report_comment", args=report_args(w.draft)),
        COMMENT_ON_REPORT,
        lambda w: {"body": "Why is this at risk?"},
    ),
    Row(
        "goals:report_comment",
        "get",
        lambda w: reverse("goals:report_comment", args=report_args(w.draft)),
        NOT_ALLOWED,
    ),
    Row(
        "goals:goal_comments",
        "get",
        lambda w: reverse("goals:goal_comments", args=[w.draft.goal_id]),
        READ_GOAL,
    ),
    Row(
        "goals:goal_comments",
        "post",
        lambda w: reverse("goals:goal_comments", args=[w.draft.goal_id]),
        COMMENT_ON_GOAL,
        lambda w: {"body": "For the board: what does the faculty plan?", "for_board": "on"},
    ),
    Row("indicators:grid", "get", lambda w: reverse("indicators:grid", args=["IDI"]), READ),
    Row("indicators:grid", "post", lambda w: reverse("indicators:grid", args=["IDI"]), NOT_ALLOWED),
    Row(
        "indicators:grid_save",
        "post",
        lambda w: reverse("indicators:grid_save", args=["IDI"]),
        EDIT,
        cell_data,
    ),
    Row(
        "indicators:grid_save",
        "get",
        lambda w: reverse("indicators:grid_save", args=["IDI"]),
        NOT_ALLOWED,
    ),
    Row(
        "indicators:measurement_save",
        "post",
        lambda w: reverse("indicators:measurement_save", args=["IDI", w.indicator.pk, "2025"]),
        EDIT,
        cell_data,
    ),
    Row(
        "indicators:measurement_save",
        "get",
        lambda w: reverse("indicators:measurement_save", args=["IDI", w.indicator.pk, "2025"]),
        NOT_ALLOWED,
    ),
    Row(
        "indicators:attach",
        "get",
        lambda w: reverse("indicators:attach", args=["IDI"]),
        READ | {"rector": 403},
    ),
    Row(
        "indicators:attach",
        "post",
        lambda w: reverse("indicators:attach", args=["IDI"]),
        EDIT,
        attach_data,
    ),
    Row(
        "indicators:unit_targets",
        "get",
        lambda w: reverse("indicators:unit_targets", args=[w.owned_by_ie.pk]),
        READ_IE,
    ),
    Row(
        "indicators:unit_targets",
        "post",
        lambda w: reverse("indicators:unit_targets", args=[w.owned_by_ie.pk]),
        EDIT_IE,
        lambda w: {"unit": unit("IES").pk, "period": period("2025").pk, "value": "1 234,5"},
    ),
    Row(
        "indicators:unit_target_remove",
        "post",
        lambda w: reverse(
            "indicators:unit_target_remove", args=[w.owned_by_ie.pk, w.idi_target.pk]
        ),
        EDIT_IE,
    ),
    Row(
        "indicators:unit_target_remove",
        "get",
        lambda w: reverse(
            "indicators:unit_target_remove", args=[w.owned_by_ie.pk, w.idi_target.pk]
        ),
        NOT_ALLOWED,
    ),
]

CASES = [
    pytest.param(row, persona, id=f"{row.name}-{row.method}-{persona}")
    for row in MATRIX
    for persona in [*PERSONAS, "anonymous"]
]


@pytest.mark.parametrize(("row", "persona"), CASES)
def test_permission_matrix(client, personas, world, row, persona):
    if persona != "anonymous":
        client.force_login(getattr(personas, persona))
    before = snapshot(world)
    for htmx in (False, True):
        headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
        response = getattr(client, row.method)(row.url(world), row.data(world), **headers)
        if persona == "anonymous":
            assert response.status_code == 302
            assert response.url.startswith(reverse("login"))
        else:
            expected = row.expected[persona]
            # htmx answers a successful change with the page's partial instead of a redirect.
            expected = (200, 302) if htmx and expected == 302 else (expected,)
            assert response.status_code in expected, (persona, htmx, response.status_code)
        if row.method == "get" or response.status_code in (403, 404, 405) or persona == "anonymous":
            assert snapshot(world) == before, "a refused or read-only request changed data"
        if response.status_code in (200, 302):
            break  # a change happened: the htmx variant would act on changed data


def test_every_reporting_url_is_in_the_matrix():
    resolver = get_resolver()
    names = set()
    for namespace in ("goals", "indicators"):
        _prefix, inner = resolver.namespace_dict[namespace]
        names |= {f"{namespace}:{name}" for name in inner.reverse_dict if isinstance(name, str)}
    assert names == {row.name for row in MATRIX}


def test_every_persona_has_an_expected_status_in_every_row():
    for row in MATRIX:
        assert set(row.expected) == set(PERSONAS), row.name


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize(
    "row",
    [r for r in MATRIX if r.method == "post" and r.expected["idi_reporter"] == 302],
    ids=lambda r: r.name,
)
def test_changes_without_a_csrf_token_are_refused(personas, world, row, htmx):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.administrator)
    before = snapshot(world)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = client.post(row.url(world), row.data(world), **headers)
    assert response.status_code == 403
    assert snapshot(world) == before


def test_htmx_changes_pass_with_the_csrf_header_from_the_page(personas, world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.idi_reporter)
    page = client.get(reverse("goals:report", args=report_args(world.draft))).content.decode()
    token = page.split('"x-csrftoken": "')[1].split('"')[0]
    response = client.post(
        reverse("goals:report", args=report_args(world.draft)),
        {"status": "at_risk", "narrative": "Via htmx", "version": world.draft.version, **AN_ACTION},
        HTTP_HX_REQUEST="true",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 200
    world.draft.refresh_from_db()
    assert world.draft.narrative == "Via htmx"
