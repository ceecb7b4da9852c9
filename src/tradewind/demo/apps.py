from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo workspace spans every app, so it lives outside them (like analytics)."""

    name = "tradewind.demo"
    label = "demo"
