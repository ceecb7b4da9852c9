from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "tradewind.plans"
    label = "plans"
    verbose_name = _("Step plans")

    def ready(self) -> None:
        from . import wiring

        wiring.connect()
