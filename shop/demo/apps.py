from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Models-free: installed only so Django finds the `demo_data` management command."""

    name = "shop.demo"
    label = "demo"
    verbose_name = "Demo catalogue"
