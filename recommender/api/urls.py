"""The recommender API's routes, included at /api/ by the project urls. Add a line per endpoint."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from recommender.api.catalog import ProductViewSet
from recommender.api.events import EventsView
from recommender.api.experiments import (
    ExperimentActionView,
    ExperimentResultsView,
    ExperimentsView,
    ExperimentView,
)
from recommender.api.metrics import RecommendationMetricsView
from recommender.api.recommendations import RecommendationsView
from recommender.api.search import PhotoSearchView

router = SimpleRouter()
router.register("products", ProductViewSet, basename="product")

app_name = "recommender-api"

urlpatterns = [
    path("search/photo/", PhotoSearchView.as_view(), name="search-photo"),
    path("recommendations/", RecommendationsView.as_view(), name="recommendations"),
    path("events/", EventsView.as_view(), name="events"),
    path("metrics/recommendations/", RecommendationMetricsView.as_view(), name="metrics-recommendations"),
    path("experiments/", ExperimentsView.as_view(), name="experiments"),
    path("experiments/<int:pk>/", ExperimentView.as_view(), name="experiment"),
    path("experiments/<int:pk>/start/", ExperimentActionView.as_view(action="start"), name="experiment-start"),
    path("experiments/<int:pk>/stop/", ExperimentActionView.as_view(action="stop"), name="experiment-stop"),
    path("experiments/<int:pk>/results/", ExperimentResultsView.as_view(), name="experiment-results"),
    path("", include(router.urls)),
]
