from django.apps import AppConfig


class RecommenderConfig(AppConfig):
    name = "recommender"
    verbose_name = "Recommender"

    def ready(self):
        # Imported here, not at the top: they import models, which Django loads only after every AppConfig.
        from recommender import receivers  # noqa: F401  (connects the signal receivers)
        from recommender.impressions import receivers as impression_receivers  # noqa: F401
        from recommender.search.preload import preload_if_serving

        # Web servers only (runserver's serving child, gunicorn...): never migrate, shell, Celery or tests.
        preload_if_serving()
