from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, register_converter

from accounts.views import set_language
from jobs import status as jobs_status
from ops import views as ops_views
from ops.oidc import LogoutView
from ops.text import CodeConverter

# Before the apps' URLs are included: they use <code:...> for every code in a path.
register_converter(CodeConverter, "code")

handler500 = "ops.views.server_error"

urlpatterns = [
    path("", include("strategy.urls")),
    path("", include("goals.urls")),
    path("", include("indicators.urls")),
    path("dashboard/", include("dashboards.urls")),
    path("data/", include("spreadsheets.urls")),
    path("jobs/", include("jobs.urls")),
    path("", include("accounts.urls")),
    path("", include("api.urls")),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("i18n/setlang/", set_language, name="set_language"),
    path("healthz", ops_views.healthz, name="healthz"),
    path("healthz/status", jobs_status.status, name="status"),
    path("admin/", admin.site.urls),
]
if settings.OIDC_ENABLED:
    urlpatterns.append(path("oidc/", include("ops.oidc")))
