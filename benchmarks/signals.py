"""bench signals: time a full behaviour-signal rebuild on synthetic interactions in a scratch database.

In: how many events, products and shoppers. Out: {"events", "seconds", ...}: seconds is the
wall time of `signals_rebuild` alone (read, compute, write, flip), measured on a database made for
the run on the same server (CREATE DATABASE, migrate) and dropped afterwards: the shop's tables are
never touched.

Synthetic history: 8 weeks; 60% of shoppers signed in, the rest guests; shopper activity is
log-normal, sessions of ~8 events stay in one category, products within a category are drawn
Zipf-like (a few best-sellers, a long tail); 80% views, 5% clicks, 5% likes, 6% cart, 4% purchases.
Rows that the unique indexes would collapse are dropped before COPY (COPY has no ON CONFLICT).
"""

from __future__ import annotations

import os
import time
from datetime import datetime, timezone as dt_timezone

import numpy as np
from django.core.management import call_command
from django.db import connections

from recommender.behaviour.services import KIND_CODES, signals_rebuild
from recommender.conf import recommender_setting
from recommender.interactions.services import COLLAPSE_KINDS, COLLAPSE_MINUTES

WEEKS = 8
CATEGORIES = 40
KIND_SHARES = {"view": 0.80, "click": 0.05, "like": 0.05, "cart": 0.06, "purchase": 0.04}


def run(*, events: int, products: int, shoppers: int, seed: int = 5, log) -> dict:
    alias, name = "bench_signals", f"bench_signals_{os.getpid()}"
    default = connections["default"]
    with default.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connections.settings[alias] = {**connections.settings["default"], "NAME": name}
    try:
        log(f"scratch database {name}: migrating")
        call_command("migrate", database=alias, verbosity=0)
        log(f"generating {events:,} events over {products:,} products and {shoppers:,} shoppers")
        end = _fill(alias, events=events, products=products, shoppers=shoppers, seed=seed)
        log("rebuilding")
        steps: dict[str, float] = {}
        started = time.perf_counter()
        rebuild = signals_rebuild(using=alias, now=end, progress=lambda step: steps.setdefault(
            step, time.perf_counter() - started))
        seconds = time.perf_counter() - started
        marks = [steps["read"], steps["compute"], steps["write"], seconds]
        return {"events": rebuild.events, "seconds": round(seconds, 2), "pairs": rebuild.pairs,
                "products": rebuild.products, "read_s": round(marks[1] - marks[0], 2),
                "compute_s": round(marks[2] - marks[1], 2), "write_s": round(marks[3] - marks[2], 2)}
    finally:
        connections[alias].close()
        del connections[alias]
        connections.settings.pop(alias, None)
        with default.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _fill(alias: str, *, events: int, products: int, shoppers: int, seed: int) -> datetime:
    rng = np.random.default_rng(seed)
    end = datetime(2026, 1, 1, tzinfo=dt_timezone.utc)
    users = int(shoppers * 0.6)
    with connections[alias].cursor() as cursor:
        cursor.execute("INSERT INTO catalog_category (name, slug, position) "
                       "SELECT 'Bench ' || n, 'bench-' || n, 0 FROM generate_series(1, %s) n", [CATEGORIES])
        cursor.execute("""
            INSERT INTO catalog_product (name, slug, description, brand, category_id, gender, base_colour, season,
                                         usage, attributes, price, currency, is_active, created_at, updated_at)
            SELECT 'P' || n, 'p-' || n, '', 'Bench', (SELECT min(id) FROM catalog_category) + n %% %s, 'unisex',
                   '', '', '', '{}', 10, 'EUR', true, now(), now()
            FROM generate_series(0, %s - 1) n""", [CATEGORIES, products])
        first_user = bench_users(cursor, users)
        cursor.execute("SELECT min(id) FROM catalog_product")
        first_product = cursor.fetchone()[0]
        rows = _events(rng, events=events, products=products, shoppers=shoppers, end=end.timestamp())
        shopper, product, kind, at = rows
        copy_interactions(cursor, shopper=shopper, product=product, kind=kind, at=at,
                          first_user=first_user, first_product=first_product, user_count=users)
        cursor.execute("ANALYZE recommender_interaction")
    return end


