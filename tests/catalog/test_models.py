import hashlib

import pytest
from django.db import IntegrityError, transaction

from shop.catalog.models import Category, Product
from tests.factories import (
    CategoryFactory, ProductFactory, ProductImageFactory, VariantFactory, jpeg_bytes,
)

pytestmark = pytest.mark.django_db


def test_stock_can_never_go_below_zero():
    variant = VariantFactory(stock=1)
    variant.stock = -1
    with pytest.raises(IntegrityError), transaction.atomic():
        variant.save()


def test_sku_is_unique_across_the_catalogue():
    VariantFactory(sku="TEE-RED-M")
    with pytest.raises(IntegrityError), transaction.atomic():
        VariantFactory(sku="TEE-RED-M")


def test_a_product_has_each_size_once():
    variant = VariantFactory(size="M")
    with pytest.raises(IntegrityError), transaction.atomic():
        VariantFactory(product=variant.product, size="M")


def test_price_cannot_be_negative():
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductFactory(price=-1)


def test_category_names_are_unique_under_one_parent_but_may_repeat_elsewhere():
    shoes, sandal = CategoryFactory(name="Shoes"), CategoryFactory(name="Sandal")
    CategoryFactory(name="Sandals", parent=shoes)
    CategoryFactory(name="Sandals", parent=sandal)
    with pytest.raises(IntegrityError), transaction.atomic():
        CategoryFactory(name="Sandals", parent=shoes)


def test_category_reads_as_its_path():
    apparel = CategoryFactory(name="Apparel")
    topwear = CategoryFactory(name="Topwear", parent=apparel)
    tshirts = CategoryFactory(name="Tshirts", parent=topwear)
    assert str(Category.objects.select_related("parent__parent").get(pk=tshirts.pk)) == "Apparel > Topwear > Tshirts"


def test_an_uploaded_image_records_the_sha256_of_its_bytes():
    image = ProductImageFactory()
    assert image.sha256 == hashlib.sha256(jpeg_bytes()).hexdigest()
    assert image.alt_text == image.product.name


def test_in_stock_is_true_when_any_size_has_stock():
    product = ProductFactory()
    VariantFactory(product=product, stock=0)
    assert not Product.objects.for_listing().get(pk=product.pk).in_stock
    VariantFactory(product=product, stock=2)
    assert Product.objects.for_listing().get(pk=product.pk).in_stock


@pytest.mark.parametrize("count", [3, 30])
def test_for_listing_loads_a_page_in_a_fixed_number_of_queries(count, django_assert_num_queries):
    for _ in range(count):
        product = ProductFactory()
        VariantFactory(product=product)
        ProductImageFactory(product=product)
    with django_assert_num_queries(1):
        cards = [(p.category.name, p.primary_image.image.url, p.in_stock, p.sizes_in_stock)
                 for p in Product.objects.for_listing()]
    assert len(cards) == count


def test_a_cards_image_and_sizes_are_the_ones_a_product_page_shows_first(django_assert_num_queries):
    """for_listing()'s subqueries answer what the related rows do: the first image by position (its file, id and
    alt text), the sizes in stock in the variants' order, none for a product without images or stock."""
    product = ProductFactory()
    later = ProductImageFactory(product=product, position=2, alt_text="back")
    first = ProductImageFactory(product=product, position=1, alt_text="front")
    for size, stock, position in (("L", 3, 2), ("S", 1, 0), ("M", 0, 1)):
        VariantFactory(product=product, size=size, stock=stock, position=position)
    bare = ProductFactory()
    with django_assert_num_queries(1):
        cards = {p.pk: p for p in Product.objects.for_listing().filter(pk__in=[product.pk, bare.pk])}
        card, empty = cards[product.pk], cards[bare.pk]
        assert (card.primary_image.pk, card.primary_image.image.url, card.primary_image.alt_text) == \
            (first.pk, first.image.url, "front")
        assert card.sizes_in_stock == ["S", "L"] and card.in_stock
        assert empty.primary_image is None and empty.sizes_in_stock == [] and not empty.in_stock
    page = Product.objects.for_detail().get(pk=product.pk)
    assert page.primary_image == first and page.sizes_in_stock == ["S", "L"] and later in page.images.all()
