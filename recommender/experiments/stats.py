"""Statistics for experiments. Pure: counts in, figures out; numpy and scipy only, no Django.

`proportion_compare(control, treatment, alpha)`: the difference of two proportions (treatment - control) with a
two-sided (1 - alpha) Wald interval (unpooled standard error), the relative lift, and the two-sided p-value of
the pooled two-proportion z-test. Significant when p < alpha (the interval then excludes 0, up to the pooled vs
unpooled standard error).

`sample_ratio_check(observed, planned)`: a chi-square goodness-of-fit test of the units per arm against the planned
shares. A p-value under SRM_ALPHA (0.001, the usual threshold: a true split fails it once in a thousand checks)
means assignment or logging is broken and the results should not be trusted.

`sample_size_per_arm(p_control, p_treatment, alpha, power)`: units per arm a two-sided two-proportion z-test needs
to detect that difference with that power (the standard normal-approximation formula); None when there is no
difference to detect.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from scipy import stats as _scipy

SRM_ALPHA = 0.001


@dataclass(frozen=True)
class Proportion:
    successes: int
    trials: int

    @property
    def rate(self) -> float:
        return self.successes / self.trials if self.trials else 0.0


@dataclass(frozen=True)
class Comparison:
    control: float
    treatment: float
    difference: float  # treatment - control, in rate units
    low: float  # the difference's confidence interval
    high: float
    lift: float | None  # difference / control; None when the control's rate is 0
    p_value: float
    significant: bool

    @property
    def winner(self) -> str | None:
        """"treatment" or "control" when the difference is significant, else None."""
        if not self.significant:
            return None
        return "treatment" if self.difference > 0 else "control"


def proportion_compare(control: Proportion, treatment: Proportion, *, alpha: float = 0.05) -> Comparison:
    if not 0 < alpha < 1:
        raise ValueError("alpha must be between 0 and 1")
    p1, p2 = control.rate, treatment.rate
    difference = p2 - p1
    if control.trials == 0 or treatment.trials == 0:
        return Comparison(p1, p2, difference, -math.inf, math.inf, None, 1.0, False)
    z_crit = _scipy.norm.ppf(1 - alpha / 2)
    se = math.sqrt(p1 * (1 - p1) / control.trials + p2 * (1 - p2) / treatment.trials)
    pooled = (control.successes + treatment.successes) / (control.trials + treatment.trials)
    se_pooled = math.sqrt(pooled * (1 - pooled) * (1 / control.trials + 1 / treatment.trials))
    if se_pooled == 0:  # both rates 0 or both 1: nothing tells them apart
        p_value = 1.0
    else:
        p_value = float(2 * _scipy.norm.sf(abs(difference) / se_pooled))
    return Comparison(
        control=p1, treatment=p2, difference=difference, low=difference - z_crit * se, high=difference + z_crit * se,
        lift=difference / p1 if p1 else None, p_value=p_value, significant=p_value < alpha,
    )


@dataclass(frozen=True)
class SampleRatio:
    observed: dict[str, int]
    expected: dict[str, float]
    p_value: float

    @property
    def mismatch(self) -> bool:
        return self.p_value < SRM_ALPHA


def sample_ratio_check(observed: Mapping[str, int], planned: Mapping[str, float]) -> SampleRatio:
    """`planned`: each arm's share (any positive scale: percentages or fractions)."""
    arms = [arm for arm in planned if planned[arm] > 0]
    if set(observed) - set(arms):
        raise ValueError(f"units observed in arms without a share: {sorted(set(observed) - set(arms))}")
    total = sum(observed.get(arm, 0) for arm in arms)
    scale = sum(planned[arm] for arm in arms)
    expected = {arm: total * planned[arm] / scale for arm in arms}
    if total == 0 or len(arms) < 2:
        return SampleRatio(dict(observed), expected, 1.0)
    _, p_value = _scipy.chisquare([observed.get(arm, 0) for arm in arms], [expected[arm] for arm in arms])
    return SampleRatio(dict(observed), expected, float(p_value))


def sample_size_per_arm(p_control: float, p_treatment: float, *, alpha: float = 0.05,
                        power: float = 0.8) -> int | None:
    delta = abs(p_treatment - p_control)
    if delta == 0:
        return None
    z_a = _scipy.norm.ppf(1 - alpha / 2)
    z_b = _scipy.norm.ppf(power)
    mean = (p_control + p_treatment) / 2
    n = (z_a * math.sqrt(2 * mean * (1 - mean))
         + z_b * math.sqrt(p_control * (1 - p_control) + p_treatment * (1 - p_treatment))) ** 2 / delta ** 2
    return int(math.ceil(n))


def sample_still_needed(trials: Sequence[int], needed_per_arm: int | None) -> int | None:
    """How many more units the smallest arm needs; None when the effect is 0 (no sample size detects it)."""
    if needed_per_arm is None:
        return None
    return max(0, needed_per_arm - min(trials, default=0))
