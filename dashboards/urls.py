from django.urls import path

from dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("completeness/", views.completeness, name="completeness"),
    path("area/<str:area>/", views.area, name="area"),
    path("area/<str:area>/pillar/<str:pillar>/", views.pillar, name="pillar"),
    path("area/<str:area>/goal/<str:goal>/", views.goal, name="goal"),
    path("unit/<str:code>/", views.unit, name="unit"),
]
