"""GET /api/products/ (filterable, paginated list), /api/products/{id}/ and /api/products/{id}/similar/.

Both lists take the same filters (recommender.api.queries: category with sub-categories, gender, a size in
stock, price range), validated the same way: a bad value is a 400 naming the parameter. The list also takes
``colour``; similar takes ``k`` and answers a bare list of at most k items, nearest first: one pgvector query,
exact when the filter is selective, HNSW otherwise (recommender.vectors.nearest). Similar leaves out what a
staff exclusion removes (recommender.merchandising.lists); the list and search do not: excluded products stay in
the catalogue.
"""

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from recommender.api.errors import error_responses
from recommender.api.queries import CatalogueFilters, TextFilter
from recommender.api.serializers import ProductSerializer, ScoredProductSerializer
from recommender.merchandising.lists import exclusions_live, similar_excluded
from recommender.vectors.store import active_product_vector, encoder_for_serving
from recommender.vectors.nearest import ProductFilters, nearest_products
from shop.catalog.models import Product, Variant
from shop.catalog.selectors import category_subtree_q


BIGINT_MAX = 2**63 - 1


class ProductListQuery(CatalogueFilters):
    colour = TextFilter(max_length=50, required=False, help_text="base colour, any case (blank: any)")


class SimilarQuery(CatalogueFilters):
    k = serializers.IntegerField(min_value=1, max_value=50, default=12, help_text="how many products")


def product_id(segment: str) -> int:
    """The product id a URL names: ASCII digits within a bigint, else 404 as for an unknown product."""
    if not (segment.isascii() and segment.isdigit()) or int(segment) > BIGINT_MAX:
        raise NotFound("No such product.")
    return int(segment)


def products_filtered(products: QuerySet, filters: ProductFilters, *, colour: str = "") -> QuerySet:
    if filters.category_id is not None:
        products = products.filter(category_subtree_q(filters.category_id))
    if filters.gender:
        products = products.filter(gender=filters.gender)
    if colour.strip():
        products = products.filter(base_colour__iexact=colour.strip())
    if filters.price_min is not None:
        products = products.filter(price__gte=filters.price_min)
    if filters.price_max is not None:
        products = products.filter(price__lte=filters.price_max)
    if filters.size:
        products = products.filter(
            Exists(Variant.objects.filter(product=OuterRef("pk"), size=filters.size, stock__gt=0))
        )
    return products


@extend_schema_view(
    list=extend_schema(parameters=[ProductListQuery], responses={200: ProductSerializer(many=True),
                                                                  **error_responses(400, 404)}),
    retrieve=extend_schema(responses={200: ProductSerializer, **error_responses(404)}),
)
class ProductViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ProductSerializer
    filter_backends = []  # the filters are ProductListQuery's, checked like similar's
    # Any segment reaches the view, so a bad id is this API's JSON 404 (`product_id`), not the URL resolver's.
    lookup_value_regex = r"[^/]+"
    queryset = Product.objects.active().for_listing().order_by("-created_at", "-id")

    def get_object(self):
        product_id(self.kwargs["pk"])
        try:
            return super().get_object()
        except Http404:
            raise NotFound("No such product.") from None

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        query = ProductListQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return products_filtered(queryset, query.product_filters(), colour=query.validated_data.get("colour", ""))

    @extend_schema(
        parameters=[SimilarQuery],
        responses={200: ScoredProductSerializer(many=True), **error_responses(400, 404)},
        description="Up to k products that look like this one (image vectors), nearest first, with optional "
                    "filters. A bare list, not paginated. 404 for an unknown product or one without an image "
                    "vector yet.",
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def similar(self, request, pk=None):
        query = SimilarQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        # Not get_object(): the filters describe the neighbours, not this product; and only its name is
        # needed here, not the listing bundle's images and variants.
        anchor = product_id(pk)
        encoder = encoder_for_serving()
        found = active_product_vector(product_id=anchor, encoder=encoder)
        if found is None:
            raise NotFound("No such product.")
        name, vector = found
        if vector is None:
            raise NotFound("This product has no image vector yet; try again in a minute.")
        k = query.validated_data["k"]
        # Staff exclusions hold here too (recommender.merchandising): ask for more, so the list stays k long.
        excluding = exclusions_live()
        rows = nearest_products(vector=vector, encoder=encoder, k=min(2 * k, 100) if excluding else k,
                                filters=query.product_filters(), exclude=anchor)
        products = Product.objects.for_listing().in_bulk([pid for pid, _ in rows] + ([anchor] if excluding else []))
        dropped = similar_excluded(anchor_id=anchor, products=products) if excluding else set()
        payload = [
            {"product": products[pid], "score": round(1.0 - distance, 4), "reason": f"Looks like {name}",
             "source": "visual"}
            for pid, distance in rows if pid in products and pid not in dropped
        ][:k]
        return Response(ScoredProductSerializer(payload, many=True, context={"request": request}).data)
