"""Evaluation worlds: a catalogue and simulated shoppers that `python manage.py evaluate_world NAME` measures on.

- `demo`: the demo shop (`python manage.py demo_data`; shoppers demo-shopper-NNN, see shop/demo/shoppers.py);
- `fashion5k`: the real fashion-5k catalogue imported with import_catalog and the shoppers of
  `benchmarks.worlds.fashion5k` (f5k-shopper-NNNN). Keep it in a database of its own, e.g.
  `VITRINE_DATABASE_NAME=vitrine_fashion5k python manage.py evaluate_world fashion5k --build`.
`world_shopper_ids(name)` -> the world's user ids; `world_build(name, ...)` fills the current database when empty.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model

PREFIXES = {"demo": "demo-shopper-", "fashion5k": "f5k-shopper-"}
FASHION_5K = Path(settings.BASE_DIR).parent / "shared" / "data" / "fashion-5k"


def world_shopper_ids(name: str) -> set[int]:
    if name not in PREFIXES:
        raise ValueError(f"unknown world {name!r}; known: {sorted(PREFIXES)}")
    return set(get_user_model().objects.filter(username__startswith=PREFIXES[name]).values_list("pk", flat=True))


def world_build(name: str, *, shoppers: int | None = None, seed: int | None = None, log=print) -> None:
    """Import and simulate what is missing (nothing when the world's shoppers exist)."""
    from django.core.management import call_command

    from shop.catalog.models import Product

    if world_shopper_ids(name):
        return
    if name == "demo":
        call_command("demo_data", shoppers=shoppers or 300, seed=seed or 7, if_empty=True)
        return
    if not Product.objects.filter(external_id__isnull=False).exists():
        log(f"importing {FASHION_5K}")
        call_command("import_catalog", str(FASHION_5K))
    from benchmarks.worlds.fashion5k import fashion5k_shoppers_create

    log("simulating shoppers")
    log(str(fashion5k_shoppers_create(shoppers=shoppers or 400, seed=seed or 11)))
