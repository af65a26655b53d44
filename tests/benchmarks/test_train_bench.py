"""`bench train` runs end to end at a small size and says which model it chose (its figures are taken by hand)."""

from benchmarks.train import run


def test_bench_train_at_a_small_size_fits_both_models_and_names_the_choice():
    result = run(events=3000, products=400, shoppers=150, groups=60, candidates=40, log=lambda message: None)
    assert result["products"] == 400 and result["groups"] == 60
    assert result["chosen"]["family"] in ("lightgbm", "linear")
    assert result["als_s"] >= 0 and result["ranker_s"] >= 0
