"""The recommender's storefront pages, included at the site root by the project urls."""

from django.urls import path

from recommender.views import photo_search_page

app_name = "recommender"

urlpatterns = [
    path("search/photo/", photo_search_page, name="search-photo"),
]
