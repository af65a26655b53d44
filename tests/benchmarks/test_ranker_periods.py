"""Saved periods read back as they were saved: product facts pickled today, and in the layout of periods saved before
merchandising added fields."""

import pickle

import numpy as np

from benchmarks import ranker_periods
from recommender.ranking.candidates import ProductFacts


def _read(path):
    data = ranker_periods._Unpickler(open(path, "rb")).load()
    return ranker_periods._facts(data) if isinstance(data, ranker_periods._SavedFacts) else data


def test_facts_saved_today_come_back_field_for_field(tmp_path):
    facts = ProductFacts(product_id=7, name="Dress", category_id=3, category_name="Dresses", price=40.0, active=True,
                         sizes_in_stock=frozenset({"M"}), size_type="tops", colour="Blue", brand="Vitrine",
                         department="women", season="summer", attributes={"fit": "slim"},
                         vector=np.ones(4, dtype=np.float32) / 2)
    path = tmp_path / "facts.pkl"
    path.write_bytes(pickle.dumps(facts, protocol=pickle.HIGHEST_PROTOCOL))
    back = _read(path)
    assert back == facts
    assert (back.department, back.season, back.attributes) == ("women", "summer", {"fit": "slim"})
    assert np.array_equal(back.vector, facts.vector)


def test_facts_in_the_former_layout_map_onto_their_fields():
    saved = ranker_periods._SavedFacts()
    saved.__setstate__([7, "Dress", 3, "Dresses", 40.0, True, frozenset({"M"}), "tops", "Blue", "Vitrine", None])
    back = ranker_periods._facts(saved)
    assert (back.product_id, back.colour, back.brand, back.vector, back.department) == (7, "Blue", "Vitrine", None, "")
