"""All analytics pages live under /reports/ (mounted in config/urls.py)."""

from django.urls import include, path

from . import views_dashboards

app_name = "analytics"

urlpatterns = [
    path("", views_dashboards.index, name="index"),
    path("dashboard/", views_dashboards.rep_dashboard, name="dashboard_rep"),
    path("dashboard/team/", views_dashboards.manager_dashboard, name="dashboard_manager"),
    path("dashboard/export/", views_dashboards.dashboard_export, name="dashboard_export"),
    path("", include("tradewind.analytics.urls_conversion")),
    path("", include("tradewind.analytics.urls_goals")),
    path("", include("tradewind.analytics.urls_customers")),
]
