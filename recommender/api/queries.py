"""Query parameters shared by the API's endpoints, validated by serializers that drf-spectacular documents.

In: request.query_params. Out: validated values, or a 400 naming the field. Every rule is one the schema
states (type, enum, minimum, maximum, length, pattern), so a request the schema calls valid is accepted:

- ``category``: one of the shop's category slugs (the schema lists them as an enum, read when the schema is
  made); the category and everything below it. Validated to the category's id.
- ``gender``: one of the departments.
- ``size``: products in stock in this size; up to 20 characters, no NUL; blank means any size.
- ``price_min`` / ``price_max``: a number from 0 to MAX_PRICE. Prices have cents, so a bound with more decimals
  is rounded inwards (price_min up, price_max down), which selects the same products. A minimum above the
  maximum is an empty range: it matches nothing (not an error: the schema cannot say one parameter must not
  exceed another).
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_choice_field
from django.db import DatabaseError, transaction
from rest_framework import serializers

from recommender.api.inputs import Input
from recommender.vectors.nearest import ProductFilters
from shop.catalog.models import Category, Gender
from shop.core import safe_json

MAX_PRICE = Decimal("100000000")
CENT = Decimal("0.01")
NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL; DRF refuses it, so the schema says so


class CategoryField(serializers.ChoiceField):
    """A slug of an existing category; validated to its id. The slugs are read when a request names a category
    (one query) and when the schema is made, not for every request that binds the serializer."""

    def __init__(self, **kwargs):
        super().__init__(choices=[], **kwargs)
        self.ids: dict[str, int] | None = None

    def load(self) -> None:
        try:
            with transaction.atomic():  # a savepoint: the caller's transaction stays usable
                self.ids = dict(Category.objects.order_by("slug").values_list("slug", "pk"))
        except DatabaseError:
            # Without a database (`check --deploy` generating the schema before deployment) there are no
            # slugs to list; a request in that state fails on its own with the outage's 503.
            self.ids = {}
        self.choices = list(self.ids)

    def to_internal_value(self, data):
        if self.ids is None:
            self.load()
        return self.ids[super().to_internal_value(data)]


class CategoryFieldExtension(OpenApiSerializerFieldExtension):
    """Its schema: a string enum of the shop's category slugs as they are when the schema is made."""

    target_class = CategoryField

    def map_serializer_field(self, auto_schema, direction):
        self.target.load()
        return build_choice_field(self.target)


class PriceField(serializers.DecimalField):
    def __init__(self, *, rounding: str, **kwargs):
        super().__init__(max_digits=None, decimal_places=None, min_value=Decimal(0), max_value=MAX_PRICE,
                         coerce_to_string=False, **kwargs)
        self.rounding = rounding

    def run_validation(self, data=serializers.empty):
        value = super().run_validation(data)  # in range first: a huge exponent cannot be quantized
        return value if value is None else value.quantize(CENT, rounding=self.rounding)


class TextFilter(serializers.Field):
    """Free text up to `max_length` characters, blank meaning no filter, kept as sent (the caller trims it) so
    its length is the one the schema states. Not a CharField: drf-spectacular would describe a blank-or-pattern
    string as a `oneOf` in which "" matches both branches, which makes "" invalid."""

    def __init__(self, *, max_length: int, **kwargs):
        super().__init__(**kwargs)
        self.max_length = max_length

    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise serializers.ValidationError("Expected a string.", code="invalid")
        if len(data) > self.max_length:
            raise serializers.ValidationError(f"At most {self.max_length} characters.", code="max_length")
        if "\x00" in data:
            raise serializers.ValidationError("Null characters are not allowed.", code="null_characters_not_allowed")
        return data

    def to_representation(self, value):
        return value


class TextFilterExtension(OpenApiSerializerFieldExtension):
    """Its schema: a string of at most max_length characters without NUL, blank allowed."""

    target_class = TextFilter
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        return {"type": "string", "maxLength": self.target.max_length, "pattern": NO_NUL}


class CatalogueFilters(Input):
    category = CategoryField(required=False, help_text="a category slug; the category and everything below it")
    gender = serializers.ChoiceField(choices=Gender.choices, required=False)
    size = TextFilter(max_length=20, required=False, help_text="only products in stock in this size (blank: any)")
    price_min = PriceField(rounding=ROUND_CEILING, required=False, help_text="lowest price, inclusive")
    price_max = PriceField(
        rounding=ROUND_FLOOR, required=False,
        help_text="highest price, inclusive; below price_min the range is empty and nothing matches",
    )

    def product_filters(self) -> ProductFilters:
        data = self.validated_data
        return ProductFilters(
            category_id=data.get("category"), gender=data.get("gender"), size=(data.get("size") or "").strip() or None,
            price_min=data.get("price_min"), price_max=data.get("price_max"),
        )



class JSONObjectField(serializers.Field):
    """A form field holding one JSON object, decoded through shop.core.safe_json (at most `max_bytes`, nested at
    most safe_json.MAX_DEPTH levels): deep, huge or malformed JSON is a 400 naming the field."""

    def __init__(self, *, max_bytes: int, **kwargs):
        super().__init__(**kwargs)
        self.max_bytes = max_bytes

    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise serializers.ValidationError("Expected a JSON object as text.", code="invalid")
        try:
            value = safe_json.loads(data, max_bytes=self.max_bytes, what=self.field_name or "The field")
        except safe_json.JSONRejected as rejected:
            raise serializers.ValidationError(rejected.message, code=rejected.code) from None
        if not isinstance(value, dict):
            raise serializers.ValidationError("Expected a JSON object.", code="invalid")
        return value

    def to_representation(self, value):
        return value
