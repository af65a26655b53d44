"""GET /api/products/ (filterable list), /api/products/{id}/ and /api/products/{id}/similar/.

similar: the k products nearest to this one's image vector, under the same filters as listings
(category with sub-categories, gender, a size in stock, price range): one pgvector query, exact
when the filter is selective, HNSW otherwise (recommender.search.vector_query).
"""

import django_filters
from django.db.models import Exists, OuterRef, Q
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from recommender.api.serializers import ProductSerializer, ScoredProductSerializer
from recommender.embeddings.store import encoder_for_serving
from recommender.facts import active_product_vector
from recommender.search.vector_query import ProductFilters, nearest_products
from shop.catalog.models import Category, Gender, Product, Variant


class ProductFilter(django_filters.FilterSet):
    category = django_filters.CharFilter(method="in_category", help_text="category slug, sub-categories included")
    gender = django_filters.ChoiceFilter(choices=Gender.choices)
    colour = django_filters.CharFilter(field_name="base_colour", lookup_expr="iexact")
    price_min = django_filters.NumberFilter(field_name="price", lookup_expr="gte")
    price_max = django_filters.NumberFilter(field_name="price", lookup_expr="lte")
    size = django_filters.CharFilter(method="in_stock_in_size", help_text="only products in stock in this size")

    class Meta:
        model = Product
        fields = ["category", "gender", "colour", "price_min", "price_max", "size"]

    def in_category(self, queryset, name, value):
        # The tree is at most three levels deep.
        return queryset.filter(
            Q(category__slug=value) | Q(category__parent__slug=value) | Q(category__parent__parent__slug=value)
        )

    def in_stock_in_size(self, queryset, name, value):
        return queryset.filter(Exists(Variant.objects.filter(product=OuterRef("pk"), size=value, stock__gt=0)))


class SimilarQuery(serializers.Serializer):
    k = serializers.IntegerField(min_value=1, max_value=50, default=12)
    category = serializers.SlugField(required=False)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False)
    size = serializers.CharField(required=False, max_length=20)
    price_min = serializers.DecimalField(required=False, max_digits=10, decimal_places=2, min_value=0)
    price_max = serializers.DecimalField(required=False, max_digits=10, decimal_places=2, min_value=0)

    def validate(self, data):
        if "price_min" in data and "price_max" in data and data["price_min"] > data["price_max"]:
            raise serializers.ValidationError("price_min is above price_max")
        if "category" in data:
            category = Category.objects.filter(slug=data["category"]).values_list("pk", flat=True).first()
            if category is None:
                raise serializers.ValidationError({"category": "no such category"})
            data["category_id"] = category
        return data


class ProductViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ProductSerializer
    filterset_class = ProductFilter
    # Ids are digits: anything else is a 404 at the router (it was a ValueError, a 500, in `similar`).
    lookup_value_regex = r"[0-9]+"
    queryset = Product.objects.active().for_listing().order_by("-created_at", "-id")

    @extend_schema(
        parameters=[SimilarQuery],
        responses=ScoredProductSerializer(many=True),
        description="Products that look like this one (image vectors), with optional filters.",
    )
    @action(detail=True, methods=["get"])
    def similar(self, request, pk=None):
        # Not get_object(): the list filters (price, size...) describe the neighbours, not this product; and
        # only its name is needed here, not the listing bundle's images and variants.
        encoder = encoder_for_serving()
        found = active_product_vector(product_id=int(pk), encoder=encoder)
        if found is None:
            raise NotFound("No such product.")
        name, vector = found
        query = SimilarQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        if vector is None:
            raise NotFound("This product has no image vector yet; try again in a minute.")
        filters = ProductFilters(
            category_id=params.get("category_id"), gender=params.get("gender"), size=params.get("size"),
            price_min=params.get("price_min"), price_max=params.get("price_max"),
        )
        rows = nearest_products(vector=vector, encoder=encoder, k=params["k"], filters=filters, exclude=int(pk))
        products = Product.objects.for_listing().in_bulk([pid for pid, _ in rows])
        payload = [
            {"product": products[pid], "score": round(1.0 - distance, 4), "reason": f"Looks like {name}",
             "source": "visual"}
            for pid, distance in rows if pid in products
        ]
        return Response(ScoredProductSerializer(payload, many=True, context={"request": request}).data)
