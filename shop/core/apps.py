from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "shop.core"
    label = "core"
    verbose_name = "Vitrine core"

    def ready(self):
        from shop.core import checks  # noqa: F401  registers the pgvector version check
