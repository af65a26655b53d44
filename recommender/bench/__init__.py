"""Benchmarks run by hand: `python manage.py bench NAME --json`. Each prints a JSON object as its last line."""
