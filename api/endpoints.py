"""REST API v1: thin views over the domain's querysets, filtered by `strategy.policy`.

Reads: the strategy tree, units, periods, indicators (with targets and milestones),
measurements, figures and progress reports, each a stable-ordered, paginated list that also
answers `Accept: text/csv`. Write: measurements in bulk (`api.writes`).
"""

from __future__ import annotations

import datetime
import hashlib
import json

from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.http import Http404
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import exceptions, generics, serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from api import writes
from api.figures import dashboard_figures
from api.models import IdempotentRequest
from api.rest import ApiView, CSVRenderer, Pagination, ProblemRenderer, csv_download
from api.serializers import (
    AreaSerializer,
    BulkResultSerializer,
    BulkWriteSerializer,
    FigureSerializer,
    GoalSerializer,
    IndicatorSerializer,
    MeasurementSerializer,
    PeriodSerializer,
    PillarSerializer,
    ReportSerializer,
    UnitSerializer,
)
from goals.models import DevelopmentGoal, ProgressReport, ReportingPeriod
from goals.views import current_strategy
from indicators.models import Indicator, Measurement, Target
from strategy.models import Area, Pillar, UnitParentHistory
from strategy.policy import READ

PROBLEM = inline_serializer(
    "Problem",
    {
        "type": serializers.CharField(),
        "title": serializers.CharField(),
        "status": serializers.IntegerField(),
        "detail": serializers.CharField(),
        "errors": serializers.JSONField(required=False),
    },
)
PROBLEM_TYPE = "application/problem+json"
READ_ERRORS = {
    (code, PROBLEM_TYPE): OpenApiResponse(PROBLEM, description=text)
    for code, text in {
        400: "Bad query parameters",
        401: "No valid token or session",
        403: "Not allowed",
        404: "Not found, or not visible to you",
        406: "Not acceptable",
        429: "Too many requests; see Retry-After",
    }.items()
}


def _code_filter(name: str, help_text: str) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.STR, description=help_text)


class ListEndpoint(ApiView, generics.ListAPIView):
    """A stable-ordered list: JSON a page at a time, or CSV (`Accept: text/csv`) all of it."""

    renderer_classes = [JSONRenderer, CSVRenderer]
    pagination_class = Pagination
    #: query parameter → queryset lookup, each an exact match on a code
    filters: dict[str, str] = {}

    def list(self, request, *args, **kwargs):
        if isinstance(request.accepted_renderer, CSVRenderer):
            items = self.filter_queryset(self.get_queryset())
            return csv_download(items, self.get_serializer_class(), self.get_serializer_context())
        return super().list(request, *args, **kwargs)

    def filter_by_params(self, queryset):
        for param, lookup in self.filters.items():
            value = self.request.query_params.get(param)
            if value is not None:
                queryset = queryset.filter(**{lookup: value})
        return queryset


class DetailEndpoint(ApiView, generics.RetrieveAPIView):
    renderer_classes = [JSONRenderer]


# --- The strategy tree -----------------------------------------------------------------------


@extend_schema(responses={200: AreaSerializer(many=True), **READ_ERRORS})
class AreaList(ListEndpoint):
    """The strategy areas of the current strategy, in both languages."""

    serializer_class = AreaSerializer

    def get_queryset(self):
        return Area.objects.filter(strategy=current_strategy()).order_by("order", "code", "pk")


@extend_schema(
    parameters=[_code_filter("area", "Only this area's pillars.")],
    responses={200: PillarSerializer(many=True), **READ_ERRORS},
)
class PillarList(ListEndpoint):
    serializer_class = PillarSerializer
    filters = {"area": "area__code"}

    def get_queryset(self):
        queryset = Pillar.objects.filter(area__strategy=current_strategy()).select_related("area")
        return self.filter_by_params(queryset).order_by("area__order", "order", "code", "pk")


@extend_schema(
    parameters=[_code_filter("area", "Only this area's goals.")],
    responses={200: GoalSerializer(many=True), **READ_ERRORS},
)
class GoalList(ListEndpoint):
    serializer_class = GoalSerializer
    filters = {"area": "area__code"}

    def get_queryset(self):
        queryset = (
            DevelopmentGoal.objects.of_strategy(current_strategy())
            .select_related("area")
            .prefetch_related("pillars")
        )
        return self.filter_by_params(queryset).order_by("area__order", "order", "code", "pk")


@extend_schema(responses={200: PeriodSerializer(many=True), **READ_ERRORS})
class PeriodList(ListEndpoint):
    serializer_class = PeriodSerializer

    def get_queryset(self):
        return ReportingPeriod.objects.filter(strategy=current_strategy()).order_by(
            "start", "-end", "code", "pk"
        )


# --- Units -------------------------------------------------------------------------------------


