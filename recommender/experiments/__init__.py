"""A/B experiments between recommendation configurations: assignment, serving an arm, results and statistics.
`stats` is pure (numpy and scipy, no Django); the rest reads and writes recommender.models.experiments."""
