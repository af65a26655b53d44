"""Impressions (what rails showed), their attribution (what shoppers then did) and the online metrics built from
them. See recommender.models.impressions for the rows and docs/experiments.md for the whole flow."""