@extend_schema(responses={200: UnitSerializer(many=True), **READ_ERRORS})
class UnitList(ListEndpoint):
    """The units you may read, inactive ones included (with their validity: the history)."""

    serializer_class = UnitSerializer

    def get_queryset(self):
        return _with_history(self.policy.units(READ)).order_by("path", "pk")


@extend_schema(responses={200: UnitSerializer, **READ_ERRORS})
class UnitDetail(DetailEndpoint):
    serializer_class = UnitSerializer
    lookup_field = "code"

    def get_queryset(self):
        return _with_history(self.policy.units(READ))


def _with_history(units):
    """Units with their parent, successor and earlier parents (one query more for all)."""
    return units.select_related("parent", "successor").prefetch_related(
        Prefetch("parent_history", queryset=UnitParentHistory.objects.select_related("parent"))
    )


# --- Indicators and measurements -------------------------------------------------------------

INDICATOR_FILTERS = [
    _code_filter("goal", "Only this goal's indicators (goal code)."),
    _code_filter("owner_unit", "Only indicators owned by this unit."),
]


def _indicators(policy):
    return policy.filter(
        Indicator.objects.filter(goal__area__strategy=current_strategy())
        .select_related("goal__area", "owner_unit", "baseline_period", "target_period")
        .prefetch_related(
            Prefetch(
                "targets",
                queryset=Target.objects.filter(unit__isnull=True).select_related("period"),
                to_attr="owner_milestones",
            ),
            Prefetch(
                "targets",
                queryset=Target.objects.filter(unit__isnull=False)
                .select_related("period", "unit")
                .order_by("unit__path", "period__start"),
                to_attr="unit_target_rows",
            ),
        ),
        READ,
    )


@extend_schema(
    parameters=INDICATOR_FILTERS, responses={200: IndicatorSerializer(many=True), **READ_ERRORS}
)
class IndicatorList(ListEndpoint):
    """Indicators owned in the units you may read, with baseline, target and milestones."""

    serializer_class = IndicatorSerializer
    filters = {"goal": "goal__code", "owner_unit": "owner_unit__code"}

    def get_queryset(self):
        return self.filter_by_params(_indicators(self.policy)).order_by("code", "pk")


@extend_schema(responses={200: IndicatorSerializer, **READ_ERRORS})
class IndicatorDetail(DetailEndpoint):
    serializer_class = IndicatorSerializer
    lookup_field = "code"

    def get_queryset(self):
        return _indicators(self.policy)


@extend_schema(
    parameters=[
        _code_filter("indicator", "Indicator code."),
        _code_filter("unit", "Unit code (that unit's own values)."),
        _code_filter("period", "Period code, e.g. 2024 or 2024-T2."),
        OpenApiParameter(
            "changed_since",
            OpenApiTypes.DATETIME,
            description="Only values entered at or after this time (ISO 8601 with offset).",
        ),
    ],
    responses={200: MeasurementSerializer(many=True), **READ_ERRORS},
)
class MeasurementList(ListEndpoint):
    """Values of the units you may read, ordered by indicator, period and unit."""

    serializer_class = MeasurementSerializer
    filters = {"indicator": "indicator__code", "unit": "unit__code", "period": "period__code"}

    def get_queryset(self):
        queryset = self.policy.filter(
            Measurement.objects.filter(period__strategy=current_strategy()).select_related(
                "indicator", "unit", "period"
            ),
            READ,
        )
        since = self.request.query_params.get("changed_since")
        if since is not None:
            moment = _parse_moment(since)
            queryset = queryset.filter(entered_at__gte=moment)
        return self.filter_by_params(queryset).order_by(
            "indicator__code", "period__start", "unit__path", "pk"
        )


def _parse_moment(text: str):
    """The moment in UTC: PostgreSQL refuses offsets beyond ±15:59 that ISO 8601 allows."""
    try:
        moment = parse_datetime(text)
        if moment is not None and moment.tzinfo is not None:
            return moment.astimezone(datetime.UTC)
    except (ValueError, OverflowError):
        pass
    raise exceptions.ValidationError(
        {"changed_since": [_("Give a date and time with offset, e.g. 2025-01-31T08:00Z.")]}
    )


# --- Figures and reports ------------------------------------------------------------------------


@extend_schema(
    parameters=[
        _code_filter("period", "Period code; the dashboards' default period if left out."),
        _code_filter("unit", "Unit code: the figures of its subtree; your top unit if left out."),
    ],
    responses={200: FigureSerializer(many=True), **READ_ERRORS},
)
class FigureList(ListEndpoint):
    """The dashboards' figures for a period and a unit's subtree: per indicator, goal, pillar
    and area, the same as the dashboard pages and their CSV downloads show."""

    serializer_class = FigureSerializer

    def get_queryset(self):
        params = self.request.query_params
        try:
            figures = dashboard_figures(
                self.request.user, period=params.get("period", ""), unit=params.get("unit", "")
            )
        except Http404:
            raise exceptions.NotFound(_("No such period or unit, or you may not see it.")) from None
        return figures.rows


