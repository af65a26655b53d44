"""Hard filters: stock, size, price, category, anchors, and the per-placement exclusions."""

import pytest

from recommender.ranking import Placement, Shopper, filter_candidates, why_excluded

from .builders import GUEST, catalogue, on, product, visual

MEDIUM = Shopper(sizes={"tops": frozenset({"M"}), "shoes": frozenset({"42"})})


def kept(facts, *, shopper=GUEST, request=None, ids=None):
    request = request or on("home")
    candidates = [visual(pid, 0.5) for pid in (ids if ids is not None else facts)]
    return [c.product_id for c in filter_candidates(candidates, facts=facts, shopper=shopper, request=request)]


def test_out_of_stock_items_are_never_recommended():
    facts = catalogue(product(1), product(2, sizes=()))
    assert kept(facts) == [1]


def test_inactive_items_are_never_recommended():
    facts = catalogue(product(1), product(2, active=False))
    assert kept(facts) == [1]


def test_wrong_size_items_are_never_recommended_when_the_size_is_known():
    facts = catalogue(
        product(1, sizes=("M", "L")), product(2, sizes=("S", "XL")), product(3, size_type="shoes", sizes=("41",))
    )
    assert kept(facts, shopper=MEDIUM) == [1]


def test_any_size_in_stock_will_do_when_the_shoppers_size_is_unknown():
    facts = catalogue(product(1, sizes=("XS",)), product(2, size_type="bottoms", sizes=("30",)))
    assert kept(facts, shopper=MEDIUM, ids=[2]) == [2]
    assert kept(facts, shopper=GUEST) == [1, 2]


def test_products_without_sizing_pass_the_size_filter():
    facts = catalogue(product(1, size_type=None, sizes=("One size",)))
    assert kept(facts, shopper=MEDIUM) == [1]


def test_an_explicit_size_overrides_the_shoppers_usual_size():
    facts = catalogue(product(1, sizes=("M",)), product(2, sizes=("L",)))
    assert kept(facts, shopper=MEDIUM, request=on("search", size="L")) == [2]


def test_price_range_is_a_hard_filter():
    facts = catalogue(product(1, price=9.99), product(2, price=10), product(3, price=50), product(4, price=50.01))
    assert kept(facts, request=on("search", price_min=10, price_max=50)) == [2, 3]


def test_category_is_a_hard_filter():
    facts = catalogue(product(1, category_id=1), product(2, category_id=2), product(3, category_id=3))
    assert kept(facts, request=on("search", category_ids=frozenset({1, 3}))) == [1, 3]


@pytest.mark.parametrize("placement", list(Placement))
def test_the_anchor_product_is_never_recommended(placement):
    facts = catalogue(product(1), product(2), product(3))
    assert kept(facts, request=on(placement, anchor_ids=frozenset({1, 3}))) == [2]


@pytest.mark.parametrize("placement,shown", [("home", False), ("product", False), ("cart", False), ("search", True)])
def test_bought_items_are_hidden_except_in_search(placement, shown):
    facts = catalogue(product(1), product(2))
    shopper = Shopper(bought_ids=frozenset({2}))
    assert kept(facts, shopper=shopper, request=on(placement)) == ([1, 2] if shown else [1])


@pytest.mark.parametrize("placement,shown", [("home", False), ("product", True), ("cart", True), ("search", True)])
def test_recently_viewed_items_are_hidden_on_home_only(placement, shown):
    facts = catalogue(product(1), product(2))
    shopper = Shopper(recently_viewed_ids=frozenset({2}))
    assert kept(facts, shopper=shopper, request=on(placement)) == ([1, 2] if shown else [1])


def test_a_candidate_whose_product_is_gone_is_dropped():
    assert kept(catalogue(product(1)), ids=[1, 2]) == [1]


def test_each_exclusion_says_why():
    request = on("home", price_max=30)
    assert why_excluded(1, product(1), shopper=GUEST, request=request) is None
    assert why_excluded(1, product(1, sizes=()), shopper=GUEST, request=request) == "out of stock"
    assert why_excluded(1, product(1, price=31), shopper=GUEST, request=request) == "above the price range"
    assert why_excluded(1, None, shopper=GUEST, request=request) == "unknown product"


def test_a_request_with_an_unknown_placement_or_no_room_is_refused():
    with pytest.raises(ValueError):
        on("checkout")
    with pytest.raises(ValueError):
        on("home", k=0)
    with pytest.raises(ValueError):
        on("search", price_min=50, price_max=10)
