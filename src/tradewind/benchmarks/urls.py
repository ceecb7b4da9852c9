"""Mounted only when TRADEWIND_BENCH=1: the floor views the benchmark compares real pages against."""

from django.urls import path

from . import views

app_name = "bench"

urlpatterns = [
    path("floor/page/", views.floor_page, name="floor_page"),
    path("floor/json/", views.floor_json, name="floor_json"),
    path("floor/fragment/", views.floor_fragment, name="floor_fragment"),
]