@extend_schema(
    parameters=[
        _code_filter("unit", "Unit code (that unit's own reports)."),
        _code_filter("period", "Period code."),
        _code_filter("goal", "Goal code."),
        OpenApiParameter(
            "state", OpenApiTypes.STR, enum=["draft", "submitted", "approved", "returned"]
        ),
    ],
    responses={200: ReportSerializer(many=True), **READ_ERRORS},
)
class ReportList(ListEndpoint):
    """Progress reports of the units you may read: state, status and narratives."""

    serializer_class = ReportSerializer
    filters = {
        "unit": "unit__code",
        "period": "period__code",
        "goal": "goal__code",
        "state": "state",
    }

    def get_queryset(self):
        queryset = self.policy.filter(
            ProgressReport.objects.filter(period__strategy=current_strategy()).select_related(
                "goal__area", "unit", "period"
            ),
            READ,
        )
        return self.filter_by_params(queryset).order_by(
            "period__start", "goal__area__order", "goal__order", "unit__path", "pk"
        )


# --- Bulk write ---------------------------------------------------------------------------------


@extend_schema(
    request=BulkWriteSerializer,
    parameters=[
        OpenApiParameter(
            "Idempotency-Key",
            OpenApiTypes.STR,
            OpenApiParameter.HEADER,
            description="Any unique text (e.g. a UUID); a retry with the same key and body "
            "changes nothing again and gets the first answer.",
        )
    ],
    responses={
        200: BulkResultSerializer,
        (409, PROBLEM_TYPE): OpenApiResponse(
            PROBLEM, description="Stale base versions; nothing written"
        ),
        (422, PROBLEM_TYPE): OpenApiResponse(PROBLEM, description="Rows refused; nothing written"),
        **READ_ERRORS,
    },
)
class MeasurementBulkWrite(ApiView):
    """Upsert values by indicator, unit and period, each against the version it was read at.

    All rows are written or none: rows the import would refuse answer 422 with the import's
    messages per row, and stale versions 409 with each stale row's current value and version.
    """

    renderer_classes = [JSONRenderer]

    def post(self, request):
        if not self.policy.can_edit_anything:
            raise exceptions.PermissionDenied(_("You may not report values for any unit."))
        key = request.headers.get("Idempotency-Key", "").strip()
        if len(key) > 200:
            raise exceptions.ValidationError(
                {"Idempotency-Key": [_("Use at most 200 characters.")]}
            )
        fingerprint = hashlib.sha256(
            json.dumps(request.data, sort_keys=True, default=str).encode()
        ).hexdigest()
        if key:
            replay = self._replay(key, fingerprint)
            if replay is not None:
                return replay
        incoming = BulkWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        rows = incoming.validated_data["rows"]
        try:
            changes = writes.check(rows, user=request.user)
            bases = {n: row["base_version"] for n, row in enumerate(rows, start=1)}
            with transaction.atomic():
                results = writes.write(changes, bases, user=request.user)
                body = {"rows": results}
                if key:
                    IdempotentRequest.objects.create(
                        user=request.user, key=key, fingerprint=fingerprint, status=200, body=body
                    )
        except writes.Refused as refused:
            return self._refused(refused)
        except IntegrityError:
            # The same key was used by a request that committed meanwhile: answer as it did.
            replay = self._replay(key, fingerprint) if key else None
            if replay is None:
                raise
            return replay
        return Response(body)

    def _replay(self, key: str, fingerprint: str) -> Response | None:
        user_id = self.request.user.pk
        assert user_id is not None  # IsAuthenticated let the request in
        done = IdempotentRequest.objects.filter(user_id=user_id, key=key).first()
        if done is None:
            return None
        if done.fingerprint != fingerprint:
            raise exceptions.ValidationError(
                {"Idempotency-Key": [_("This key was used for a different request.")]}
            )
        response = Response(done.body, status=done.status)
        response["Idempotent-Replayed"] = "true"
        return response

    def _refused(self, refused: writes.Refused) -> Response:
        code = status.HTTP_409_CONFLICT if refused.conflict else 422
        detail = (
            _("Some values were changed by someone else since you read them; nothing was saved.")
            if refused.conflict
            else _("Some rows cannot be saved; nothing was saved.")
        )
        problem = {
            "type": "about:blank",
            "title": "Conflict" if refused.conflict else "Unprocessable Content",
            "status": code,
            "detail": detail,
            "errors": refused.errors,
        }
        self.request.accepted_renderer = ProblemRenderer()
        self.request.accepted_media_type = ProblemRenderer.media_type
        return Response(problem, status=code, content_type=ProblemRenderer.media_type)


class NotFoundEndpoint(ApiView):
    """Any other path under /api/: a problem, not the HTML 404 page."""

    renderer_classes = [JSONRenderer]

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        raise exceptions.NotFound(_("There is no such API endpoint."))

    post = put = patch = delete = get
