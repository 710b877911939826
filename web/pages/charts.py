"""Charts drawn on the server as SVG: the geometry of horizontal bar charts and of a timeline,
for the templates to write out (`templates/app/_charts.html`). No script, no library: the
picture is in the page, and the same figures sit beside it in a table."""

from dataclasses import dataclass
from datetime import date

__all__ = ["Bar", "BarChart", "Mark", "Timeline", "bar_chart", "timeline"]

LABEL_WIDTH = 260
BAR_WIDTH = 380
ROW = 28
TIMELINE_WIDTH = 720
MIN_TICK_GAP = 90
"""Pixels between two dates written under the timeline, so that they never overlap."""


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float
    y: float = 0
    width: float = 0


@dataclass(frozen=True, slots=True)
class BarChart:
    bars: list[Bar]
    width: int
    height: int
    label_width: int
    maximum: float


def bar_chart(rows: list[tuple[str, float]]) -> BarChart:
    """Bars for `rows` (label, value), longest for the largest value."""
    maximum = max((v for _, v in rows), default=0)
    bars = [
        Bar(
            label=label,
            value=value,
            y=i * ROW + 4,
            width=(BAR_WIDTH * value / maximum) if maximum else 0,
        )
        for i, (label, value) in enumerate(rows)
    ]
    return BarChart(
        bars=bars,
        width=LABEL_WIDTH + BAR_WIDTH + 60,
        height=max(1, len(rows)) * ROW + 8,
        label_width=LABEL_WIDTH,
        maximum=maximum,
    )


@dataclass(frozen=True, slots=True)
class Mark:
    x: float
    row: int
    label: str
    day: date
    kind: str
    """`expiring`, `overdue`, `due` or `proposal`: its colour and shape."""


@dataclass(frozen=True, slots=True)
class Timeline:
    marks: list[Mark]
    start: date
    end: date
    today_x: float
    width: int
    height: int
    ticks: list[tuple[float, str]]


def timeline(items: list[tuple[date, str, str]], *, today: date, end: date) -> Timeline:
    """`items` (day, label, kind) placed between the earliest of them (or today) and `end`;
    marks on the same day are stacked."""
    start = min([today, *(d for d, _, _ in items)])
    span = max(1, (end - start).days)
    margin = 40
    usable = TIMELINE_WIDTH - 2 * margin

    def x_of(day: date) -> float:
        return margin + usable * (day - start).days / span

    stacked: dict[date, int] = {}
    marks = []
    for day, label, kind in sorted(items, key=lambda i: i[0]):
        row = stacked.get(day, 0)
        stacked[day] = row + 1
        marks.append(Mark(x=x_of(day), row=row, label=label, day=day, kind=kind))
    rows = max(stacked.values(), default=1)
    ticks: list[tuple[float, str]] = []
    for day in sorted({start, today, end}):
        x = x_of(day)
        if ticks and x - ticks[-1][0] < MIN_TICK_GAP:
            continue
        ticks.append((x, day.isoformat()))
    return Timeline(
        marks=marks,
        start=start,
        end=end,
        today_x=x_of(today),
        width=TIMELINE_WIDTH,
        height=70 + rows * 14,
        ticks=ticks,
    )
