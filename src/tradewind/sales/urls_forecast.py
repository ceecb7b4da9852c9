from django.urls import path

from . import views_forecast

app_name = "forecast"

urlpatterns = [
    path("", views_forecast.forecast_index, name="index"),
]
