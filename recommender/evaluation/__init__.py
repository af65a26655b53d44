"""Offline evaluation of the recommender: temporal split, metrics, runner, report, weight tuning."""
