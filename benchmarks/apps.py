from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    """Installed by the local and test settings only, for `manage.py bench` and `evaluate_world`."""

    name = "benchmarks"
    verbose_name = "Vitrine benchmarks"
