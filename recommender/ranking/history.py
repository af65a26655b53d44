"""The history source: items the shopper viewed or carted before and has not bought, strongest return first. Pure.

In: the shopper's `features.Event`s (newest first) and k. Out: up to k `Candidate`s of Source.HISTORY, score
`features.history_strength` (more views, more recent: higher; a cart addition counts as two views), labelled with
when they last looked ("last week") for the reason "You viewed this last week".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from .candidates import Candidate, Source
from .features import Event, history_strength


def when(days: float) -> str:
    if days < 1:
        return "today"
    if days < 2:
        return "yesterday"
    if days < 7:
        return f"{int(days)} days ago"
    if days < 14:
        return "last week"
    if days < 60:
        return f"{int(days // 7)} weeks ago"
    return "a while ago"


def history_candidates(events: Sequence[Event], *, k: int) -> list[Candidate]:
    views: dict[int, float] = defaultdict(float)
    last: dict[int, float] = {}
    bought = {e.product_id for e in events if e.kind == "purchase"}
    for e in events:
        if e.product_id in bought or e.kind not in ("view", "click", "cart"):
            continue
        views[e.product_id] += 2.0 if e.kind == "cart" else 1.0
        last[e.product_id] = min(last.get(e.product_id, e.age_days), e.age_days)
    strength = {pid: history_strength(n, last[pid]) for pid, n in views.items()}
    best = sorted(strength, key=lambda pid: (-strength[pid], pid))[:k]
    return [Candidate.from_source(pid, Source.HISTORY, strength[pid], label=when(last[pid])) for pid in best]
