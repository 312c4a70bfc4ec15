from django.urls import path

from indicators import views

app_name = "indicators"

urlpatterns = [
    path("units/<str:code>/values/", views.measurement_grid, name="grid"),
    path("units/<str:code>/values/save/", views.measurement_grid_save, name="grid_save"),
    path(
        "units/<str:code>/values/<int:indicator_id>/<str:period_code>/",
        views.measurement_save,
        name="measurement_save",
    ),
    path("units/<str:code>/indicators/new/", views.indicator_attach, name="attach"),
]
