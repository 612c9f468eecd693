"""The threats page's chart of cases opened, saved and lost per month: an SVG drawn on the
server and the same numbers as a table, from one list of rows so the two cannot disagree."""

from dataclasses import dataclass, field
from datetime import date

from django import template

register = template.Library()

# The months the chart shows, ending with the current one; earlier ones are summed in a row.
MONTHS = 24
SERIES = (("opened", "Opened"), ("saved", "Saved"), ("lost", "Lost"))
WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 40, 30, 12, 44
MAX_TICKS = 5


@dataclass
class Row:
    period: date
    label: str
    counts: dict
    bars: list = field(default_factory=list)


@dataclass
class Bar:
    series: str
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float


def months_back(last, count):
    """The first days of the `count` months ending with last's month, oldest first."""
    year, month = last.year, last.month
    firsts = []
    for _ in range(count):
        firsts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return firsts[::-1]


def chart_rows(stats, today, months=MONTHS):
    """(rows of the last `months` months, zeros filled in; totals of the months before them)."""
    by_period = {row["period"].replace(day=1): row for row in stats}
    firsts = months_back(today, months)
    rows = []
    for first in firsts:
        found = by_period.get(first, {})
        counts = {name: found.get(name, 0) for name, _ in SERIES}
        rows.append(Row(first, first.strftime("%b %Y"), counts))
    earlier = {name: 0 for name, _ in SERIES}
    for row in stats:
        if row["period"] < firsts[0]:
            for name in earlier:
                earlier[name] += row[name]
    return rows, earlier


def y_ticks(largest):
    """Whole-number gridlines from 0 to a round top at or above largest."""
    step = max(1, -(-largest // MAX_TICKS))
    top = max(1, -(-largest // step) * step)
    return list(range(0, top + 1, step))


def place_bars(rows, ticks):
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    group = plot_width / len(rows)
    width = group * 0.8 / len(SERIES)
    for index, row in enumerate(rows):
        for offset, (name, label) in enumerate(SERIES):
            value = row.counts[name]
            height = plot_height * value / ticks[-1]
            x = LEFT + index * group + group * 0.1 + offset * width
            y = TOP + plot_height - height
            row.bars.append(Bar(name, label, value, *(round(n, 1) for n in (x, y, width, height))))


@register.inclusion_tag("mapapp/_threat_chart.html")
def threat_chart(stats, today):
    """The chart and its table for threat_stats rows (reads.threats), up to today's month."""
    rows, earlier = chart_rows(stats, today)
    largest = max((v for row in rows for v in row.counts.values()), default=0)
    ticks = y_ticks(largest)
    place_bars(rows, ticks)
    plot_height = HEIGHT - TOP - BOTTOM
    return {
        "rows": rows,
        # In the order of SERIES, as the table's columns.
        "earlier": [earlier[name] for name, _ in SERIES] if any(earlier.values()) else None,
        "series": SERIES,
        "has_data": bool(stats),
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "baseline": TOP + plot_height,
        "label_y": TOP + plot_height + 18,
        "tick_x": LEFT - 6,
        "ticks": [
            (tick, round(TOP + plot_height - plot_height * tick / ticks[-1], 1)) for tick in ticks
        ],
        # Every third month is labelled under the axis, so labels never overlap.
        "labels": [
            (row.label, round(LEFT + (i + 0.5) * (WIDTH - LEFT - RIGHT) / len(rows), 1))
            for i, row in enumerate(rows)
            if (len(rows) - 1 - i) % 3 == 0
        ],
        "first": rows[0].label,
        "last": rows[-1].label,
        "totals": {name: sum(row.counts[name] for row in rows) for name, _ in SERIES},
    }
