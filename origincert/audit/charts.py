"""Inline SVG charts for the HTML report: generated here, no JavaScript, no external assets.

Pure functions from numbers to an ``<svg>`` string; every label goes through ``html.escape``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from html import escape

__all__ = ["PALETTE", "bar_chart", "line_chart"]

# Colour-blind-safe (Okabe-Ito), then grey for "others".
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#999999")
_FONT = 'font-family="system-ui, sans-serif" font-size="11"'


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
    series: Mapping[str, Mapping[int, int]], *, title: str, width: int = 760, height: int = 260
) -> str:
    """One line per series over UTC days (``day number -> value``); missing days count as zero."""
    days = sorted({d for s in series.values() for d in s})
    if not days:
        return _empty(title, width)
    left, right, top, bottom = 48, 170, 28, 34
    first, last = days[0], days[-1]
    span = max(1, last - first)
    peak = _nice_max(max((v for s in series.values() for v in s.values()), default=0))
    pw, ph = width - left - right, height - top - bottom

    def x(d: int) -> float:
        return left + pw * (d - first) / span

    def y(v: float) -> float:
        return top + ph * (1 - v / peak)

    parts = [_open(width, height, title), _text(left, 16, title, weight="bold")]
    for frac in (0, 0.5, 1):
        yy = y(peak * frac)
        parts.append(
            f'<line x1="{left}" y1="{yy:.1f}" x2="{left + pw}" y2="{yy:.1f}" stroke="#ddd"/>'
        )
        parts.append(_text(left - 6, yy + 4, f"{peak * frac:g}", anchor="end"))
    for d in sorted({first, last, first + span // 2}):
        parts.append(_text(x(d), height - bottom + 16, _day(d), anchor="middle"))
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
        ly = top + 14 * i
        parts.append(
            f'<rect x="{left + pw + 12}" y="{ly}" width="10" height="10" fill="{colour}"/>'
        )
        parts.append(_text(left + pw + 26, ly + 9, name[:24]))
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(
    bars: Sequence[tuple[str, Mapping[str, int]]],
    *,
    title: str,
    colours: Mapping[str, str],
    width: int = 760,
) -> str:
    """Horizontal bars, each split into coloured segments (e.g. by severity); ``colours`` orders the segments."""
    if not bars:
        return _empty(title, width)
    left, top, row = 230, 28, 22
    height = top + row * len(bars) + 30
    peak = _nice_max(max(sum(seg.values()) for _, seg in bars))
    pw = width - left - 60
    parts = [_open(width, height, title), _text(8, 16, title, weight="bold")]
    for i, (label, segments) in enumerate(bars):
        yy = top + i * row
        parts.append(_text(left - 8, yy + 14, label[:36], anchor="end"))
        xx = float(left)
        for key, colour in colours.items():
            n = segments.get(key, 0)
            if n:
                w = pw * n / peak
                parts.append(
                    f'<rect x="{xx:.1f}" y="{yy + 3}" width="{max(w, 1):.1f}" height="{row - 6}" fill="{colour}">'
                    f"<title>{escape(f'{label}: {n} {key}')}</title></rect>"
                )
                xx += w
        parts.append(_text(xx + 6, yy + 14, str(sum(segments.values()))))
    legend_y = top + row * len(bars) + 14
    lx = left
    for key, colour in colours.items():
        parts.append(f'<rect x="{lx}" y="{legend_y - 9}" width="10" height="10" fill="{colour}"/>')
        parts.append(_text(lx + 14, legend_y, key))
        lx += 24 + 7 * len(key)
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
        + _text(8, 16, title, weight="bold")
        + _text(8, 38, "nothing to show")
        + "</svg>"
    )
