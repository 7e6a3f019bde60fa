"""Inline SVG charts for the HTML report: generated here, no JavaScript, no external assets.

Pure functions from numbers to an ``<svg>`` string; every label goes through ``html.escape``.
Drawn for a phone first: 480 units wide with a ``viewBox`` (the page scales them to the screen),
legends and bar labels on their own lines above or below the plot rather than in a side column,
and labels cut to what fits, so no text runs off a 390 px screen.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from html import escape

__all__ = ["PALETTE", "bar_chart", "line_chart"]

# Colour-blind-safe (Okabe-Ito), then grey for "others".
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#999999")
_FONT_SIZE = 13
_FONT = f'font-family="system-ui, sans-serif" font-size="{_FONT_SIZE}"'
WIDTH = 480  # user units; at 360 px of screen a 13-unit label is 10 px
_CHAR = 0.6 * _FONT_SIZE  # a conservative average glyph width, to cut labels that would overflow


def _fit(text: str, room: float) -> str:
    """``text`` cut (with an ellipsis) to what ``room`` units hold."""
    most = max(1, int(room / _CHAR))
    return text if len(text) <= most else text[: most - 1] + "…"


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _day(d: int) -> str:
    return datetime.fromtimestamp(d * 86_400, tz=UTC).strftime("%Y-%m-%d")


def line_chart(
    series: Mapping[str, Mapping[int, int]], *, title: str, width: int = WIDTH, height: int = 220
) -> str:
    """One line per series over UTC days (``day number -> value``); missing days count as zero.
    The legend is below the plot, one series a line."""
    days = sorted({d for s in series.values() for d in s})
    if not days:
        return _empty(title, width)
    left, right, top, bottom = 44, 14, 30, 40
    legend = 18 * len(series)
    first, last = days[0], days[-1]
    span = max(1, last - first)
    peak = _nice_max(max((v for s in series.values() for v in s.values()), default=0))
    pw, ph = width - left - right, height - top - bottom

    def x(d: int) -> float:
        return left + pw * (d - first) / span

    def y(v: float) -> float:
        return top + ph * (1 - v / peak)

    parts = [
        _open(width, height + legend, title),
        _text(4, 18, _fit(title, width - 8), weight="bold"),
    ]
    for frac in (0, 0.5, 1):
        yy = y(peak * frac)
        parts.append(
            f'<line x1="{left}" y1="{yy:.1f}" x2="{left + pw}" y2="{yy:.1f}" stroke="#ddd"/>'
        )
        parts.append(_text(left - 6, yy + 4, f"{peak * frac:g}", anchor="end"))
    ticks = sorted({first, last})
    for d in ticks:
        anchor = "start" if d == first else "end"  # the first day's label runs right
        parts.append(_text(x(d), height - bottom + 18, _day(d), anchor=anchor))
    for i, (name, values) in enumerate(series.items()):
        colour = PALETTE[min(i, len(PALETTE) - 1)]
        if len(days) == 1:
            d = days[0]
            parts.append(
                f'<circle cx="{x(d):.1f}" cy="{y(values.get(d, 0)):.1f}" r="3" fill="{colour}"/>'
            )
        else:
            points = " ".join(
                f"{x(d):.1f},{y(values.get(d, 0)):.1f}" for d in range(first, last + 1)
            )
            parts.append(
                f'<polyline fill="none" stroke="{colour}" stroke-width="1.6" points="{points}"/>'
            )
        ly = height + 18 * i
        parts.append(f'<rect x="{left}" y="{ly}" width="11" height="11" fill="{colour}"/>')
        parts.append(_text(left + 17, ly + 10, _fit(name, width - left - 21)))
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(
    bars: Sequence[tuple[str, Mapping[str, int]]],
    *,
    title: str,
    colours: Mapping[str, str],
    width: int = WIDTH,
) -> str:
    """Horizontal bars, each split into coloured segments (e.g. by severity); ``colours`` orders
    the segments. Each bar's label is on the line above it, so labels may be long and bars use
    the whole width."""
    if not bars:
        return _empty(title, width)
    left, top, row = 4, 30, 40
    height = top + row * len(bars) + 26
    peak = _nice_max(max(sum(seg.values()) for _, seg in bars))
    pw = width - left - 50
    parts = [_open(width, height, title), _text(4, 18, _fit(title, width - 8), weight="bold")]
    for i, (label, segments) in enumerate(bars):
        yy = top + i * row
        parts.append(_text(left, yy + 13, _fit(label, width - 8)))
        xx = float(left)
        for key, colour in colours.items():
            n = segments.get(key, 0)
            if n:
                w = pw * n / peak
                parts.append(
                    f'<rect x="{xx:.1f}" y="{yy + 18}" width="{max(w, 1):.1f}" height="{row - 24}" fill="{colour}">'
                    f"<title>{escape(f'{label}: {n} {key}')}</title></rect>"
                )
                xx += w
        parts.append(_text(xx + 6, yy + 30, str(sum(segments.values()))))
    legend_y = top + row * len(bars) + 14
    lx = left
    for key, colour in colours.items():
        parts.append(f'<rect x="{lx}" y="{legend_y - 10}" width="11" height="11" fill="{colour}"/>')
        parts.append(_text(lx + 15, legend_y, key))
        lx += 26 + int(_CHAR * len(key))
    parts.append("</svg>")
    return "".join(parts)


def _open(width: int, height: int, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(title)}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
    )


def _text(x: float, y: float, text: str, *, anchor: str = "start", weight: str = "normal") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-weight="{weight}" {_FONT}>{escape(text)}</text>'


def _empty(title: str, width: int) -> str:
    return (
        _open(width, 50, title)
        + _text(4, 18, _fit(title, width - 8), weight="bold")
        + _text(4, 40, "nothing to show")
        + "</svg>"
    )
