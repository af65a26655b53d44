"""The learned ranker's life cycle: training runs, versions, promotion, serving (see recommender.models.ranker)."""

import os

# OpenMP threads (implicit's ALS, LightGBM) sleep when idle instead of spinning: on cores shared with other work a
# spinning thread burns the time slices the working one needs (one ranker fit: 20 s busy-waiting, 1.4 s passive;
# docs/benchmarks.md). Read when the OpenMP runtime loads, which is after this: both libraries are imported lazily.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
