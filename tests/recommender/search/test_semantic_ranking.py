"""Search by meaning ranks only a catalogue it can see, and only its relevant head: text-vector
coverage (below MIN_TEXT_COVERAGE the search is full-text only), the cut relative to the best hit,
and "about N" when the cap cut the list. Hand-made vectors and a fake query encoder: no model here."""

import re

import numpy as np
import pytest

from recommender.models import TextEmbedding
from recommender.search import coverage as coverage_module
from recommender.search import semantic
from recommender.search.coverage import MIN_TEXT_COVERAGE, text_vector_coverage
from recommender.search.semantic import RELATIVE_FLOOR, relevant_prefix
from shop.catalog.selectors import SEMANTIC_LIMIT
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db
DIM = 384
MODEL = "minilm-l6-v2"


def unit(*components: float) -> np.ndarray:
    vector = np.zeros(DIM, dtype=np.float32)
    vector[: len(components)] = components
    return vector / np.linalg.norm(vector)


def at_similarity(similarity: float) -> np.ndarray:
    """A unit vector whose cosine with unit(1) is `similarity`."""
    return unit(similarity, float(np.sqrt(1 - similarity**2)))


def store(product, vector, model=MODEL):
    TextEmbedding.objects.create(product=product, model=model, text_sha256="x", vector=vector.tolist())


class QueryEncoder:
    """Every query means unit(1): the products' similarities are what the test stored."""

    dim = DIM

    def embed(self, texts, *, batch_size=64):
        return np.stack([unit(1.0) for _ in texts])


@pytest.fixture
def query_encoder(monkeypatch):
    monkeypatch.setattr(semantic, "get_text_encoder", lambda model: QueryEncoder())


def names(response):
    return [p.name for p in response.context["page_obj"].object_list]


def test_coverage_counts_active_products_and_their_vectors_of_the_serving_model():
    embedded, bare, hidden = ProductFactory(), ProductFactory(), ProductFactory(is_active=False)
    store(embedded, unit(1.0))
    store(hidden, unit(1.0))
    store(bare, unit(1.0), model="another-model")
    coverage = text_vector_coverage()
    assert (coverage.embedded, coverage.products) == (1, 2)
    assert coverage.share == pytest.approx(0.5) and not coverage.enough


def test_a_new_text_vector_changes_the_coverage_at_once():
    first, second = ProductFactory(), ProductFactory()
    store(first, unit(1.0))
    assert text_vector_coverage().embedded == 1
    store(second, unit(1.0))
    assert text_vector_coverage().embedded == 2 and text_vector_coverage().enough


def test_a_deactivated_product_leaves_the_remembered_coverage_within_its_lifetime(monkeypatch):
    kept, gone = ProductFactory(), ProductFactory()
    store(kept, unit(1.0))
    assert text_vector_coverage().products == 2
    type(gone).objects.filter(pk=gone.pk).update(is_active=False)
    assert text_vector_coverage(fresh=True).products == 1  # the health page counts every time
    assert text_vector_coverage().products == 2  # the storefront remembers for COVERAGE_SECONDS ...
    later = coverage_module._clock() + coverage_module.COVERAGE_SECONDS + 1
    monkeypatch.setattr(coverage_module, "_clock", lambda: later)
    assert text_vector_coverage().products == 1  # ... and then counts again


def test_an_empty_catalogue_has_no_coverage_and_never_ranks_by_meaning():
    coverage = text_vector_coverage()
    assert (coverage.embedded, coverage.products, coverage.share, coverage.enough) == (0, 0, 0.0, False)


def test_below_the_coverage_threshold_search_by_meaning_answers_nothing_and_loads_no_model(monkeypatch):
    products = [ProductFactory() for _ in range(10)]
    for product in products[: int(10 * MIN_TEXT_COVERAGE) - 1]:
        store(product, unit(1.0))
    monkeypatch.setattr(semantic, "get_text_encoder", lambda model: pytest.fail("the model must not load"))
    assert semantic.semantic_search("blue summer dress", limit=10) == []


def test_at_the_coverage_threshold_search_by_meaning_ranks(query_encoder):
    products = [ProductFactory() for _ in range(10)]
    for index, product in enumerate(products[: int(10 * MIN_TEXT_COVERAGE)]):
        store(product, at_similarity(0.9 - index * 0.01))
    hits = semantic.semantic_search("blue summer dress", limit=10)
    assert [pid for pid, _ in hits][:3] == [p.pk for p in products[:3]]


def test_one_product_embedded_after_a_cold_start_does_not_come_first_for_every_query(client, query_encoder):
    # The walkthrough: no text vectors yet, then a product saved in admin gets one.
    ProductFactory(name="Denim jeans")
    ProductFactory(name="Blue summer dress")
    ProductFactory(name="Linen shorts")
    saved = ProductFactory(name="Wool scarf")
    store(saved, unit(1.0))
    assert names(client.get("/search/?q=jeans")) == ["Denim jeans"]
    assert names(client.get("/search/?q=summer dress")) == ["Blue summer dress"]


def test_the_tail_below_the_relative_floor_is_cut():
    hits = [(1, 0.60), (2, 0.55), (3, 0.60 * RELATIVE_FLOOR), (4, 0.60 * RELATIVE_FLOOR - 0.01), (5, 0.26)]
    assert [pid for pid, _ in relevant_prefix(hits)] == [1, 2, 3]
    assert relevant_prefix([]) == []


def test_search_by_meaning_returns_only_the_hits_near_the_best(query_encoder):
    close, near, loose, looser = (ProductFactory() for _ in range(4))
    for product, similarity in ((close, 0.8), (near, 0.7), (loose, 0.5), (looser, 0.3)):
        store(product, at_similarity(similarity))
    hits = semantic.semantic_search("something to wear at the beach", limit=10)
    assert [pid for pid, _ in hits] == [close.pk, near.pk]  # 0.5 < 0.75 x 0.8
    assert [round(s, 3) for _, s in hits] == [0.8, 0.7]


# Storefront counts, with a provider defined here (the shop only knows a dotted path).
HITS: list = []


def fixed_provider(query, *, limit):
    return HITS[:limit]


def test_the_count_says_about_when_the_semantic_side_was_cut_at_its_cap(client, settings):
    settings.SHOP_SEMANTIC_SEARCH_PROVIDER = f"{__name__}.fixed_provider"
    products = [ProductFactory(name=f"Item {n}") for n in range(SEMANTIC_LIMIT + 1)]
    HITS[:] = [(p.pk, 0.5) for p in products]
    capped = client.get("/search/?q=holiday")
    assert capped.context["page_obj"].paginator.count == SEMANTIC_LIMIT
    assert f"About {SEMANTIC_LIMIT} items" in capped.content.decode()
    HITS[:] = [(p.pk, 0.5) for p in products[:7]]
    exact = client.get("/search/?q=holiday").content.decode()
    assert "7 items" in exact and "About" not in exact


def test_a_500_character_query_is_shortened_and_wraps_on_the_results_page(client):
    response = client.get("/search/", {"q": "a" * 500})
    html = response.content.decode()
    assert response.status_code == 200
    heading = re.search(r"<h1([^>]*)>(.*?)</h1>", html, re.S)
    assert "overflow-wrap: anywhere" in heading.group(1)
    assert len(heading.group(2)) < 120  # the echo is cut; the search box keeps what was typed (up to 200)
