"""Daily report pages under /reports/daily/ (mounted in config/urls.py)."""

from django.urls import path

from . import views_daily as views

app_name = "daily_reports"

urlpatterns = [
    path("", views.daily_team, name="team"),
    path("mine/", views.daily_mine, name="mine"),
    path("<int:pk>/", views.daily_detail, name="detail"),
    path("<int:pk>/comment/", views.daily_comment, name="comment"),
]
