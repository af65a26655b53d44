"""The linear blend inside the learned ranker's features, tuned on the validation period and carried by the version.

The features hold the blend's score and rank (`ranking.features`: "so the model starts from it"). Computed with the
shop's served weights, that column is only as good as those weights: a shop that never ran `tune_weights` gives its
ranker the default blend, which on fashion-5k leaves out the history and collaborative evidence that carry it
(NDCG 0.0965 against 0.3114 tuned, docs/learned-ranking.md). So each training run tunes the blend for the feature
(`evaluation.tuning.grid_search`) on the validation period (the session before the later one, where the ranker's
families are compared; never the later period), recomputes every period's features with it, and stores the
weights with the version; serving computes the feature with the serving version's own weights
(`recommend.ranker.Served.blend_weights`), so training and serving see the same column.

In: `Periods`-like data (`test`, `earlier` {depth: State}), the starting weights, the catalogue size, k. Out:
`feature_blend_tune` -> weights; `feature_blend_apply` sets them on every gathered request and returns the
training groups recomputed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from recommender.evaluation.cuts import earlier_groups
from recommender.evaluation.runner import Prepared
from recommender.evaluation.tuning import grid_search


def feature_blend_tune(validation, *, start: Mapping[str, float], catalogue: int, k: int) -> dict[str, float]:
    """The blend's weights for the features: `start` searched on the validation period (itself without one)."""
    if validation is None or not validation.inputs:
        return dict(start)
    ready = Prepared(split=validation.split, inputs=validation.inputs, catalogue_size=catalogue, k=k)
    return grid_search(ready, start=start)[0]


def states_blend_set(states: Iterable, weights: Mapping[str, float]) -> None:
    """Each gathered request's features now carry the blend with `weights`."""
    for state in states:
        for inputs in state.inputs.values():
            if inputs.context is not None:
                inputs.context = replace(inputs.context, blend_weights=dict(weights))


def feature_blend_apply(*, test, earlier: Mapping[int, object], weights: Mapping[str, float]) -> list:
    """Set `weights` on the later and the earlier periods' requests; the earlier periods' training groups again."""
    states_blend_set([test, *earlier.values()], weights)
    return earlier_groups(earlier)
