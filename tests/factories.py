"""factory_boy factories for the catalogue and users."""

import io
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from PIL import Image

from shop.catalog.models import Category, Product, ProductImage, Variant


def jpeg_bytes(colour=(200, 40, 40), size=(64, 64)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="JPEG")
    return buffer.getvalue()


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"shopper{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("correct horse battery")


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Product {n}")
    slug = factory.Sequence(lambda n: f"product-{n}")
    brand = "Vitrine"
    category = factory.SubFactory(CategoryFactory)
    price = Decimal("29.99")
    base_colour = "Blue"


class VariantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Variant

    product = factory.SubFactory(ProductFactory)
    size = factory.Sequence(lambda n: f"S{n}")
    sku = factory.Sequence(lambda n: f"SKU-{n:06d}")
    stock = 5


class ProductImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductImage

    product = factory.SubFactory(ProductFactory)
    image = factory.LazyFunction(lambda: ContentFile(jpeg_bytes(), name="photo.jpg"))


def product_with_sizes(*, sizes=(("S", 5), ("M", 5)), image=True, **fields):
    """A product with a variant per (size, stock) and, by default, one photo."""
    product = ProductFactory(**fields)
    for position, (size, stock) in enumerate(sizes):
        VariantFactory(product=product, size=size, stock=stock, position=position)
    if image:
        ProductImageFactory(product=product)
    return product


class CartFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cart.Cart"

    user = factory.SubFactory(UserFactory)


class CartItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cart.CartItem"

    cart = factory.SubFactory(CartFactory)
    variant = factory.SubFactory(VariantFactory)
    quantity = 1


class LikeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "accounts.Like"

    user = factory.SubFactory(UserFactory)
    product = factory.SubFactory(ProductFactory)


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "orders.Order"

    user = factory.SubFactory(UserFactory)
    email = factory.LazyAttribute(lambda o: o.user.email)
    full_name = "Ada Lovelace"
    address_line1 = "1 Example Street"
    city = "London"
    postcode = "N1 1AA"
    country = "United Kingdom"
    currency = "EUR"
    total = Decimal("29.99")
    idempotency_key = factory.Faker("uuid4", cast_to=None)


class OrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "orders.OrderLine"

    order = factory.SubFactory(OrderFactory)
    variant = factory.SubFactory(VariantFactory)
    product = factory.LazyAttribute(lambda line: line.variant.product)
    product_name = factory.LazyAttribute(lambda line: line.variant.product.name)
    size = factory.LazyAttribute(lambda line: line.variant.size)
    sku = factory.LazyAttribute(lambda line: line.variant.sku)
    unit_price = Decimal("29.99")
    quantity = 1
