"""Product text vectors: what is embedded, when it is redone, how saves queue it, and how the
storefront search blends a semantic provider in (fake encoder and provider: no model needed here)."""

import logging

import numpy as np
import pytest
from django.core.management import call_command

from recommender import tasks
from recommender.models import TextEmbedding
from recommender.embeddings import text_service
from recommender.search import semantic
from recommender.embeddings.text import product_text, text_sha256
from shop.catalog.models import Product
from tests.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db


class FakeTextEncoder:
    dim = 384

    def __init__(self):
        self.calls = []

    def embed(self, texts, *, batch_size=64):
        self.calls.append(list(texts))
        rows = [np.random.default_rng(abs(hash(t)) % 2**32).standard_normal(self.dim) for t in texts]
        return np.array([r / np.linalg.norm(r) for r in rows], dtype=np.float32)


@pytest.fixture
def encoder(monkeypatch):
    fake = FakeTextEncoder()
    monkeypatch.setattr(text_service, "get_text_encoder", lambda model: fake)
    return fake


def test_a_products_text_holds_its_name_category_path_department_attributes_and_description():
    outerwear = CategoryFactory(name="Apparel")
    jackets = CategoryFactory(name="Jackets", parent=outerwear)
    product = ProductFactory(
        name="Quilted Parka", category=jackets, gender="men", attributes={"fabric": "down"},
        description="Keeps you toasty.", usage="Casual",
    )
    text = product_text(Product.objects.select_related("category__parent__parent").get(pk=product.pk))
    for part in ("Quilted Parka", "Apparel > Jackets", "for men", "fabric: down", "Keeps you toasty.", "Casual wear"):
        assert part in text


def test_texts_are_embedded_once_and_again_only_when_they_change(encoder):
    products = [ProductFactory() for _ in range(3)]
    ids = [p.pk for p in products]
    assert text_service.text_embeddings_compute(product_ids=ids).embedded == 3
    assert text_service.text_embeddings_compute(product_ids=ids).skipped == 3
    Product.objects.filter(pk=ids[0]).update(name="Renamed")
    report = text_service.text_embeddings_compute(product_ids=ids)
    assert (report.embedded, report.skipped) == (1, 2)
    row = TextEmbedding.objects.get(product_id=ids[0])
    product = Product.objects.select_related("category__parent__parent").get(pk=ids[0])
    assert row.text_sha256 == text_sha256(product_text(product)) and len(row.vector) == 384


def test_the_reconciler_queues_missing_and_stale_products_only(encoder):
    done, stale, missing = ProductFactory(), ProductFactory(), ProductFactory()
    text_service.text_embeddings_compute(product_ids=[done.pk, stale.pk])
    Product.objects.filter(pk=stale.pk).update(description="now different")
    queued = []
    assert text_service.text_embeddings_reconcile(enqueue=queued.append) == 2
    assert sorted(sum(queued, [])) == sorted([stale.pk, missing.pk])


def test_the_embed_texts_command_computes_missing_vectors_in_process(encoder):
    products = [ProductFactory() for _ in range(2)]
    call_command("embed_texts", "--sync", verbosity=0)
    assert TextEmbedding.objects.filter(product__in=products).count() == 2
    call_command("embed_texts", "--all", "--sync", verbosity=0)
    assert len(encoder.calls) == 2


def test_saving_a_product_queues_its_text_after_commit(monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr(tasks.embed_texts_task, "apply_async", lambda args, **kw: sent.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        product = ProductFactory()
    assert sent == [([product.pk],)]


def test_a_stopped_broker_never_fails_a_product_save(monkeypatch, django_capture_on_commit_callbacks, caplog):
    def broker_down(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(tasks.embed_texts_task, "apply_async", broker_down)
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        product = ProductFactory()
    assert Product.objects.filter(pk=product.pk).exists()
    assert "reconciler will pick them up" in caplog.text


def test_semantic_search_answers_nothing_without_loading_the_model_when_no_texts_are_embedded(monkeypatch):
    monkeypatch.setattr(semantic, "get_text_encoder", lambda model: pytest.fail("the model must not load"))
    assert semantic.semantic_search("warm winter jacket", limit=10) == []


# Storefront blending, with providers defined here (the shop only knows a dotted path).
HITS: list = []


def fake_provider(query, *, limit):
    return HITS[:limit]


def broken_provider(query, *, limit):
    raise RuntimeError("model missing")


def names(response):
    return [p.name for p in response.context["page_obj"].object_list]


def test_the_storefront_search_finds_products_by_meaning_with_no_word_in_common(client, settings):
    settings.SHOP_SEMANTIC_SEARCH_PROVIDER = f"{__name__}.fake_provider"
    parka = ProductFactory(name="Quilted Parka")
    fleece = ProductFactory(name="Fleece Hoodie")
    ProductFactory(name="Linen Shorts")
    ProductFactory(name="Warm jacket")
    HITS[:] = [(parka.pk, 0.62)]
    # The literal name match first, then the product that only means it.
    assert names(client.get("/search/?q=warm jacket")) == ["Warm jacket", "Quilted Parka"]
    HITS[:] = [(parka.pk, 0.4), (fleece.pk, 0.6)]
    assert names(client.get("/search/?q=something cosy for winter")) == ["Fleece Hoodie", "Quilted Parka"]


def test_a_failing_semantic_provider_leaves_plain_full_text_search(client, settings, caplog):
    settings.SHOP_SEMANTIC_SEARCH_PROVIDER = f"{__name__}.broken_provider"
    ProductFactory(name="Warm jacket")
    response = client.get("/search/?q=jacket")
    assert response.status_code == 200 and names(response) == ["Warm jacket"]
    assert "semantic search provider" in caplog.text


def test_inactive_products_never_come_back_from_the_semantic_side(client, settings):
    settings.SHOP_SEMANTIC_SEARCH_PROVIDER = f"{__name__}.fake_provider"
    hidden = ProductFactory(name="Quilted Parka", is_active=False)
    HITS[:] = [(hidden.pk, 0.9)]
    assert names(client.get("/search/?q=warm")) == []
