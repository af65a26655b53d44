"""The demo catalogue: specs are pure and seeded; writing them is bulk, complete and idempotent."""

import hashlib
import re
from decimal import Decimal

import pytest
from django.utils.text import slugify

from shop.catalog.models import Category, Product, ProductImage, Variant
from shop.demo import catalogue
from shop.demo.catalogue import demo_catalogue_create
from shop.demo.kinds import BRANDS, KINDS
from shop.demo.render import render_job
from shop.demo.specs import demo_product_specs


def test_the_same_seed_gives_the_same_specs_and_another_seed_other_ones():
    first = demo_product_specs(n=40, seed=11)
    assert first == demo_product_specs(n=40, seed=11)
    assert [s.name for s in first] != [s.name for s in demo_product_specs(n=40, seed=12)]


def test_a_smaller_catalogue_is_the_start_of_a_larger_one():
    assert demo_product_specs(n=10, seed=7) == demo_product_specs(n=30, seed=7)[:10]


def test_specs_are_plausible_shop_products():
    specs = demo_product_specs(n=300, seed=7)
    assert len({s.kind for s in specs}) == len(KINDS)
    assert {s.brand for s in specs} <= set(BRANDS)
    assert len({s.slug for s in specs}) == len(specs)
    assert len({v.sku for s in specs for v in s.variants}) == sum(len(s.variants) for s in specs)
    assert all(Decimal("4") < s.price < Decimal("400") for s in specs)
    assert all(s.gender == "women" for s in specs if s.kind in ("dress", "skirt"))
    assert {"pattern", "colour", "fabric", "fit", "article_type"} <= set(specs[0].attributes)
    stocks = [v.stock for s in specs for v in s.variants]
    assert 0.05 < stocks.count(0) / len(stocks) < 0.25


def test_every_demo_product_has_a_name_of_its_own():
    for seed in (7, 11):
        names = [s.name.lower() for s in demo_product_specs(n=600, seed=seed)]
        assert len(set(names)) == len(names), [n for n in names if names.count(n) > 1][:5]


def test_a_renamed_product_gets_a_slug_from_its_new_name():
    specs = demo_product_specs(n=600, seed=7)
    assert all(s.slug.startswith(slugify(s.name)[:40]) and s.slug.endswith(s.external_id) for s in specs)


def test_descriptions_take_an_before_a_vowel_and_a_before_a_consonant():
    descriptions = [s.description for s in demo_product_specs(n=600, seed=7)]
    assert any(d.startswith("An A-line ") for d in descriptions)  # a capital vowel counts too
    assert not [d for d in descriptions if re.search(r"\bA [aeiouAEIOU]|\bAn [^aeiouAEIOU]", d)]


def test_a_premium_brand_costs_more_than_a_budget_one_for_the_same_kind():
    specs = demo_product_specs(n=600, seed=7)
    tees = lambda brand: [s.price for s in specs if s.kind == "tshirt" and s.brand == brand]  # noqa: E731
    assert sum(tees("Maison Ardent")) / len(tees("Maison Ardent")) > sum(tees("Portside")) / len(tees("Portside"))


@pytest.mark.django_db
def test_creating_the_catalogue_makes_products_with_variants_categories_and_photos():
    summary = demo_catalogue_create(products=24, seed=3)

    assert (summary.created, summary.skipped) == (24, 0)
    products = list(Product.objects.select_related("category__parent").prefetch_related("variants", "images"))
    assert len(products) == 24
    for product in products:
        assert product.external_id.startswith("demo-")
        assert product.category.parent is not None
        assert product.variants.all()
        (image,) = product.images.all()
        data = image.image.read()
        assert image.sha256 == hashlib.sha256(data).hexdigest()
        assert data[:3] == b"\xff\xd8\xff"
    assert Category.objects.filter(parent=None).count() <= 3
    assert Variant.objects.filter(stock=0).exists()


@pytest.mark.django_db
def test_the_stored_photo_is_the_rendering_of_the_products_spec():
    spec = demo_product_specs(n=1, seed=3)[0]
    demo_catalogue_create(products=1, seed=3)
    image = ProductImage.objects.get(product__external_id=spec.external_id)
    expected = render_job((spec.kind, spec.colour, spec.pattern, spec.image_seed))
    assert image.image.read() == expected


@pytest.mark.django_db
def test_running_it_again_creates_nothing_and_a_larger_run_adds_only_the_new_products():
    demo_catalogue_create(products=6, seed=3)
    again = demo_catalogue_create(products=6, seed=3)
    more = demo_catalogue_create(products=8, seed=3)

    assert (again.created, again.skipped) == (0, 6)
    assert (more.created, more.skipped) == (2, 6)
    assert Product.objects.count() == 8
    assert ProductImage.objects.count() == 8


@pytest.mark.django_db
def test_progress_is_reported_for_every_product_including_skipped_ones():
    demo_catalogue_create(products=3, seed=3)
    seen = []
    demo_catalogue_create(products=5, seed=3, on_progress=seen.append)
    assert sum(seen) == 5


@pytest.mark.django_db
def test_a_process_pool_draws_the_same_photos_as_one_process(monkeypatch):
    monkeypatch.setattr(catalogue, "POOL_THRESHOLD", 2)
    demo_catalogue_create(products=4, seed=5, workers=2)
    pooled = {i.product.external_id: i.sha256 for i in ProductImage.objects.select_related("product")}
    specs = demo_product_specs(n=4, seed=5)
    assert pooled == {
        s.external_id: hashlib.sha256(render_job((s.kind, s.colour, s.pattern, s.image_seed))).hexdigest()
        for s in specs
    }


@pytest.mark.django_db
def test_category_slugs_already_taken_by_another_catalogue_are_qualified():
    Category.objects.create(name="Sneakers", slug="sneakers")  # e.g. a root from an import
    demo_catalogue_create(products=24, seed=3)
    slugs = list(Category.objects.values_list("slug", flat=True))
    assert len(slugs) == len(set(slugs))
