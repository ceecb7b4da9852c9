from django.conf import settings
from django.urls import include, path

from tradewind.workspaces import views as workspace_views

from . import views
from .api import api

urlpatterns = [
    path("", views.home, name="home"),
    path("leads/", include("tradewind.leads.urls")),
    path("settings/", include("tradewind.workspaces.urls")),
    path("invite/<str:token>/", workspace_views.invite_accept, name="invite_accept"),
    path("i18n/language/", workspace_views.language_switch, name="language"),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", api.urls),
    path("healthz", views.healthz, name="healthz"),
    path(
        "",
        include(
            (
                [
                    path("customers/", views.module, {"name": "customers"}, name="customers"),
                    path(
                        "opportunities/",
                        views.module,
                        {"name": "opportunities"},
                        name="opportunities",
                    ),
                    path("orders/", views.module, {"name": "orders"}, name="orders"),
                    path("reports/", views.module, {"name": "reports"}, name="reports"),
                ],
                "modules",
            )
        ),
    ),
]

if settings.BENCH_ROUTES:
    urlpatterns.append(path("_bench/", include("tradewind.benchmarks.urls")))
