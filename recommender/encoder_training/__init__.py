"""Training the shop's own image encoder on its catalogue (train_encoder): data, augmentation, the loop, the
held-out evaluation, registered versions and their promotion. Offline learning: it sits above search and
evaluation, and what serves a promoted version lives in recommender.embeddings.trained."""
