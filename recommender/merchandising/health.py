"""The health page's merchandising card: each current rule and the share of recommendation lists it touched.

In: nothing (the rules table and the effect counters of recommender.merchandising.effects). Out: `MerchRow`s for
the rules live now or scheduled, strongest first, with (lists touched, lists served) over the last day. One query.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from recommender.merchandising.effects import touched_shares
from recommender.models import MerchandisingRule


@dataclass(frozen=True)
class MerchRow:
    id: int
    name: str
    kind: str
    live: bool
    touched: int
    served: int

    @property
    def percent(self) -> str:
        return f"{100 * self.touched / self.served:.1f}" if self.served else "0.0"


def merchandising_rows() -> list[MerchRow]:
    now = timezone.now()
    rules = list(MerchandisingRule.objects.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now), is_active=True)
                 .order_by("-priority", "id").values("id", "name", "kind", "factor", "starts_at"))
    shares = touched_shares(rule_ids=[r["id"] for r in rules], now=now)
    return [
        MerchRow(id=r["id"], name=r["name"], kind="bury" if r["kind"] == "boost" and r["factor"] < 1 else r["kind"],
                 live=r["starts_at"] is None or r["starts_at"] <= now, touched=shares.get(r["id"], (0, 0))[0],
                 served=shares.get(r["id"], (0, 0))[1])
        for r in rules
    ]


