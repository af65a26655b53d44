"""Metadata suggestions from a product's photo, for staff: what the trained encoder's label heads read off it.

In: a product (its first image file) and the trained encoder to ask (the serving version, else the newest one with
weights). Out: ``product_suggestions`` -> ``Suggestion`` per field the product lacks (leaf category, base colour,
usage, season, an ``attributes`` key), best value first with its confidence; ``suggestion_accept`` writes one.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from recommender.conf import recommender_setting
from recommender.embeddings.trained.served import available, loaded, predict
from recommender.encoder_training.evaluate import load
from recommender.models import EncoderVersion
from shop.catalog.models import Category, Product

FIELDS = {"category": "category", "colour": "base_colour", "usage": "usage", "season": "season"}


@dataclass(frozen=True)
class Suggestion:
    head: str  # the label head: category, colour, usage, season, attr:<key>
    field: str  # what accepting it writes: a Product field, or attributes.<key>
    value: str
    confidence: float

    @property
    def confidence_percent(self) -> int:
        return round(self.confidence * 100)


def suggestion_encoder() -> str | None:
    serving = recommender_setting("ENCODER")
    if available(serving):
        return serving
    for name in EncoderVersion.objects.values_list("name", flat=True):
        if available(name):
            return name
    return None


def missing_heads(product) -> list[str]:
    heads = [head for head, name in FIELDS.items() if not (product.category_id if head == "category"
                                                            else getattr(product, name))]
    return heads


def product_suggestions(product, *, encoder: str | None = None) -> list[Suggestion]:
    encoder = encoder or suggestion_encoder()
    image = product.images.order_by("position", "pk").first()
    if encoder is None or image is None:
        return []
    try:
        photo = load(image.image.path)
    except (OSError, ValueError, NotImplementedError):
        return []
    model = loaded(encoder)
    wanted = missing_heads(product)
    wanted += [head for head in model.vocabs if head.startswith("attr:")
               and not (product.attributes or {}).get(head[5:])]
    row = predict(encoder, [photo], top=1)[0]
    out = []
    for head in wanted:
        if head in row and row[head]:
            value, confidence = row[head][0]
            field = FIELDS.get(head, f"attributes.{head[5:]}")
            out.append(Suggestion(head, field, value, confidence))
    return out


class SuggestionRefused(ValueError):
    pass


def suggestion_accept(*, product_id: int, field: str, value: str) -> None:
    """Write one suggested value; the field must still be empty (a suggestion never overwrites what staff set)."""

    with transaction.atomic():
        product = Product.objects.select_for_update().get(pk=product_id)
        if field == "category":
            leaf = Category.objects.filter(name=value, children__isnull=True).first()
            if leaf is None:
                raise SuggestionRefused(f"no leaf category named {value!r}")
            if product.category_id:
                raise SuggestionRefused("the product has a category already")
            product.category = leaf
            product.save(update_fields=["category", "updated_at"])
        elif field in FIELDS.values():
            if getattr(product, field):
                raise SuggestionRefused(f"the product's {field} is set already")
            setattr(product, field, value[:40])
            product.save(update_fields=[field, "updated_at"])
        elif field.startswith("attributes."):
            key = field.split(".", 1)[1]
            attributes = dict(product.attributes or {})
            if attributes.get(key):
                raise SuggestionRefused(f"the product's {key} is set already")
            attributes[key] = value
            product.attributes = attributes
            product.save(update_fields=["attributes", "updated_at"])
        else:
            raise SuggestionRefused(f"{field!r} cannot be suggested")
