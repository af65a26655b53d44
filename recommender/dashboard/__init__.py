"""Recommender health, an admin page at /admin/recommender/health/ (staff only).

`selectors` reads what the page shows in a fixed number of queries whatever the catalogue's size (counts and the
latest rows, never a row per product), `summary` turns it into plain statements an owner can act on (pure
functions), `views` renders the page, its JSON status and its buttons. `health_urls(site)` joins them to the admin.
"""

from recommender.dashboard.views import health_urls

__all__ = ["health_urls"]
