from django.contrib.auth.decorators import login_not_required, login_required
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api import endpoints, views
from api.rest import ApiView

app_name = "api"


class SchemaView(ApiView, SpectacularAPIView):
    """The OpenAPI 3 schema, for a token or a session like every other endpoint."""


def api(view, **initkwargs):
    # Token clients have no session: the API answers 401 itself instead of the login redirect.
    return login_not_required(view.as_view(**initkwargs))


def page(view):
    """A page for people, behind the login like every other. REST framework marks its views
    login_not_required (they authenticate themselves); this one is marked back."""
    wrapped = login_required(view)
    wrapped.login_required = True
    return wrapped


urlpatterns = [
    path("api/v1/schema/", api(SchemaView), name="schema"),
    path(
        "api/v1/docs/",
        page(SpectacularSwaggerSplitView.as_view(url_name="api:schema")),
        name="docs",
    ),
    path("api/v1/areas/", api(endpoints.AreaList), name="areas"),
    path("api/v1/pillars/", api(endpoints.PillarList), name="pillars"),
    path("api/v1/goals/", api(endpoints.GoalList), name="goals"),
    path("api/v1/periods/", api(endpoints.PeriodList), name="periods"),
    path("api/v1/units/", api(endpoints.UnitList), name="units"),
    path("api/v1/units/<str:code>/", api(endpoints.UnitDetail), name="unit"),
    path("api/v1/indicators/", api(endpoints.IndicatorList), name="indicators"),
    path("api/v1/indicators/<str:code>/", api(endpoints.IndicatorDetail), name="indicator"),
    path("api/v1/measurements/", api(endpoints.MeasurementList), name="measurements"),
    path(
        "api/v1/measurements/bulk/", api(endpoints.MeasurementBulkWrite), name="measurements_bulk"
    ),
    path("api/v1/figures/", api(endpoints.FigureList), name="figures"),
    path("api/v1/reports/", api(endpoints.ReportList), name="reports"),
    re_path(r"^api/", api(endpoints.NotFoundEndpoint), name="not_found"),
    path("account/tokens/", views.token_list, name="tokens"),
    path("account/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]
