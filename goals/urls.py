from django.urls import path

from goals import views

app_name = "goals"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("my-unit/", views.my_unit, name="my_unit"),
    path("units/<str:code>/", views.unit_detail, name="unit"),
    path(
        "units/<str:code>/reports/<str:period_code>/<int:goal_id>/",
        views.report_detail,
        name="report",
    ),
    path(
        "units/<str:code>/reports/<str:period_code>/<int:goal_id>/review/",
        views.report_review,
        name="report_review",
    ),
]
