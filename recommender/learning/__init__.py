"""The learned ranker's life cycle: training runs, versions, promotion, serving (see recommender.models.ranker)."""