def bench_users(cursor, count: int) -> int:
    """`count` sign-in-less users named bench-N in one INSERT; returns the first one's id (ids are contiguous)."""
    cursor.execute("""
        INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff,
                               is_active, date_joined)
        SELECT '!', false, 'bench-' || n, '', '', '', false, true, now() FROM generate_series(1, %s) n""", [count])
    cursor.execute("SELECT min(id) FROM auth_user")
    return cursor.fetchone()[0]


def copy_interactions(cursor, *, shopper, product, kind, at, first_user: int, first_product: int,
                      user_count: int) -> None:
    """COPY synthetic events (arrays from `_events`) into recommender_interaction.

    Shoppers below `user_count` are the scratch users, the rest guests; weights and collapse
    buckets follow the same settings as real recording.
    """
    weights = recommender_setting("INTERACTION_WEIGHTS")
    names = {code: name for name, code in KIND_CODES.items()}
    weight_of = {code: weights[name] for code, name in names.items()}
    window = COLLAPSE_MINUTES * 60
    collapse = {KIND_CODES[k] for k in COLLAPSE_KINDS}
    with cursor.cursor.copy("COPY recommender_interaction (user_id, session_key, product_id, kind, weight, rail, "
                            "order_id, variant_id, bucket, created_at) FROM STDIN") as copy:
        lines = []
        for s, p, k, t in zip(shopper.tolist(), product.tolist(), kind.tolist(), at.tolist()):
            who = f"{first_user + s}\t\\N" if s < user_count else f"\\N\tbench-guest-{s}"
            bucket = t // window if k in collapse else (0 if k == KIND_CODES["like"] else "\\N")
            stamp = datetime.fromtimestamp(t, dt_timezone.utc).isoformat()
            lines.append(f"{who}\t{first_product + p}\t{names[k]}\t{weight_of[k]}\t\t\\N\t\\N\t{bucket}\t{stamp}\n")
            if len(lines) >= 50_000:
                copy.write("".join(lines))
                lines.clear()
        copy.write("".join(lines))


def _events(rng, *, events: int, products: int, shoppers: int, end: float):
    """(shopper, product index, kind code, unix seconds) arrays, deduplicated like the unique indexes would."""
    wanted = int(events * 1.35)  # room for the rows collapsing drops
    per_session = 8
    sessions = wanted // per_session + 1
    activity = rng.lognormal(0, 1.2, shoppers)
    session_shopper = rng.choice(shoppers, size=sessions, p=activity / activity.sum())
    category_share = 1 / np.arange(1, CATEGORIES + 1) ** 0.7
    session_category = rng.choice(CATEGORIES, size=sessions, p=category_share / category_share.sum())
    session_start = end - rng.uniform(0, WEEKS * 7 * 86400, sessions)
    session = np.repeat(np.arange(sessions), per_session)[:wanted]
    per_category = products // CATEGORIES
    rank = np.minimum(rng.zipf(1.3, wanted) - 1, per_category - 1)  # 0 = the category's best-seller
    product = rank * CATEGORIES + session_category[session]  # product index; its category is index % CATEGORIES
    step = np.tile(np.arange(per_session), sessions)[:wanted]
    at = (session_start[session] + step * rng.uniform(15, 150, wanted)).astype(np.int64)
    codes = np.array([KIND_CODES[k] for k in KIND_SHARES])
    kind = rng.choice(codes, size=wanted, p=list(KIND_SHARES.values()))
    shopper = session_shopper[session]
    # What the unique indexes would collapse: same shopper, product, kind and window (likes: ever).
    window = COLLAPSE_MINUTES * 60
    bucket = np.where(kind == KIND_CODES["like"], 0, at // window)
    bucket = np.where(kind == KIND_CODES["purchase"], -1 - np.arange(wanted), bucket)  # purchases never collapse
    _, first = np.unique(np.stack([shopper, product, kind, bucket]), axis=1, return_index=True)
    keep = np.sort(first)[:events]
    return shopper[keep], product[keep], kind[keep], at[keep]
