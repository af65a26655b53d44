"""Recommend: fetch a shopper's inputs once, rank them, and keep the answer.

- `service`: `recommend_inputs(...)` gathers every source's candidates and the facts ranking needs in a fixed
  number of queries; its `.ranked(weights)` / `.ranking(weights)` rank them (the learned ranker when one serves,
  else the blend);
- `candidates`: candidates per source (visual, co-viewed, co-bought, trending, profile, attribute);
- `facts`, `shopper_facts`, `profiles`: product facts, the learned ranker's extra facts, style profiles;
- `weights`: the blend weights (configured, overlaid with the tuned ones staff saved);
- `ranker`: which learned models serve (cached per process);
- `feeds`, `feed_batch`: a shopper's feed cached until they act, and the hourly batch that ranks feeds ahead.

The ways in, one per kind of caller:
- a page or the API asking for a shopper's list (the home rail, /api/recommendations/):
  `feeds.recommend_with_stock(placement=, user=, session_key=, anchor_ids=, k=)` -> (ranked, sizes in stock per
  item). It is the cached feed: the shopper's experiment arm, the staff rules' version, the stock re-check on a hit;
- a page showing several rails from one request (product and cart pages, the rules preview): one
  `service.recommend_inputs(...)`, then each rail ranked from it (`recommender.rails.rails_ranked`);
- a worker ranking ahead: `feeds.feed_refresh(who=, version=)` (the hourly batch, `feed_batch`) and
  `feeds.feed_refresh_latest(who=)` (the refresh queued after an action); both store what `recommend_with_stock`
  computes, with `recompute=True`;
- offline evaluation, training and benchmarks: `service.recommend_inputs(..., now=)` then `.ranked()` /
  `.ranking()`: no cache, no arm, the question as of `now`.
`service.recommend(**request)` is `recommend_inputs(**request).ranked(weights)` in one call, for tests and the
shell; no product code calls it.
"""
