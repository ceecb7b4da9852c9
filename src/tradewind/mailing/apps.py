from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailingConfig(AppConfig):
    name = "tradewind.mailing"
    label = "mailing"
    verbose_name = _("E-mail")

    def ready(self) -> None:
        from . import wiring

        wiring.connect()
