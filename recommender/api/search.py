"""POST /api/search/photo/: search the catalogue with a photo (multipart).

Fields: ``image`` (the photo), optional filters as fields or as one JSON object ``filters``
({"category": slug, "gender", "size", "price_min", "price_max"}), ``keep`` (opt in to storing the
upload; default false: it is processed in memory and dropped).
Answers 200 with the nearest products, the predicted category and its confidence; 400 with the
loader's reason for anything that is not a usable image (empty, not an image, truncated, a bomb,
over 10 MiB); 429 with Retry-After past PHOTO_SEARCH_RATE per client.
"""

import json

from django.http import QueryDict
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from recommender.embeddings.loading import ImageRejected
from recommender.search.forms import PhotoSearchForm
from recommender.search.services import photo_search_run
from recommender.search.throttle import PhotoSearchThrottle
from shop.catalog.models import Gender

FILTER_FIELDS = ("category", "gender", "size", "price_min", "price_max")


class PhotoSearchRequest(serializers.Serializer):
    image = serializers.FileField(allow_empty_file=True, help_text="JPEG, PNG, WebP or GIF, at most 10 MiB")
    category = serializers.SlugField(required=False, help_text="category slug; includes its sub-categories")
    gender = serializers.ChoiceField(choices=Gender.choices, required=False)
    size = serializers.CharField(required=False, max_length=20, help_text="only products in stock in this size")
    price_min = serializers.DecimalField(required=False, max_digits=10, decimal_places=2, min_value=0)
    price_max = serializers.DecimalField(required=False, max_digits=10, decimal_places=2, min_value=0)
    filters = serializers.CharField(required=False, help_text="the same filters as one JSON object")
    keep = serializers.BooleanField(required=False, default=False, help_text="store the upload (opt-in)")


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
    parser_classes = [MultiPartParser, FormParser]
    throttle_classes = [PhotoSearchThrottle]

    @extend_schema(
        request={"multipart/form-data": PhotoSearchRequest},
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
            400: inline_serializer("PhotoSearchError", {"detail": serializers.CharField(), "code": serializers.CharField()}),
        },
        summary="Search the catalogue with a photo",
    )
    def post(self, request):
        # Only the text fields: copying request.data would deep-copy the uploaded file too.
        data = QueryDict(mutable=True)
        for name in request.data:
            if name not in request.FILES:
                data.setlist(name, request.data.getlist(name))
        raw_filters = data.get("filters")
        if raw_filters:
            try:
                extra = json.loads(raw_filters)
            except ValueError:
                return _error("invalid_filters", "filters is not a JSON object.")
            if not isinstance(extra, dict):
                return _error("invalid_filters", "filters is not a JSON object.")
            for name in FILTER_FIELDS:
                if extra.get(name) not in (None, ""):
                    data[name] = str(extra[name])
        form = PhotoSearchForm(data=data, files=request.FILES)
        if not form.is_valid():
            errors = form.errors.get_json_data()
            first = next(iter(errors.values()))[0]["message"]
            return Response({"detail": first, "code": "invalid", "errors": form.errors}, status=status.HTTP_400_BAD_REQUEST)
        try:
            outcome = photo_search_run(
                upload=form.cleaned_data["image"], filters=form.product_filters(), keep=form.cleaned_data["keep"]
            )
        except ImageRejected as rejected:
            return _error(rejected.code, rejected.reason)
        category = outcome.category
        return Response({
            "results": ProductHit(outcome.products, many=True, context={"request": request}).data,
            "predicted_category": {
                "id": category.pk, "name": category.name, "slug": category.slug, "path": str(category),
            } if category else None,
            "confidence": round(outcome.confidence, 4),
            "kept": outcome.kept_as is not None,
        })


def _error(code: str, detail: str) -> Response:
    return Response({"detail": detail, "code": code}, status=status.HTTP_400_BAD_REQUEST)
