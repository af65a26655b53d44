"""Training on a small real catalogue (fashion-5k, 8 frequent article types x 30 products), on CPU.

Skipped where ../shared/data/fashion-5k is absent. The budget is four minutes (its first 40 % at most for the views): enough for the upper blocks and
heads to learn the article types from the training half, and for the measure to be on the held-out half only.
"""

import pytest

from recommender.encoder_training import versions
from recommender.encoder_training.data import catalogue_items, split
from recommender.encoder_training.loop import TrainConfig, train_run
from recommender.embeddings.trained.paths import weights_file, work_dir
from shop.catalog.importer import catalog_import
from tests.helpers.encoder_training import fashion_subset, forget_serving_caches

pytestmark = [pytest.mark.django_db, pytest.mark.shared_data]


@pytest.fixture
def small_catalogue(fashion_5k, tmp_path):
    forget_serving_caches()
    catalog_import(path=fashion_subset(fashion_5k, tmp_path / "subset", per_type=30))
    yield
    forget_serving_caches()


def _config(name: str, **overrides) -> TrainConfig:
    # A fixed number of passes, not only a time budget: on a fast machine four minutes are ~1,500 passes over 39
    # products, which learns the training half by heart and loses the held-out half's P@10.
    options = {"version": name, "minutes": 4.0, "epochs": 30, "views": 2, "curve_points": 1, "curve_products": 40,
               "batch": 32}
    return TrainConfig(**{**options, **overrides})


def test_training_on_a_small_real_subset_beats_the_imagenet_weights_on_held_out_p_at_10(small_catalogue):
    result = train_run(_config("lite0-shop-test"))
    _, held = split(catalogue_items())

    trained = versions.measure("lite0-shop-test", held=held, photos=[], products=None, own_photo_queries=20)
    imagenet = versions.measure("lite0", held=held, photos=[], products=None, own_photo_queries=20)
    print(f"\nheld-out P@10 over {trained['products']} products: ImageNet {imagenet['p_at_10']}, "
          f"trained {trained['p_at_10']}; curve {result.curve}")

    assert result.weights == weights_file("lite0-shop-test") and result.weights.is_file()
    assert result.state["step"] > 0
    assert trained["p_at_10"] > imagenet["p_at_10"]


class Killed(Exception):
    pass


def test_a_training_run_killed_midway_resumes_from_its_checkpoint(small_catalogue):
    config = _config("lite0-shop-resume", minutes=1.2)
    events = []

    def kill_after_first_chunk(step, fraction, info):
        events.append(step)
        if step == "views" and info.get("chunk") == 1:
            raise Killed

    with pytest.raises(Killed):
        train_run(config, progress=kill_after_first_chunk)
    first_chunk = work_dir(config.version) / "views" / "chunk-0000.pt"
    written_at = first_chunk.stat().st_mtime_ns
    assert not weights_file(config.version).exists()

    resumed = []
    result = train_run(config, progress=lambda step, fraction, info: resumed.append((step, info)))

    assert resumed[0][0] == "resumed" and resumed[0][1]["phase"] == "views" and resumed[0][1]["elapsed_s"] > 0
    assert first_chunk.stat().st_mtime_ns == written_at  # the stored views were kept, not recomputed
    assert not any(step == "views" and info.get("chunk") == 1 for step, info in resumed)
    assert result.state["phase"] == "done" and weights_file(config.version).is_file()
    assert [point["step"] for point in result.curve][0] == 0  # the ImageNet point once, then training's
