from django.apps import AppConfig


class RecommenderConfig(AppConfig):
    name = "recommender"
    verbose_name = "Recommender"

    def ready(self):
        from recommender import receivers  # noqa: F401  (connects the signal receivers)
