from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tradewind.core"
    label = "core"
