"""Behaviour signals: co-viewed and co-bought neighbours, popularity and trending, from interactions.

compute.py   pure numpy/scipy: events in, neighbours and decayed scores out
services.py  signals_rebuild: read interactions, compute, write a new generation, flip, log
selectors.py readers for the ranking and style profiles, one query each
"""
