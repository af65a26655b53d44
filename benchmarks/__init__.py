"""Hand-run benchmarks and evaluation worlds. Lives outside the product: no product code imports it."""
