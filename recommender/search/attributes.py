"""What a trained encoder version reads off a photo: attributes for one-click filters and the ranking prior.

In: a decoded PIL image and the encoder answering the search (a trained version, or its compact form
"lite0-shop-1-pca256"). Out: ``photo_attributes`` -> ``PhotoAttributes`` (per head the best value and its confidence,
and the probabilities the prior reads) or None for an encoder without label heads (the ImageNet lite0).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from recommender.embeddings.trained.served import available, predict, predicted_for_prior
from recommender.vectors.compact import compact_source

# A prediction below this confidence is not offered as a filter (it is still a weak prior).
MIN_CONFIDENCE = 0.35
FILTER_HEADS = ("colour", "category", "department")


@dataclass
class PhotoAttributes:
    best: dict[str, tuple[str, float]] = field(default_factory=dict)  # head -> (value, confidence)
    prior: dict | None = None  # recommender.search.prior's ``predicted`` for this one photo (row 0)

    def offered(self) -> list[tuple[str, str, float]]:
        """(head, value, confidence) worth a one-click filter, in the order a shopper reads them."""
        return [(head, *self.best[head]) for head in FILTER_HEADS
                if head in self.best and self.best[head][1] >= MIN_CONFIDENCE]


def trained_source(encoder: str | None) -> str | None:
    """The trained version behind an encoder name (itself, or a compact form's source), else None."""

    if not encoder:
        return None
    source = compact_source(encoder) or encoder
    return source if available(source) else None


def photo_attributes(image, *, encoder: str | None) -> PhotoAttributes | None:
    source = trained_source(encoder)
    if source is None:
        return None
    row = predict(source, [image], top=1)[0]
    return PhotoAttributes(best={head: values[0] for head, values in row.items() if values},
                           prior=predicted_for_prior(source, [image]))
