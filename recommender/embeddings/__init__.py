"""Image embeddings: safe loading (``loading``) and encoders (``encoders``); the pgvector store lives beside them.

Importing this package is cheap: torch (and OpenVINO) load only when an encoder is first built.
"""
