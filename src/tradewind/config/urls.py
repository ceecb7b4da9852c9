from django.conf import settings
from django.urls import include, path

from tradewind.analytics import views_dashboards as analytics_views
from tradewind.customers import views as customer_views
from tradewind.orders import views_orders as order_views
from tradewind.sales import views as sales_views
from tradewind.workspaces import views as workspace_views

from . import views
from .api import api

urlpatterns = [
    path("", views.home, name="home"),
    path("leads/", include("tradewind.leads.urls")),
    path("f/", include("tradewind.leads.webforms_public")),
    path("customers/", include("tradewind.customers.urls")),
    path("opportunities/board/", include("tradewind.sales.urls_board")),
    path("opportunities/", include("tradewind.sales.urls")),
    path("forecast/", include("tradewind.sales.urls_forecast")),
    path("products/", include("tradewind.sales.urls_products")),
    path("settings/pipelines/", include("tradewind.sales.urls_pipelines")),
    path("notifications/", include("tradewind.activities.urls")),
    path("tasks/", include("tradewind.activities.urls_tasks")),
    path("comments/", include("tradewind.activities.urls_comments")),
    path("quotes/", include("tradewind.orders.urls")),
    path("orders/", include("tradewind.orders.urls_orders")),
    path("settings/documents/", include("tradewind.orders.urls_settings")),
    path("settings/custom-fields/", include("tradewind.workspaces.custom_fields_urls")),
    path("settings/followup-nodes/", include("tradewind.customers.urls_nodes")),
    path("settings/", include("tradewind.workspaces.urls")),
    path("invite/<str:token>/", workspace_views.invite_accept, name="invite_accept"),
    path("i18n/language/", workspace_views.language_switch, name="language"),
    path("accounts/", include("allauth.urls")),
    path("reports/daily/", include("tradewind.enablement.urls_daily")),
    path("reports/", include("tradewind.analytics.urls")),
    path("settings/automation/", include("tradewind.automation.urls")),
    path("settings/email/", include("tradewind.mailing.urls")),
    path("settings/webhooks/", include("tradewind.webhooks.urls")),
    path("plans/", include("tradewind.plans.urls")),
    path("library/", include("tradewind.enablement.urls")),
    path("campaigns/", include("tradewind.campaigns.urls")),
    path("m/", include("tradewind.campaigns.urls_public")),
    path("api/v1/", api.urls),
    path("healthz", views.healthz, name="healthz"),
    path(
        "",
        include(
            (
                [
                    # The nav's "modules:customers" now names the real list (customers:list).
                    path("customers/", customer_views.customer_list, name="customers"),
                    # "modules:opportunities" names the real list (sales:list).
                    path(
                        "opportunities/",
                        sales_views.opportunity_list_page,
                        name="opportunities",
                    ),
                    # "modules:orders" names the real list (orders:list).
                    path("orders/", order_views.order_list_page, name="orders"),
                    # "modules:reports" names the reports hub (analytics:index).
                    path("reports/", analytics_views.index, name="reports"),
                ],
                "modules",
            )
        ),
    ),
]

if settings.BENCH_ROUTES:
    urlpatterns.append(path("_bench/", include("tradewind.benchmarks.urls")))
