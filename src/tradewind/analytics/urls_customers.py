"""Analytics URLs of the customer reports: RFM segments, repurchase / churn warning, settings."""

from django.urls import URLPattern, URLResolver, path

from . import views_customers

urlpatterns: list[URLPattern | URLResolver] = [
    path("customers/rfm/", views_customers.rfm_page, name="rfm"),
    path("customers/churn/", views_customers.churn_page, name="churn"),
    path("customers/settings/", views_customers.customer_settings, name="customer_settings"),
]
