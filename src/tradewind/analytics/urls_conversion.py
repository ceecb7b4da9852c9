"""Analytics URLs of the conversion review, funnels and activity statistics (under /reports/)."""

from django.urls import URLPattern, URLResolver, path

from . import views_conversion as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("conversion/", views.conversion_review, name="conversion"),
    path("funnels/", views.funnels, name="funnels"),
    path("activity/", views.activity, name="activity"),
    path("activity/records/", views.activity_records, name="activity_records"),
    path("funnels/nodes/", views.node_customers, name="node_customers"),
]
