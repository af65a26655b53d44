"""Collaborative factors learned from the interaction log (implicit ALS), folded in per request, stored as versions."""
