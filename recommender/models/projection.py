"""A learned projection of one encoder's image vectors (see recommender.vectors.projection for the method).

One row per `learn_projection` run; the newest row for an encoder is the one in use. `matrix` holds float32
[output_dim, input_dim] row-major bytes and `mean` float32 [input_dim]: serving vector = normalise(matrix ·
(normalise(v) - mean)). `held_out` records how it was measured: fitted on the training half of the products,
P@10 on the held-out half, raw and projected side by side.
"""

import numpy as np
from django.db import models


class VisualProjection(models.Model):
    encoder = models.CharField(max_length=40, help_text="the encoder whose product vectors it applies to")
    method = models.CharField(max_length=40, default="lda")
    params = models.JSONField(default=dict, blank=True, help_text="hyper-parameters, e.g. {\"shrinkage\": 0.2}")
    input_dim = models.PositiveIntegerField()
    output_dim = models.PositiveIntegerField()
    matrix = models.BinaryField(help_text="float32 [output_dim, input_dim], row-major")
    mean = models.BinaryField(help_text="float32 [input_dim], subtracted before the matrix")
    products = models.PositiveIntegerField(help_text="products it was fitted on (every categorised one)")
    categories = models.PositiveIntegerField(help_text="categories among them")
    split = models.CharField(max_length=200, blank=True, help_text="how the held-out figures were measured")
    held_out = models.JSONField(default=dict, blank=True,
                                help_text="fitted on the training half, measured on the held-out half")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-id")
        get_latest_by = "created_at"
        indexes = [models.Index(fields=["encoder", "-created_at"])]

    def __str__(self):
        return f"{self.method} projection of {self.encoder} ({self.input_dim} -> {self.output_dim})"

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        matrix = np.frombuffer(bytes(self.matrix), dtype=np.float32).reshape(self.output_dim, self.input_dim)
        return matrix, np.frombuffer(bytes(self.mean), dtype=np.float32)
