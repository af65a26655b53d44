"""Temporal split: each shopper's latest buying session held out, then hidden from everything the recommender reads.

In: signed-in shoppers' interactions. Out: a `Split`: per shopper, the cut time (the start of their last session
that has a cart addition or a purchase) and the targets (the products carted or bought from the cut on, less
anything they had bought before it: the shop never re-recommends a purchase). A shopper with nothing before the cut,
or no target, is left out.

`split_hide` deletes every interaction of a split's shoppers from their cut on. Run it inside a transaction that is
rolled back (see `runner.rolled_back`): profiles and the behaviour signals rebuilt afterwards then never see the
held-out items. Applying `split_compute` again to what is left gives the validation split (the session just before
the test one), on which weights are tuned, so tuning never sees a test item.

Sessions: interactions of one shopper closer than SESSION_GAP_MINUTES belong to one session.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import connection

from recommender.behaviour.services import SESSION_GAP_MINUTES
from recommender.models import Interaction, InteractionKind

BUYING = (InteractionKind.CART, InteractionKind.PURCHASE)


@dataclass
class Split:
    cuts: dict[int, datetime] = field(default_factory=dict)  # user id -> first held-out moment
    targets: dict[int, set[int]] = field(default_factory=dict)  # user id -> held-out products

    @property
    def held_out_pairs(self) -> int:
        return sum(len(t) for t in self.targets.values())


def shopper_cut(events: list[tuple[datetime, str, int]], *, gap: timedelta) -> tuple[datetime, set[int]] | None:
    """Pure: one shopper's (time, kind, product) events, any order -> (cut, targets), or None."""
    events = sorted(events)
    if not events:
        return None
    starts = [0]
    for i in range(1, len(events)):
        if events[i][0] - events[i - 1][0] > gap:
            starts.append(i)
    for start in reversed(starts):
        if start == 0:
            return None  # the only buying session is their first: nothing to learn from
        held = events[start:]
        if any(kind in BUYING for _, kind, _ in held):
            bought_before = {p for _, kind, p in events[:start] if kind == InteractionKind.PURCHASE}
            targets = {p for _, kind, p in held if kind in BUYING} - bought_before
            return (events[start][0], targets) if targets else None
    return None


def split_compute(*, user_ids: list[int] | None = None) -> Split:
    rows = Interaction.objects.filter(user__isnull=False)
    if user_ids is not None:
        rows = rows.filter(user_id__in=user_ids)
    by_user: dict[int, list] = defaultdict(list)
    for user_id, at, kind, product_id in rows.values_list("user_id", "created_at", "kind", "product_id").iterator():
        by_user[user_id].append((at, kind, product_id))
    gap = timedelta(minutes=SESSION_GAP_MINUTES)
    split = Split()
    for user_id in sorted(by_user):
        found = shopper_cut(by_user[user_id], gap=gap)
        if found:
            split.cuts[user_id], split.targets[user_id] = found
    return split


def split_hide(split: Split) -> int:
    """Delete the split's held-out interactions (one statement); the number of rows deleted."""
    if not split.cuts:
        return 0
    users = list(split.cuts)
    with connection.cursor() as cursor:
        cursor.execute(
            """DELETE FROM recommender_interaction i
                USING unnest(%s::bigint[], %s::timestamptz[]) AS c(user_id, cut)
                WHERE i.user_id = c.user_id AND i.created_at >= c.cut""",
            [users, [split.cuts[u] for u in users]],
        )
        return cursor.rowcount
