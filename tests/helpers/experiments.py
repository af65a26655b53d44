"""Builders for the online-metrics and experiment tests: a shop whose home page has a trending rail, experiments
created and started through the services, the impression buffer drained, and simulated traffic written straight
into impressions and attributions (for results over many shoppers without as many requests)."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from decimal import Decimal

import numpy as np
from django.utils import timezone

from recommender.behaviour.services import signals_rebuild
from recommender.experiments.services import experiment_create, experiment_start
from recommender.impressions.flush import impressions_flush
from recommender.interactions.services import interaction_record
from recommender.models import Attribution, Impression
from tests.factories import product_with_sizes

PASSWORD = "a-long-test-password-1"
ADDRESS = {"full_name": "Ada Lovelace", "email": "ada@example.com", "address_line1": "1 Example Street",
           "city": "London", "postcode": "N1 1AA", "country": "United Kingdom"}
CARD_LINK = re.compile(r'href="(/[^"?]+)\?rail=([a-z_]+)&amp;rid=([0-9a-f]{16})"')


def trending_shop(count: int = 6) -> list:
    """Products viewed by a few earlier guests and the signals rebuilt: a new guest's home page has a rail."""
    products = [product_with_sizes(name=f"Trending {i}", price=Decimal(f"{20 + i}.00"), sizes=(("M", 9),))
                for i in range(count)]
    for shopper in range(3):
        for product in products:
            interaction_record(kind="view", product_id=product.pk, session_key=f"earlier-{shopper}",
                               at=timezone.now() - timedelta(hours=2))
    signals_rebuild()
    return products


def started(*, arms: list[dict], metric: str = "ctr", name: str | None = None):
    experiment = experiment_create(name=name or f"exp-{uuid.uuid4().hex[:8]}", arms=arms, primary_metric=metric)
    return experiment_start(experiment=experiment)


def flushed() -> dict:
    return impressions_flush()


def card_links(page: str) -> list[tuple[str, str, str]]:
    """(product path, rail, request id) of every recommendation card on a page."""
    return CARD_LINK.findall(page)


def simulated_traffic(experiment, *, ctr: dict[str, float], shoppers: dict[str, int], rails_each: int = 4,
                      seed: int = 0, days: int = 3) -> None:
    """For each arm, `shoppers[arm]` shoppers shown `rails_each` rails each over the last `days` days; each rail
    clicked with probability `ctr[arm]`. Written in bulk, as the flush would have written them."""
    rng = np.random.default_rng(seed)
    now = timezone.now()
    impressions, clicked = [], []
    for arm, count in shoppers.items():
        for shopper in range(count):
            for shown in range(rails_each):
                at = now - timedelta(days=float(rng.uniform(0, days)))
                impressions.append(Impression(
                    shown_at=at, request_id=uuid.uuid4().hex[:16], placement="home", rail="for_you",
                    product_ids=[1, 2, 3, 4], sources=[9, 9, 9, 9], session_key=f"{arm}-{shopper}-{seed}",
                    ranker="blend", experiment_id=experiment.pk, arm=arm))
                clicked.append(rng.random() < ctr[arm])
    Impression.objects.bulk_create(impressions, batch_size=5000)
    Attribution.objects.bulk_create([
        Attribution(impression=imp, kind="click", product_id=2, source=9, at=imp.shown_at + timedelta(seconds=20))
        for imp, hit in zip(impressions, clicked) if hit], batch_size=5000)
