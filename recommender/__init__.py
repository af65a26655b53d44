"""The recommender: embeddings, behaviour signals, ranking. Listens to the shop's events; the shop never imports it."""
