"""Read the learned ranker's state for the health page: which version serves, which wait in the shadow, and why.

`ranker_state()` -> {"serving": version dict or None, "shadow": [version dicts, newest first, at most SHADOWS],
"latest": the newest run's version dict or None, "reason": one sentence: why the learned ranker serves, or why the
linear blend does}. A version dict: id, status, created_at, promoted_at, reason, figures (period, shoppers, NDCG@k,
hit rate and coverage of the version, the serving one and the blend on the later period, feature importance).
Three queries, no model payloads read.
"""

from __future__ import annotations

from recommender.models import RankerStatus, RankerVersion

SHADOWS = 5
_FIELDS = ("pk", "status", "created_at", "promoted_at", "reason", "figures")


def _as_dict(row: dict) -> dict:
    return {"id": row["pk"], **{name: row[name] for name in _FIELDS[1:]}}


def ranker_state() -> dict:
    rows = RankerVersion.objects.values(*_FIELDS)
    serving = rows.filter(status=RankerStatus.SERVING).first()
    shadow = list(rows.filter(status=RankerStatus.SHADOW)[:SHADOWS])
    latest = rows.first()
    if serving is not None:
        reason = f"learned ranker version {serving['pk']} serves: {serving['reason']}"
    elif latest is None:
        reason = "no learned ranker trained yet (python manage.py train_ranker): the linear blend serves"
    else:
        reason = latest["reason"] if latest["status"] == RankerStatus.SKIPPED else \
            f"the linear blend serves: {latest['reason']}"
    return {"serving": _as_dict(serving) if serving else None, "shadow": [_as_dict(r) for r in shadow],
            "latest": _as_dict(latest) if latest else None, "reason": reason}
