"""The recommender API's routes, included at /api/ by the project urls. Add a line per endpoint."""

from django.urls import path

from recommender.api.search import PhotoSearchView

app_name = "recommender-api"

urlpatterns = [
    path("search/photo/", PhotoSearchView.as_view(), name="search-photo"),
]
