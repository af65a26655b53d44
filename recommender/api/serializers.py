"""Serializers shared by the API's endpoints. Products come from for_listing(): no per-row queries."""

from rest_framework import serializers

from shop.catalog.models import Product


class ProductSerializer(serializers.ModelSerializer):
    url = serializers.CharField(source="get_absolute_url", read_only=True)
    category = serializers.CharField(source="category.name", read_only=True)
    category_slug = serializers.CharField(source="category.slug", read_only=True)
    image = serializers.SerializerMethodField()
    sizes_in_stock = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = (
            "id", "name", "slug", "url", "brand", "category", "category_slug", "gender", "base_colour",
            "price", "currency", "attributes", "image", "sizes_in_stock",
        )

    def get_image(self, product) -> str | None:
        image = product.primary_image
        if image is None:
            return None
        request = self.context.get("request")
        return request.build_absolute_uri(image.image.url) if request else image.image.url

    def get_sizes_in_stock(self, product) -> list[str]:
        return product.sizes_in_stock


class ScoredProductSerializer(serializers.Serializer):
    product = ProductSerializer()
    score = serializers.FloatField(help_text="blended score in [0, 1] (similar: cosine similarity)")
    reason = serializers.CharField()
    source = serializers.CharField(help_text="the evidence behind the reason (visual, co_buy, ...), or merchandising "
                                             "for an item staff pinned or hand-picked")
