"""Geometry for the server-drawn SVG chart of certificates issued per month."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

WIDTH, HEIGHT, TOP, BOTTOM = 720, 200, 22, 26


@dataclass(frozen=True)
class Bar:
    month: datetime.date
    count: int
    x: float
    y: float
    width: float
    height: float

    @property
    def label_x(self) -> float:
        return self.x + self.width / 2


@dataclass(frozen=True)
class MonthChart:
    bars: list[Bar]
    total: int
    width: int = WIDTH
    height: int = HEIGHT
    baseline: int = HEIGHT - BOTTOM


def month_chart(rows: list[tuple[datetime.date, int]]) -> MonthChart:
    peak = max((n for _m, n in rows), default=0) or 1
    slot = WIDTH / max(len(rows), 1)
    usable = HEIGHT - TOP - BOTTOM
    bars = []
    for i, (month, count) in enumerate(rows):
        height = usable * count / peak
        bars.append(Bar(month, count, i * slot + slot * 0.18, HEIGHT - BOTTOM - height, slot * 0.64, height))
    return MonthChart(bars=bars, total=sum(n for _m, n in rows))
