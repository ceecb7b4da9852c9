from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "tradewind.orders"
    label = "orders"
    verbose_name = _("Quotes and orders")

    def ready(self) -> None:
        # Audit labels of the quote services and the daily expiry job are registered at start-up.
        # Orders, shipments and payments: audit labels, the overdue reminder job and the
        # customer 360 page's "documents" and "finance" sections.
        from tradewind.customers.panels import register_panel

        from . import finance, orders, quotes, receivables, tasks  # noqa: F401

        register_panel("documents", finance.documents_panel)
        register_panel("finance", finance.finance_panel)
