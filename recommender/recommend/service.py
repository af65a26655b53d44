"""Recommendations for a placement: gather candidates, fetch facts once, rank, in a fixed number of queries.

In: placement, who is asking (user / session key), anchors (the product on the page or the
cart's products), k and optional filters. Out: `ranking.Ranked` items (product id, score in
[0, 1], reason, source), best first.

Cold start falls out of what evidence exists: a new product has only visual neighbours; a new
guest has trending plus what they viewed this visit.

On home, two more sources join: what they viewed before and did not buy (history), and the collaborative factors
of the serving `RankerVersion` (their history folded in). When a learned ranker serves, home is ordered by it
(`ranking.learned.rank_learned`) over features from facts fetched here (two more queries); otherwise, and on every
other placement, by the linear blend. Either way the staff's merchandising rules (live at `now`, read once per
rules version: recommender.merchandising.selectors) apply between the scores and diversity; `RecommendInputs.ranking`
ranks with or without them and says what each did.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from recommender.collaborative.train import ALPHA, HALF_LIFE_DAYS
from recommender.conf import recommender_setting
from recommender.experiments.serving import merchandising_enabled
from recommender.merchandising.selectors import live_rules
from recommender.ranking import Candidate, Placement, Ranked, Request, Shopper, Source, merge
from recommender.ranking.features import KIND_WEIGHTS, Context, Event
from recommender.ranking.history import history_candidates
from recommender.ranking.learned import learned_inputs, rank_learned_steered
from recommender.ranking.rank import Ranking, rank_steered
from recommender.ranking.rules import Rules
from recommender.recommend import candidates as selectors
from recommender.recommend.facts import product_facts
from recommender.recommend.profiles import StyleProfile, style_profile_for
from recommender.recommend.ranker import served_models
from recommender.recommend.shopper_facts import item_stats, shopper_events
from recommender.recommend.weights import recommendation_weights

HOME_ANCHORS = 5  # liked / carted / bought items whose neighbours feed "for you"
HOME_VISUAL_ANCHORS = 3  # ... of which the strongest have their look-alikes fetched
# The learned sources reach further than the others: a shopper's own history is short and every item of it is
# strong evidence, and the factor scores rank the whole catalogue in one product (docs/learned-ranking.md: share
# of held-out purchases each source reaches).
HISTORY_CANDIDATES = 100
COLLAB_CANDIDATES = 100


def shopper_of(profile: StyleProfile) -> Shopper:
    return Shopper(sizes=profile.sizes, bought_ids=profile.bought_ids, recently_viewed_ids=frozenset(profile.recent_ids))


def gather(
    *, placement: Placement, profile: StyleProfile, anchor_ids: Sequence[int] = (), sources: Iterable[Source] | None = None
) -> list[Candidate]:
    """Every source's candidates for a placement (restricted to `sources` when given)."""
    wanted = set(sources) if sources is not None else set(Source)
    found: list[Candidate] = []
    if placement in (Placement.PRODUCT, Placement.CART):
        if Source.VISUAL in wanted:
            found += selectors.visual_candidates(anchor_ids=list(anchor_ids)[:3])
        if Source.CO_BUY in wanted:
            found += selectors.behaviour_candidates(anchor_ids=anchor_ids, source=Source.CO_BUY)
        if Source.CO_VIEW in wanted:
            found += selectors.behaviour_candidates(anchor_ids=anchor_ids, source=Source.CO_VIEW)
    if placement == Placement.HOME:
        if Source.PROFILE in wanted:
            found += selectors.profile_candidates(profile=profile)
        # Their strongest liked, carted or bought items (decayed): anchors for "looks like" and behaviour
        # neighbours when they have not browsed this visit. Look-alikes of these and of this visit's views
        # come from one query (one HNSW scan per anchor).
        liked = [pid for pid, _ in profile.liked[:HOME_ANCHORS]]
        visual = {}
        if Source.SESSION in wanted:
            visual[Source.SESSION] = selectors.session_anchors(profile)
        if liked and Source.VISUAL in wanted:
            visual[Source.VISUAL] = liked[:HOME_VISUAL_ANCHORS]
        if any(visual.values()):
            found += selectors.visual_candidates_by_source(visual)
        recent = list(profile.recent_ids[:3]) or liked
        if recent and Source.CO_VIEW in wanted:
            found += selectors.behaviour_candidates(anchor_ids=recent, source=Source.CO_VIEW)
        bought = liked or sorted(profile.bought_ids)[:HOME_ANCHORS]
        if bought and Source.CO_BUY in wanted:
            found += selectors.behaviour_candidates(anchor_ids=bought, source=Source.CO_BUY)
        if Source.TRENDING in wanted:
            found += selectors.favourite_category_trending_candidates(profile=profile, exclude=anchor_ids)
    if Source.TRENDING in wanted and placement in (Placement.HOME, Placement.CART):
        found += selectors.trending_candidates(exclude=anchor_ids)
    return found


