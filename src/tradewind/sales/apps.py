from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "tradewind.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self) -> None:
        # Audit labels, the stale notification's words and the activity hooks that keep
        # `last_activity_at` (sales/stale.py) are registered once at start-up.
        from tradewind.workspaces.events import subscribe

        from . import services  # noqa: F401
        from .reconvert import on_rate_set
        from .stale import subscribe_activity_hooks

        subscribe_activity_hooks()
        subscribe("exchange_rate.set", on_rate_set)
