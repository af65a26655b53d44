"""The recommender's JSON API (DRF), mounted at /api/ by the project urls. One module per resource."""