@dataclass
class RecommendInputs:
    """Everything `rank` needs for one request, fetched once; `ranked(weights)` re-ranks without queries."""

    candidates: list[Candidate]
    facts: dict
    shopper: Shopper
    request: Request
    context: Context | None = None  # the learned ranker's facts (home only)
    ranker: object | None = None  # the serving learned model, if one serves
    rules: Rules | None = None  # the staff rules live for this request (None: none)

    def ranked(self, weights: dict[str, float] | None = None) -> list[Ranked]:
        """The learned ranker's order when one serves and no weights are asked for, else the blend's."""
        return self.ranking(weights).items

    def ranking(self, weights: dict[str, float] | None = None, *, steered: bool = True) -> Ranking:
        """As `ranked`, with what each staff rule did; `steered=False` ranks as if there were no rules."""
        rules = self.rules if steered else None
        if weights is None and self.ranker is not None and self.context is not None:
            return self._learned(self.ranker, rules=rules)
        return rank_steered(
            self.candidates, facts=self.facts, shopper=self.shopper, request=self.request,
            weights=weights or recommendation_weights(), mmr_lambda=float(recommender_setting("MMR_LAMBDA")),
            cosine_floor=float(recommender_setting("COSINE_FLOOR")), rules=rules,
        )

    def learned_matrix(self):
        """(filtered candidates, their feature matrix): what the learned ranker is trained and run on."""
        return learned_inputs(self.candidates, facts=self.facts, shopper=self.shopper, request=self.request,
                              context=self.context)

    def ranked_learned(self, model) -> list[Ranked]:
        return self._learned(model, rules=None).items

    def _learned(self, model, *, rules: Rules | None) -> Ranking:
        return rank_learned_steered(
            self.candidates, facts=self.facts, shopper=self.shopper, request=self.request, context=self.context,
            model=model, mmr_lambda=float(recommender_setting("MMR_LAMBDA")),
            cosine_floor=float(recommender_setting("COSINE_FLOOR")), rules=rules,
        )


def learned_sources(*, events: Sequence[Event], served, wanted: set[Source]) -> tuple[list[Candidate], dict]:
    """History and collaborative candidates from the shopper's events (plain data); (candidates, user factors)."""
    found = history_candidates(events, k=HISTORY_CANDIDATES) if Source.HISTORY in wanted else []
    user = None
    if served is not None and served.factors is not None:
        confidence: dict[int, float] = {}
        for e in events:
            confidence[e.product_id] = confidence.get(e.product_id, 0.0) + ALPHA * KIND_WEIGHTS.get(e.kind, 1.0) \
                * 0.5 ** (max(e.age_days, 0.0) / HALF_LIFE_DAYS)
        user = served.factors.fold_in(confidence)
        if Source.COLLAB in wanted:
            bought = {e.product_id for e in events if e.kind == "purchase"}
            found += [Candidate.from_source(pid, Source.COLLAB, score)
                      for pid, score in served.factors.top(user, k=COLLAB_CANDIDATES, exclude=bought)]
    return found, {"user": user}


