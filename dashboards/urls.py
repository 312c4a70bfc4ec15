from django.urls import path

from dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("completeness/", views.completeness, name="completeness"),
    path("exceptions/", views.exceptions, name="exceptions"),
    path("board-report/", views.board_report, name="board_report"),
    path("area/<code:area>/", views.area, name="area"),
    path("area/<code:area>/pillar/<code:pillar>/", views.pillar, name="pillar"),
    path("area/<code:area>/goal/<code:goal>/", views.goal, name="goal"),
    path("unit/<code:code>/", views.unit, name="unit"),
    path("indicator/<int:indicator_id>/", views.indicator, name="indicator"),
]
