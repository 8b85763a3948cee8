"""The arithmetic of written standard setting, apart from the database (so that it can be
checked by hand).

Modified Angoff. Each judge estimates, for every item, the percentage of borderline
candidates who would answer it correctly. A judge's cut score is the sum of their
estimates over the items, expressed as a percentage of the number of items (the mean of
their estimates). The panel's cut score is the mean of the judges' cut scores. The spread
between judges is the sample standard deviation of their cut scores (n − 1: the judges are
a sample of possible judges) with its minimum and maximum; the items on which the judges
disagree most are those with the widest range of estimates. Only judges who rated every
item count.

Hofstee compromise. Each judge also gives the lowest and highest acceptable cut score and
the lowest and highest acceptable fail rate; the panel's bounds are the judges' means. The
line from (lowest cut, highest fail rate) to (highest cut, lowest fail rate) is drawn over
the observed fail-rate curve F(c), the percentage of candidates scoring below c; the
compromise cut is where the curve reaches the line. F only rises and the line only falls,
so there is at most one crossing; if it lies outside the judges' cut range there is none.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

WIDEST = 5  # items listed as the widest disagreement


@dataclass
class ItemSpread:
    question_id: int
    mean: float
    low: float
    high: float

    @property
    def range(self) -> float:
        return self.high - self.low


@dataclass
class AngoffResult:
    judges: int  # judges who rated every item
    items: int
    judge_cuts: dict[int, float]  # judge id → their cut score (% of items)
    cut: float | None
    sd: float | None
    low: float | None
    high: float | None
    widest: list[ItemSpread] = field(default_factory=list)


def angoff_compute(*, ratings: dict[int, dict[int, Decimal | float]], question_ids: list[int]) -> AngoffResult:
    """``ratings`` is judge id → question id → percent. Judges who left any item unrated
    are left out of every figure."""
    complete = {judge: r for judge, r in ratings.items() if all(q in r for q in question_ids)}
    count = len(question_ids)
    judge_cuts = (
        {judge: sum(float(r[q]) for q in question_ids) / count for judge, r in complete.items()} if count else {}
    )
    cuts = list(judge_cuts.values())
    cut = sum(cuts) / len(cuts) if cuts else None
    sd = math.sqrt(sum((c - cut) ** 2 for c in cuts) / (len(cuts) - 1)) if len(cuts) >= 2 else None
    spreads = []
    if complete:
        for q in question_ids:
            values = [float(r[q]) for r in complete.values()]
            spreads.append(ItemSpread(q, sum(values) / len(values), min(values), max(values)))
    widest = sorted((s for s in spreads if s.range > 0), key=lambda s: (-s.range, s.question_id))[:WIDEST]
    return AngoffResult(
        judges=len(cuts), items=count, judge_cuts=judge_cuts, cut=cut, sd=sd,
        low=min(cuts, default=None), high=max(cuts, default=None), widest=widest,
    )  # fmt: skip


@dataclass
class HofsteeResult:
    min_cut: float
    max_cut: float
    min_fail: float
    max_fail: float
    candidates: int
    cut: float | None  # None: the fail-rate curve does not cross the judges' line
    fail_rate: float | None
    curve: list[tuple[float, float]]  # F as a step line: (score %, fail rate %) points

    def line_at(self, c: float) -> float:
        return self.max_fail - (self.max_fail - self.min_fail) * (c - self.min_cut) / (self.max_cut - self.min_cut)


def fail_rate(scores: list[float], cut: float) -> float:
    """Percentage of ``scores`` below ``cut`` (those candidates fail)."""
    return 100 * sum(1 for s in scores if s < cut) / len(scores) if scores else 0.0


def hofstee_compute(*, bounds: list[tuple[float, float, float, float]], scores: list[float]) -> HofsteeResult | None:
    """``bounds``: each judge's (min cut, max cut, min fail, max fail) in percent;
    ``scores``: the candidates' percentages. None without bounds."""
    if not bounds:
        return None
    n = len(bounds)
    min_cut, max_cut, min_fail, max_fail = (sum(float(b[i]) for b in bounds) / n for i in range(4))
    curve = [(0.0, 0.0)]
    for s in sorted(set(scores)):  # F jumps at each score: those who scored exactly s fail above it
        curve += [(s, fail_rate(scores, s)), (s, 100 * sum(1 for x in scores if x <= s) / len(scores))]
    curve.append((100.0, curve[-1][1]))
    result = HofsteeResult(min_cut, max_cut, min_fail, max_fail, len(scores), None, None, curve)
    if not scores or max_cut <= min_cut:
        return result

    def gap(c: float) -> float:  # rises with c: F rises, the line falls
        return fail_rate(scores, c) - result.line_at(c)

    if gap(min_cut) >= 0 or gap(max_cut) < 0:
        return result  # the curve is above the line over the whole range, or below it
    low, high = min_cut, max_cut
    for _step in range(60):  # the first cut where F reaches the line, to ~1e-15 of the range
        middle = (low + high) / 2
        if gap(middle) >= 0:
            high = middle
        else:
            low = middle
    # Rounded to a millionth so that a crossing at a jump of F lands on the score itself.
    result.cut = round(high, 6)
    result.fail_rate = fail_rate(scores, result.cut)  # what the cut would really fail
    return result
