from django.urls import path

from strategy import views

app_name = "strategy"

urlpatterns = [
    path("strategy/", views.home, name="home"),
    path("strategy/<slug:code>/", views.strategy_detail, name="detail"),
]
