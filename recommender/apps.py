from django.apps import AppConfig


class RecommenderConfig(AppConfig):
    name = "recommender"
    verbose_name = "Recommender"

    def ready(self):
        # Imported here, not at the top: they import models, which Django loads only after every AppConfig.
        from recommender import receivers  # noqa: F401  (connects the signal receivers)
        from recommender.impressions import receivers as impression_receivers  # noqa: F401
        from recommender.merchandising import receivers as merchandising_receivers  # noqa: F401
        from recommender.conf import encoder_override_install
        from recommender.models.encoder_version import promoted_encoder_name
        from recommender.search.preload import preload_if_serving

        encoder_override_install(promoted_encoder_name)  # a promoted trained encoder computes new vectors

        # Web servers only (runserver's serving child, gunicorn...): never migrate, shell, Celery or tests.
        preload_if_serving()
