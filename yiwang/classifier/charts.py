"""The evaluation page's pictures as inline SVG (no JavaScript, no image files): the confusion
matrix as a heat map and the coverage–precision curve."""

from __future__ import annotations

from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

CELL = 28
MARGIN = 150


def confusion_svg(metrics: dict[str, Any], names: dict[str, str]) -> SafeString:
    """Rows: true label; columns: predicted; darker = more messages (by share of the row)."""
    labels: list[str] = metrics["labels"]
    matrix: list[list[int]] = metrics["confusion"]
    size = MARGIN + CELL * len(labels)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="confusion" width="{size}" '
        f'height="{size}" viewBox="0 0 {size} {size}" role="img">'
    ]
    for i, label in enumerate(labels):
        name = escape(names.get(label, label))
        y = MARGIN + i * CELL + CELL * 0.65
        parts.append(f'<text x="{MARGIN - 6}" y="{y:.0f}" text-anchor="end">{name}</text>')
        x = MARGIN + i * CELL + CELL * 0.65
        parts.append(
            f'<text x="{x:.0f}" y="{MARGIN - 6}" transform="rotate(-60 {x:.0f} {MARGIN - 6})">'
            f"{name}</text>"
        )
    for i, row in enumerate(matrix):
        total = sum(row) or 1
        for j, count in enumerate(row):
            share = count / total
            colour = "#b22222" if i != j else "#1f6f3f"
            parts.append(
                f'<rect x="{MARGIN + j * CELL}" y="{MARGIN + i * CELL}" width="{CELL - 1}" '
                f'height="{CELL - 1}" fill="{colour}" fill-opacity="{0.08 + 0.92 * share:.2f}">'
                f"<title>{escape(labels[i])} → {escape(labels[j])}: {count}</title></rect>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every label is escaped above)


def curve_svg(metrics: dict[str, Any], width: int = 360, height: int = 220) -> SafeString:
    """Precision (y) against coverage (x), one point per threshold from 0.50 to 0.99."""
    pad = 36
    points = metrics["curve"]

    def xy(point: dict[str, float]) -> str:
        x = pad + point["coverage"] * (width - 2 * pad)
        y = height - pad - point["precision"] * (height - 2 * pad)
        return f"{x:.1f},{y:.1f}"

    line = " ".join(xy(p) for p in points)
    dots = "".join(
        f'<circle cx="{xy(p).split(",")[0]}" cy="{xy(p).split(",")[1]}" r="2">'
        f"<title>≥ {p['threshold']:.2f}: {p['coverage']:.0%} · {p['precision']:.1%}</title>"
        "</circle>"
        for p in points
    )
    axes = (
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}"/>'
        f'<line x1="{pad}" y1="{pad}" x2="{pad}" y2="{height - pad}"/>'
        f'<text x="{width - pad}" y="{height - 8}" text-anchor="end">'
        f"{escape(_('coverage'))} →</text>"
        f'<text x="4" y="{pad - 10}">{escape(_("precision"))}</text>'
    )
    return mark_safe(  # noqa: S308 (numbers and escaped labels only)
        f'<svg xmlns="http://www.w3.org/2000/svg" class="curve" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img">{axes}'
        f'<polyline points="{line}" fill="none" stroke="#1f4f8f"/>{dots}</svg>'
    )
