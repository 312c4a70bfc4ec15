from django.urls import path

from goals import views

app_name = "goals"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("my-unit/", views.my_unit, name="my_unit"),
    path("units/<code:code>/", views.unit_detail, name="unit"),
    path(
        "units/<code:code>/reports/<code:period_code>/<int:goal_id>/",
        views.report_detail,
        name="report",
    ),
    path(
        "units/<code:code>/reports/<code:period_code>/<int:goal_id>/review/",
        views.report_review,
        name="report_review",
    ),
    path(
        "units/<str:code>/reports/<str:period_code>/<int:goal_id>/comments/",
        views.report_comment,
        name="report_comment",
    ),
    path("goals/<int:goal_id>/comments/", views.goal_comments, name="goal_comments"),
]
