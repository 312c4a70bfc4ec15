from django.urls import path

from indicators import views

app_name = "indicators"

urlpatterns = [
    path("units/<code:code>/values/", views.measurement_grid, name="grid"),
    path("units/<code:code>/values/save/", views.measurement_grid_save, name="grid_save"),
    path(
        "units/<code:code>/values/<int:indicator_id>/<code:period_code>/",
        views.measurement_save,
        name="measurement_save",
    ),
    path("units/<code:code>/indicators/new/", views.indicator_attach, name="attach"),
    path("indicators/<int:pk>/targets/", views.unit_targets, name="unit_targets"),
    path(
        "indicators/<int:pk>/targets/<int:target_id>/remove/",
        views.unit_target_remove,
        name="unit_target_remove",
    ),
]