def recommend_inputs(
    *,
    placement: Placement | str,
    user=None,
    session_key: str | None = None,
    anchor_ids: Sequence[int] = (),
    k: int = 12,
    sources: Iterable[Source] | None = None,
    profile: StyleProfile | None = None,
    category_ids: frozenset[int] | None = None,
    price_min: float | None = None,
    price_max: float | None = None,
    size: str | None = None,
    now: datetime | None = None,
    learned: bool | None = None,
    merchandised: bool | None = None,
    history: bool | None = None,
    history_beside: bool = False,
) -> RecommendInputs:
    """`now`: the request's moment (offline evaluation asks as of a past one); `learned`: fetch the learned ranker's
    facts on home (None: when a learned ranker serves); `merchandised`: with the staff rules live at `now` (None: unless the shopper's experiment arm
    switches them off); `history`: fetch the shopper's events for the history source on home even when no learned
    ranker serves (None: when the blend weighs it, as a tuned blend may); `history_beside`: see Request."""
    placement = Placement(placement)
    now = now or timezone.now()
    profile = profile if profile is not None else style_profile_for(user=user, session_key=session_key, now=now)
    found = gather(placement=placement, profile=profile, anchor_ids=anchor_ids, sources=sources)
    served = served_models() if placement == Placement.HOME else None
    learned = (served is not None and served.ranker is not None) if learned is None else learned
    events: tuple[Event, ...] = ()
    user_factors = None
    if history is None:
        history = placement == Placement.HOME and recommendation_weights().get("history", 0.0) > 0
    if placement == Placement.HOME and (learned or served is not None or history):
        events = shopper_events(user=user, session_key=session_key, now=now)
        extra, user_factors = learned_sources(events=events, served=served,
                                              wanted=set(sources) if sources is not None else set(Source))
        found += extra
        user_factors = user_factors["user"]
    candidates = merge(found)
    merchandised = merchandising_enabled() if merchandised is None else merchandised
    rules = Rules(live_rules(), now=now, anchor_ids=frozenset(anchor_ids)) if merchandised else None
    # Anchors (for the rules' scopes) and pinned or picked products join the candidates' facts: same two queries.
    extra = [*anchor_ids, *rules.product_ids()] if rules is not None and rules.rules else []
    facts = product_facts(product_ids=[*(c.product_id for c in candidates), *extra])
    if placement == Placement.HOME:
        candidates = merge(
            [*candidates, *selectors.attribute_candidates(candidates=candidates, profile=profile, facts=facts)]
        )
        candidates = selectors.anchor_profile_evidence(candidates, profile=profile, facts=facts)
    request = Request(
        placement=placement, k=k, anchor_ids=frozenset(anchor_ids), category_ids=category_ids,
        price_min=price_min, price_max=price_max, size=size, history_beside=history_beside,
    )
    context = None
    if placement == Placement.HOME and learned:
        ids = [c.product_id for c in candidates]
        factor_scores = served.factors.score_of(user_factors, ids) if served is not None and served.factors else {}
        context = Context(events=events, items=item_stats(product_ids=ids, now=now), factor_scores=factor_scores,
                          profile_vector=profile.vector, placement=placement,
                          blend_weights=(served.blend_weights if served is not None else None) or recommendation_weights(),
                          cosine_floor=float(recommender_setting("COSINE_FLOOR")))
    return RecommendInputs(candidates=candidates, facts=facts, shopper=shopper_of(profile), request=request,
                           context=context, ranker=served.ranker if served is not None else None, rules=rules)


def recommend(*, weights: dict[str, float] | None = None, **request) -> list[Ranked]:
    """`recommend_inputs(**request)` ranked with `weights` (the tuned or configured ones when None)."""
    return recommend_inputs(**request).ranked(weights)
