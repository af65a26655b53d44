"""The catalogue: a category tree, products, their variants (size + stock) and images."""

import hashlib

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.text import slugify

from .querysets import CategoryQuerySet, ProductQuerySet


class Category(models.Model):
    """A node in the tree, e.g. Apparel > Topwear > Tshirts. Slugs are unique across the tree."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=120, unique=True)
    parent = models.ForeignKey("self", null=True, blank=True, related_name="children", on_delete=models.PROTECT)
    position = models.PositiveSmallIntegerField(default=0)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "categories"
        ordering = ("position", "name")
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="category_unique_name_per_parent"),
            models.UniqueConstraint(
                fields=["name"], condition=models.Q(parent__isnull=True), name="category_unique_root_name"
            ),
        ]

    def __str__(self):
        return " > ".join(c.name for c in self.ancestors(include_self=True))

    def ancestors(self, *, include_self=False):
        """Root first. Walks parents already loaded by select_related; the tree is at most a few levels deep."""
        chain, node = [], self if include_self else self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return list(reversed(chain))

    def get_absolute_url(self):
        return reverse("catalog:category", kwargs={"slug": self.slug})


class Gender(models.TextChoices):
    MEN = "men", "Men"
    WOMEN = "women", "Women"
    BOYS = "boys", "Boys"
    GIRLS = "girls", "Girls"
    UNISEX = "unisex", "Unisex"


class Product(models.Model):
    # Set by importers (e.g. the Kaggle id) so re-imports update instead of duplicating.
    external_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    description = models.TextField(blank=True)
    brand = models.CharField(max_length=100, blank=True, db_index=True)
    category = models.ForeignKey(Category, related_name="products", on_delete=models.PROTECT)
    gender = models.CharField(max_length=10, choices=Gender.choices, default=Gender.UNISEX)
    base_colour = models.CharField(max_length=40, blank=True)
    season = models.CharField(max_length=20, blank=True)
    usage = models.CharField(max_length=40, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    # Free-form descriptive facets: pattern, fabric, style, sleeve, fit ...
    attributes = models.JSONField(default=dict, blank=True)
    price = models.DecimalField(max_digits=10, decimal_places=2, validators=[MinValueValidator(0)])
    currency = models.CharField(max_length=3, default=settings.SHOP_CURRENCY)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProductQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(fields=["category", "is_active"]),
            models.Index(fields=["gender", "is_active"]),
            models.Index(fields=["base_colour"]),
            models.Index(fields=["price"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(price__gte=0), name="product_price_not_negative"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("catalog:product", kwargs={"slug": self.slug})

    @property
    def primary_image(self):
        """The first image: from for_listing()'s subquery when it loaded one (an unsaved ProductImage that knows its
        id, file and alt text: what a card shows), else from the images (prefetched by for_detail())."""
        if hasattr(self, "card_image"):
            card = self.card_image
            return None if card is None else ProductImage(id=card["id"], product=self, image=card["image"],
                                                          alt_text=card["alt"])
        images = list(self.images.all())
        return images[0] if images else None

    @property
    def sizes_in_stock(self) -> list[str]:
        """Sizes with stock, in the variants' order: for_listing()'s subquery when it loaded them."""
        if hasattr(self, "card_sizes"):
            return list(self.card_sizes)
        return [v.size for v in self.variants.all() if v.stock > 0]

    @property
    def in_stock(self):
        return bool(self.sizes_in_stock)

    @staticmethod
    def unique_slug(name: str, *, suffix: str = "") -> str:
        base = slugify(name)[:200] or "product"
        return f"{base}-{suffix}" if suffix else base


class Variant(models.Model):
    product = models.ForeignKey(Product, related_name="variants", on_delete=models.CASCADE)
    size = models.CharField(max_length=20)
    sku = models.CharField("SKU", max_length=64, unique=True)
    stock = models.IntegerField(default=0, validators=[MinValueValidator(0)])
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("position", "id")
        indexes = [models.Index(fields=["size", "stock"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(stock__gte=0), name="variant_stock_not_negative"),
            models.UniqueConstraint(fields=["product", "size"], name="variant_unique_size_per_product"),
        ]

    def __str__(self):
        return f"{self.product} – {self.size}"


def product_image_path(instance, filename):
    return f"products/{filename}"


class ProductImage(models.Model):
    product = models.ForeignKey(Product, related_name="images", on_delete=models.CASCADE)
    image = models.ImageField(upload_to=product_image_path, max_length=255)
    position = models.PositiveSmallIntegerField(default=0)
    alt_text = models.CharField(max_length=200, blank=True)
    # Of the stored bytes: lets embeddings tell a replaced file from the one they were computed on.
    sha256 = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("position", "id")

    def __str__(self):
        return self.alt_text or self.image.name

    def save(self, *args, **kwargs):
        # Always from the bytes: FieldFile.save() stores a new file before calling this, so
        # "uncommitted" cannot tell a replaced file from an unchanged one.
        if self.image:
            self.sha256 = sha256_of_file(self.image)
        if not self.alt_text and self.product_id:
            self.alt_text = self.product.name[:200]
        super().save(*args, **kwargs)


def sha256_of_file(file) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in iter(lambda: file.read(1 << 16), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()
