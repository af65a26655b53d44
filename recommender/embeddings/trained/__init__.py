"""A shop-trained encoder version as it serves: its weights' path, its model (the Lite0 trunk with the learned
embedding and label heads) and its vectors and predicted attributes. Trained and promoted by
recommender.encoder_training; only `model` loads torch, when a trained version is built."""
