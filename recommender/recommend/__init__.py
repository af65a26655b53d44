"""Recommend: fetch a shopper's inputs once, rank them, and keep the answer.

- `service`: `recommend_inputs(...)` gathers every source's candidates and the facts ranking needs in a fixed
  number of queries; `recommend(...)` ranks them (the learned ranker when one serves, else the blend);
- `candidates`: candidates per source (visual, co-viewed, co-bought, trending, profile, attribute);
- `facts`, `shopper_facts`, `profiles`: product facts, the learned ranker's extra facts, style profiles;
- `weights`: the blend weights (configured, overlaid with the tuned ones staff saved);
- `ranker`: which learned models serve (cached per process);
- `feeds`, `feed_batch`: a shopper's feed cached until they act, and the hourly batch that ranks feeds ahead.
"""
