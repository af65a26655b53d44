"""The merchandising rules as plain data, read once per rules version and cached.

In: nothing (the rule tables). Out: `live_rules()` -> a tuple of `ranking.rules.Rule` (active, not yet ended;
whether each is live *now* is the ranking's call, so a cached set still stops a campaign at its end time), and
`rules_version()` -> the token a rule change replaces (feeds cache under it, so a change reaches them at once).

Cost: one cache round trip for the version and one for the rules on a hit; on a miss three queries (rules, picks,
the category tree), however many rules there are. Fail-open: with the cache down every request reads the tables;
with the tables unreadable the shop recommends without rules and logs why.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict

from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone

from recommender import cache
from recommender.models import ComplementPick, MerchandisingRule
from recommender.ranking.rules import Condition, Rule
from shop.catalog.selectors import category_subtrees

logger = logging.getLogger(__name__)

RULES_SECONDS = 3600  # a version's rule set; a change moves to a new version, so this only bounds memory


RULES_FORMAT = 1  # bumped when `Rule`'s fields change, so no process unpickles a rule set of another shape


def _new_token() -> str:
    # Never repeats, so a version key lost to eviction cannot bring back feeds cached under an older one.
    return str(time.time_ns())


def _version_read() -> str:
    version = cache.strict.get(cache.MERCH_VERSION)
    if version is None:
        cache.strict.add(cache.MERCH_VERSION, _new_token(), timeout=None)
        version = cache.strict.get(cache.MERCH_VERSION)
    return str(version)


def rules_version() -> str:
    """The current rules version ("-" when the cache is unreachable: nothing is served from it then)."""
    return cache.fail_open(_version_read, down="-", says="merchandising: rules version unavailable")


def rules_version_bump() -> None:
    cache.set(cache.MERCH_VERSION, _new_token(), None)


def live_rules(*, version: str | None = None) -> tuple[Rule, ...]:
    version = version or rules_version()
    key = cache.merch_rules_key(form=RULES_FORMAT, version=version)
    if version != "-":
        cached = cache.get(key)
        if cached is not None:
            return cached
    try:
        with transaction.atomic():  # a savepoint: an unreadable table must not abort the caller's transaction
            rules = rules_load()
    except DatabaseError:
        logger.exception("merchandising: rules unreadable, recommending without them")
        return ()
    if version != "-":
        cache.set(key, rules, RULES_SECONDS)
    return rules


def rules_load(*, now=None) -> tuple[Rule, ...]:
    """Active rules not yet ended, as `Rule`s: three queries."""
    now = now or timezone.now()
    current = MerchandisingRule.objects.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now), is_active=True)
    rows = list(current)
    picks: dict[int, list[int]] = defaultdict(list)
    # A subquery, not the ids: an empty id list would skip the query and make the count depend on the rules.
    for rule_id, product_id in ComplementPick.objects.filter(rule__in=current.values("pk")).order_by(
            "rule_id", "position", "id").values_list("rule_id", "product_id"):
        picks[rule_id].append(product_id)
    subtree = category_subtrees()
    built = []
    for row in rows:
        try:
            built.append(rule_of(row, picks=tuple(picks[row.pk]), subtree=subtree))
        except ValueError as error:  # a row saved around admin's checks (a shell, a bad import): skipped, said
            logger.warning("merchandising: rule %s ignored: %s", row.pk, error)
    return tuple(built)


def rule_of(row: MerchandisingRule, *, picks: tuple[int, ...] = (), subtree: dict[int, frozenset[int]]) -> Rule:
    attribute = None
    if row.match_attribute_key.strip() and row.match_attribute_value.strip():
        attribute = (row.match_attribute_key.strip(), row.match_attribute_value.strip())
    condition = Condition(
        product_ids=frozenset({row.match_product_id}) if row.match_product_id else frozenset(),
        category_ids=subtree.get(row.match_category_id, frozenset({row.match_category_id}))
        if row.match_category_id else None,
        brand=row.match_brand.strip(), department=row.match_department.strip(), season=row.match_season.strip(),
        price_min=float(row.match_price_min) if row.match_price_min is not None else None,
        price_max=float(row.match_price_max) if row.match_price_max is not None else None,
        new_within_days=row.match_new_within_days, attribute=attribute,
    )
    return Rule(
        id=row.pk, kind=row.kind, name=row.name, priority=row.priority, starts_at=row.starts_at, ends_at=row.ends_at,
        placement=row.placement or None, rail=row.rail, anchor_id=row.anchor_product_id,
        anchor_category_ids=subtree.get(row.anchor_category_id, frozenset({row.anchor_category_id}))
        if row.anchor_category_id else None,
        condition=condition, factor=float(row.factor), product_id=row.product_id, position=row.position,
        picks=picks, fill=row.fill,
    )
