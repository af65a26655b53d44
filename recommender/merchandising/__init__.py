"""Merchandising: the staff's rules beside the automatic recommendations (docs/merchandising.md).

selectors (live rules as plain data, cached per rules version), receivers (a change moves the version), effects
(what share of lists each rule touched), lists (exclusions for the similar-items API), admin, api, preview, health.
The rules themselves are applied in the pure ranking: recommender.ranking.rules.
"""
