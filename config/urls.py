from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts.views import set_language

urlpatterns = [
    path("", include("strategy.urls")),
    path("", include("goals.urls")),
    path("", include("indicators.urls")),
    path("dashboard/", include("dashboards.urls")),
    path("data/", include("spreadsheets.urls")),
    path("jobs/", include("jobs.urls")),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
]
