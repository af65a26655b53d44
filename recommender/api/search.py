"""POST /api/search/photo/: search the catalogue with a photo (multipart).

Fields: ``image`` (the photo), optional filters as fields or as one JSON object ``filters`` ({"category": slug,
"gender", "size", "price_min", "price_max"}; at most FILTERS_MAX_BYTES, decoded through shop.core.safe_json; its
values win over the same fields given one by one), ``keep`` (opt in to storing the upload; default false: it
is processed in memory and dropped). The filters follow the same rules as /api/products/ and /similar/
(recommender.api.queries).
Answers 200 with the nearest products, the predicted category and its confidence; 400 naming the field for
a bad filter, or with the loader's code and reason for anything that is not a usable image (empty, not an
image, truncated, a bomb, over 10 MiB); 413 for a form over DATA_UPLOAD_MAX_MEMORY_SIZE; 429 with
Retry-After past PHOTO_SEARCH_RATE per client.
"""

from drf_spectacular.utils import OpenApiRequest, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from recommender.api.errors import error_responses
from recommender.api.parsers import CappedFormParser
from recommender.api.queries import CatalogueFilters, JSONObjectField
from recommender.embeddings.loading import ImageRejected
from recommender.search.services import photo_search_run
from recommender.api.photo_throttle import PhotoSearchThrottle

FILTERS_MAX_BYTES = 4 * 1024  # five short filters fit in a few hundred bytes
IMAGE_TYPES = "image/jpeg, image/png, image/webp, image/gif"


@extend_schema_field(CatalogueFilters)
class FiltersJSON(JSONObjectField):
    pass


class PhotoSearch(CatalogueFilters):
    image = serializers.FileField(allow_empty_file=True, help_text="JPEG, PNG, WebP or GIF, at most 10 MiB",
                                  error_messages={"required": "An image is required: the photo to search with."})
    filters = FiltersJSON(required=False, max_bytes=FILTERS_MAX_BYTES,
                          help_text=f"the same filters as one JSON object (at most {FILTERS_MAX_BYTES:,} bytes)")
    keep = serializers.BooleanField(required=False, default=False, help_text="store the upload (opt-in)")

    def validate(self, attrs):
        # The object's filters are checked as the fields are (JSON types included), then win over them.
        extra = attrs.pop("filters", None)
        if extra:
            given = CatalogueFilters(data=extra)
            if not given.is_valid():
                raise serializers.ValidationError({"filters": given.errors})
            attrs.update(given.validated_data)
        return attrs


class ProductHit(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    url = serializers.CharField(source="get_absolute_url")
    price = serializers.DecimalField(max_digits=10, decimal_places=2)
    currency = serializers.CharField()
    category = serializers.CharField(source="category.name")
    image = serializers.SerializerMethodField()
    in_stock = serializers.BooleanField()
    similarity = serializers.FloatField()

    def get_image(self, product) -> str | None:
        image = product.primary_image
        return self.context["request"].build_absolute_uri(image.image.url) if image else None


class PhotoSearchView(APIView):
    parser_classes = [MultiPartParser, CappedFormParser]
    throttle_classes = [PhotoSearchThrottle]

    @extend_schema(
        request={"multipart/form-data": OpenApiRequest(
            PhotoSearch, encoding={"image": {"contentType": IMAGE_TYPES},
                                          "filters": {"contentType": "application/json"}},
        )},
        responses={
            200: inline_serializer("PhotoSearchResponse", {
                "results": ProductHit(many=True),
                "predicted_category": inline_serializer("PredictedCategory", {
                    "id": serializers.IntegerField(), "name": serializers.CharField(),
                    "slug": serializers.CharField(), "path": serializers.CharField(),
                }, allow_null=True),
                "confidence": serializers.FloatField(),
                "kept": serializers.BooleanField(),
            }),
            **error_responses(400, 413, 415, 429),
        },
        summary="Search the catalogue with a photo",
        description="400 codes for an unusable image: empty, unsupported_format, corrupt, decompression_bomb, "
                    "too_large (and the loader's other refusals); `invalid` for a bad field.",
    )
    def post(self, request):
        body = PhotoSearch(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            outcome = photo_search_run(
                upload=body.validated_data["image"], filters=body.product_filters(), keep=body.validated_data["keep"]
            )
        except ImageRejected as rejected:
            return Response({"detail": rejected.reason, "code": rejected.code}, status=400)
        category = outcome.category
        return Response({
            "results": ProductHit(outcome.products, many=True, context={"request": request}).data,
            "predicted_category": {
                "id": category.pk, "name": category.name, "slug": category.slug, "path": str(category),
            } if category else None,
            "confidence": round(outcome.confidence, 4),
            "kept": outcome.kept_as is not None,
        })
