"""Plain statements for a shop owner, from the figures the health page reads. Pure: no database, no settings.

In: coverage counts, the worker ping's answer, the last signal rebuild and the latest ranking evaluation, as plain
values. Out: `Statement`s ("All 600 product photos are searchable."), each with a level (good, warn, bad, info)
and, where there is something to do, what; and the evaluation's rows with names and scales an owner can read.

"Beat best-sellers by N %" compares recall@k, the share of what each held-out shopper went on to cart or buy that
their top k held, between the blend and the popularity baseline, on the same shoppers and the same purchases.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.utils.timesince import timesince

GOOD, WARN, BAD, INFO = "good", "warn", "bad", "info"
# Within this much of best-sellers (either way) the blend is "about as good": the evaluation's own noise on a few
# hundred shoppers is of this order.
SAME_AS_BASELINE = 0.05

# Each source as an owner knows it, in the order the table shows them; unknown names are shown as they are.
SOURCE_NAMES = {
    "hybrid": "Recommendations (the blend shoppers see)",
    "popularity": "Best-sellers (the baseline)",
    "co_view": "Viewed together",
    "co_buy": "Bought together",
    "visual": "Looks like what they liked",
    "profile": "Matches their style profile",
}
# (key, column title, how to read it, shown as a percentage)
METRICS = (
    ("recall", "Found", "share of what each shopper went on to cart or buy that was in their top {k}; higher is "
                        "better", True),
    ("precision", "Hits per slot", "share of the {k} slots holding such a product; higher is better, but it cannot "
                                   "exceed the number bought over {k}, so small values are normal", True),
    ("ndcg", "Rank quality (NDCG)", "like Found, but a product counts more the higher it was placed; 0 to 1, "
                                    "higher is better", False),
    ("map", "Order quality (MAP)", "mean precision at each hit: rewards putting the hits first; 0 to 1, higher is "
                                   "better", False),
    ("coverage", "Catalogue reach", "share of the catalogue shown to at least one shopper; low means everyone sees "
                                    "the same few products", True),
    ("diversity", "Variety", "how different the items of one list look, from their photos: 0 = all alike, 1 = no "
                             "two alike; high variety with a low Found means unfocused lists", False),
)


@dataclass(frozen=True)
class Statement:
    level: str
    text: str
    hint: str = ""


def _n(value: int) -> str:
    return f"{value:,}"


def _ago(then: datetime, now: datetime) -> str:
    """How long ago in its largest unit ("2 days"), with plain spaces (timesince's are non-breaking)."""
    return timesince(then, now, depth=1).replace("\xa0", " ")


def photos_statement(*, photos: int, ready: int, pending: int, failed: int) -> Statement:
    if photos == 0:
        return Statement(INFO, "There are no product photos yet.", "Add photos to products to make them "
                                                                    "searchable by photo.")
    if ready >= photos:
        return Statement(GOOD, f"All {_n(photos)} product photos are searchable.")
    parts = []
    waiting = max(photos - ready - failed, 0)
    if waiting:
        parts.append(f"{_n(waiting)} {'is' if waiting == 1 else 'are'} waiting to be processed")
    if failed:
        parts.append(f"{_n(failed)} could not be read")
    text = f"{_n(ready)} of {_n(photos)} product photos are searchable; {' and '.join(parts)}."
    if failed:
        return Statement(BAD if failed * 10 > photos else WARN, text,
                         "Replace the photos listed under “Why photos failed” below (products list, filter "
                         "“Embedding: Failed”).")
    return Statement(WARN if waiting * 10 > photos else INFO, text, "New photos are processed within minutes "
                                                                    "while a worker runs.")


def text_statement(*, products: int, searchable: int) -> Statement:
    if products == 0:
        return Statement(INFO, "There are no products on sale yet.")
    if searchable >= products:
        return Statement(GOOD, f"All {_n(products)} products on sale are searchable by meaning.")
    text = f"{_n(searchable)} of {_n(products)} products on sale are searchable by meaning."
    hint = "The others are found by their words only until their text is processed (within minutes while a " \
           "worker runs)."
    return Statement(WARN if searchable * 2 < products else INFO, text, hint)


def workers_statement(*, workers: Sequence[str] | None, known: bool, waiting: int | None) -> Statement:
    if not known:
        return Statement(INFO, "Checking the background workers…")
    if workers is None or waiting is None:
        return Statement(BAD, "The task queue cannot be reached: new photos, text and shopper behaviour wait until "
                              "it is back.", "Check that Redis is running.")
    if not workers:
        return Statement(BAD, "No background worker is running: new photos and text are not being processed.",
                         "Start the worker (make run starts one).")
    count = len(workers)
    queued = "nothing waiting" if waiting == 0 else f"{_n(waiting)} task{'s' if waiting != 1 else ''} waiting"
    return Statement(GOOD, f"Background work is running: {count} worker{'s' if count != 1 else ''}, {queued}.")


def signals_statement(*, started_at: datetime | None, finished_at: datetime | None, events: int, error: str,
                      now: datetime) -> Statement:
    if started_at is None:
        return Statement(WARN, "What shoppers view and buy has not been learned yet.",
                         "Press “Rebuild signals”; it also runs on its own while the shop runs.")
    if error:
        return Statement(BAD, f"The last update of what shoppers view and buy failed ({_ago(started_at, now)} "
                              "ago).", "See the error under Engineering detail, then press “Rebuild signals”.")
    if finished_at is None:
        return Statement(INFO, f"Learning from what shoppers view and buy now (started "
                               f"{_ago(started_at, now)} ago).")
    return Statement(GOOD, f"What shoppers view and buy was last learned {_ago(finished_at, now)} ago, from "
                           f"{_n(events)} shopper actions.")


def recommendations_statement(*, results: Mapping | None, finished_at: datetime | None, now: datetime) -> Statement:
    sources = (results or {}).get("sources") or {}
    blend, baseline = sources.get("hybrid"), sources.get("popularity")
    if not blend or not baseline:
        return Statement(INFO, "Recommendations have not been measured yet.",
                         "Press “Run evaluation” (a few minutes) to compare them with best-sellers.")
    k = results.get("k", 10)
    ours, theirs = float(blend.get("recall", 0)), float(baseline.get("recall", 0))
    when = f"measured {_ago(finished_at, now)} ago" if finished_at else "measured"
    basis = (f"on {_n(results.get('shoppers', 0))} shoppers’ latest purchases ({when}): their top {k} held "
             f"{ours:.1%} of what each went on to cart or buy, best-sellers’ {theirs:.1%}")
    if theirs == 0:
        if ours == 0:
            return Statement(WARN, f"Neither recommendations nor best-sellers found anything {basis}.",
                             "There may be too little shopping history yet to measure.")
        return Statement(GOOD, f"Recommendations found what best-sellers missed {basis}.")
    lift = ours / theirs - 1
    if lift > SAME_AS_BASELINE:
        return Statement(GOOD, f"Recommendations beat best-sellers by {lift:.0%} {basis}.")
    if lift >= -SAME_AS_BASELINE:
        return Statement(WARN, f"Recommendations do about as well as best-sellers {basis}.",
                         "Run `python manage.py tune_weights` to tune the blend on this shop’s history.")
    return Statement(BAD, f"Recommendations do {-lift:.0%} worse than best-sellers {basis}.",
                     "Run `python manage.py tune_weights`, or check the signals and vectors below.")


def evaluation_rows(results: Mapping | None) -> list[dict]:
    """The table's rows: the blend first, the baseline next, then each source; a blend row that repeats another
    (the runner reports its first weight set both as "hybrid" and as "hybrid_<label>") is shown once."""
    sources = dict((results or {}).get("sources") or {})
    labels = list((results or {}).get("weights") or {})
    if labels and f"hybrid_{labels[0]}" in sources and "hybrid" in sources:
        del sources[f"hybrid_{labels[0]}"]
    order = [name for name in SOURCE_NAMES if name in sources] + [n for n in sources if n not in SOURCE_NAMES]
    rows = []
    for name in order:
        label = SOURCE_NAMES.get(name)
        if label is None and name.startswith("hybrid_"):
            label = f"Recommendations with the {name.removeprefix('hybrid_')} weights"
        rows.append({"name": name, "label": label or name, "baseline": name == "popularity",
                     "cells": [_cell(sources[name].get(key), percent) for key, _, _, percent in METRICS]})
    best = [max((r["cells"][i]["value"] for r in rows if r["cells"][i]["value"] is not None), default=None)
            for i in range(len(METRICS))]
    for row in rows:
        for cell, top in zip(row["cells"], best):
            cell["best"] = top is not None and cell["value"] == top and len(rows) > 1
    return rows


def metric_legend(k: int) -> list[dict]:
    return [{"title": title, "meaning": meaning.format(k=k)} for _, title, meaning, _ in METRICS]


def _cell(value, percent: bool) -> dict:
    if value is None:
        return {"value": None, "text": "—"}
    value = float(value)
    return {"value": value, "text": f"{value:.1%}" if percent else f"{value:.3f}"}
