from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnablementConfig(AppConfig):
    name = "tradewind.enablement"
    label = "enablement"
    verbose_name = _("Sales enablement")

    def ready(self) -> None:
        from . import wiring

        wiring.connect()
