"""Server-rendered SVG bar charts: no JavaScript, no CDN, readable by screen readers.

Each chart is an <svg role="img"> with a <title> and a <desc> that states every number, a <title>
on each bar (a tooltip), the category labels and values as text, and a legend. Colours come from
the stylesheet (classes ``series-0`` …) with fill attributes as a fallback for printing and saving.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext
from markupsafe import Markup, escape

FALLBACK_FILLS = ("#0a5aa8", "#1d6b35", "#a4161a", "#8a4b00", "#5b6472")
NAMED_FILLS = {
    "series-registered": "#0a5aa8",
    "series-attended": "#1d6b35",
    "series-noshow": "#a4161a",
    "series-waitlisted": "#8a4b00",
}
WIDTH = 640
LABEL_HEIGHT = 18
BAR_HEIGHT = 14
BAR_GAP = 3
GROUP_GAP = 12
VALUE_ROOM = 48
SHORT_LABEL = 16  # characters: labels up to this long go beside the bars
LABEL_WIDTH = 130
_ids = itertools.count(1)


def _columns(text: str) -> int:
    """Display width in Latin columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[int]


def bar_chart(
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    css_classes: Sequence[str] | None = None,
) -> Markup:
    """Horizontal grouped bars, one bar per series. Short labels (entities, tables) sit to the
    left of their bars; long ones (session titles) on a line of their own above them."""
    n = next(_ids)
    classes = list(css_classes or [f"series-{i}" for i in range(len(series))])
    top = 30 if len(series) > 1 else 6
    beside = max((_columns(c) for c in categories), default=0) <= SHORT_LABEL
    left = LABEL_WIDTH if beside else 0
    bars = len(series) * (BAR_HEIGHT + BAR_GAP)
    group = (0 if beside else LABEL_HEIGHT) + bars + GROUP_GAP
    height = top + max(len(categories), 1) * group
    biggest = max((v for s in series for v in s.values), default=0) or 1
    scale = (WIDTH - left - VALUE_ROOM) / biggest
    desc = "; ".join(
        f"{c}: " + ", ".join(f"{s.name} {s.values[i]}" for s in series)
        for i, c in enumerate(categories)
    ) or gettext("No data.")
    parts = [
        f'<svg class="chart" role="img" aria-labelledby="chart{n}-t chart{n}-d" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart{n}-t">{escape(title)}</title>',
        f'<desc id="chart{n}-d">{escape(desc)}</desc>',
    ]
    if len(series) > 1:
        x = 0
        for i, s in enumerate(series):
            parts.append(
                f'<rect class="{classes[i]}" fill="{_fill(classes[i], i)}" x="{x}" y="6" '
                f'width="12" height="12" aria-hidden="true"/>'
            )
            parts.append(f'<text class="legend" x="{x + 16}" y="16">{escape(s.name)}</text>')
            x += 24 + 8 * _columns(s.name)
    y = top
    for i, category in enumerate(categories):
        if beside:
            middle = y + bars / 2 + 4
            parts.append(
                f'<text class="category" x="{left - 8}" y="{middle:.0f}" '
                f'text-anchor="end">{escape(category)}</text>'
            )
        else:
            parts.append(f'<text class="category" x="0" y="{y + 13}">{escape(category)}</text>')
            y += LABEL_HEIGHT
        for j, s in enumerate(series):
            value = s.values[i]
            width = round(value * scale, 1)
            label = f"{category}: {s.name} {value}"
            # A zero draws no bar at all (a zero-width rounded bar shows as a stray line).
            bar = (
                f'<rect class="{classes[j]}" fill="{_fill(classes[j], j)}" x="{left}" y="{y}" '
                f'width="{width}" height="{BAR_HEIGHT}" rx="2"/>'
                if value
                else ""
            )
            parts.append(
                f"<g><title>{escape(label)}</title>{bar}"
                f'<text class="value" x="{left + width + 4}" y="{y + BAR_HEIGHT - 3}">{value}'
                f"</text></g>"
            )
            y += BAR_HEIGHT + BAR_GAP
        y += GROUP_GAP
    if not categories:
        empty = escape(gettext("No data yet."))
        parts.append(f'<text class="category" x="0" y="{top + 13}">{empty}</text>')
    parts.append("</svg>")
    # Every interpolated text is escaped above; CSS classes are template constants.
    return Markup("".join(parts))  # noqa: S704  # nosec B704


def _fill(css_class: str, i: int) -> str:
    return NAMED_FILLS.get(css_class) or FALLBACK_FILLS[i % len(FALLBACK_FILLS)]
