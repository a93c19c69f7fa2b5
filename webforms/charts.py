"""Small SVG charts rendered on the server (no JavaScript): horizontal bars and a histogram.

The province dashboard's two charts draw the figures of the province report's charts (``certificates``' PDF):
the same national targets and the same score bins, from ``dossiers.bulk.report_figures``. Numbers are written by
``engine.numbers``.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from dossiers.bulk.report_figures import target_lines
from engine.numbers import format_number


def bars(rows: list[tuple[str, float, str]], max_value: float, width: int = 520, targets=()) -> Markup:
    """rows: (label, value, note); ``targets``: (value, label) vertical lines, e.g. the national targets."""
    row_h, label_w = 26, 170
    height = row_h * len(rows) + 14 + 14 * max(len(targets), 1)
    scale = (width - label_w - 60) / (max_value or 1)
    out = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" xmlns="http://www.w3.org/2000/svg">',
           _title("; ".join(f"{label}: {note}" for label, _value, note in rows))]
    for i, (label, value, note) in enumerate(rows):
        y = 8 + i * row_h
        out.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">{escape(label)}</text>')
        out.append(f'<rect x="{label_w}" y="{y + 3}" width="{max(value * scale, 0):.1f}" height="16" class="bar"/>')
        out.append(f'<text x="{label_w + value * scale + 4:.1f}" y="{y + 15}">{escape(note)}</text>')
    for i, (value, label) in enumerate(targets):  # labels on their own lines so they never overlap
        x = label_w + value * scale
        y = row_h * len(rows) + 20 + 14 * i
        out.append(f'<line x1="{x:.1f}" y1="2" x2="{x:.1f}" y2="{y - 10}" class="target"/>')
        out.append(f'<text x="{x + 3:.1f}" y="{y}" class="target">{escape(label)}</text>')
    out.append("</svg>")
    return Markup("".join(out))


def histogram(counts: list[tuple[str, int]], width: int = 520, height: int = 180) -> Markup:
    """counts: (bucket label, number) drawn as vertical bars."""
    top = max((n for _, n in counts), default=0) or 1
    col = (width - 20) / max(len(counts), 1)
    # labels wider than a column ("Chưa có điểm", "950–1.000" at ~7 px a letter) alternate between two rows
    crowded = max((len(label) for label, _ in counts), default=0) * 7 > col - 4
    out = [f'<svg class="chart" viewBox="0 0 {width} {height + (50 if crowded else 34)}" role="img" '
           'xmlns="http://www.w3.org/2000/svg">',
           _title("; ".join(f"{label}: {format_number(n)}" for label, n in counts))]
    for i, (label, n) in enumerate(counts):
        h = n / top * height
        x = 10 + i * col
        h = min(h, height - 16)  # leave room for the count above the tallest bar
        out.append(f'<rect x="{x + 3:.1f}" y="{height - h + 4:.1f}" width="{col - 6:.1f}" height="{h:.1f}" class="bar"/>')
        out.append(f'<text x="{x + col / 2:.1f}" y="{max(height - h, 14):.1f}" text-anchor="middle">{format_number(n)}</text>')
        # the last label ends at the chart's edge, so a long one ("Chưa có điểm") is not cut off
        anchor, at = ("end", width - 2) if crowded and i == len(counts) - 1 else ("middle", x + col / 2)
        out.append(f'<text x="{at:.1f}" y="{height + (36 if crowded and i % 2 else 20)}" '
                   f'text-anchor="{anchor}" class="small">'
                   f'{escape(label)}</text>')
    out.append("</svg>")
    return Markup("".join(out))


def _title(text: str) -> str:
    """The chart's text alternative (its figures, read out by a screen reader in place of the drawing)."""
    return f"<title>{escape(text)}</title>"


def shares_against_targets(rows: list[tuple[str, float, str]]) -> Markup:
    """rows: (unit, share of recognised communes in per cent, note), with a line at each national target."""
    return bars(rows, 100, targets=target_lines())


def changes(rows: list[tuple[str, float, float]], width: int = 520) -> Markup:
    """rows: (label, average change, largest change) drawn as bars left (a loss) or right (a gain) of zero."""
    row_h, label_w = 24, 60
    half = (width - label_w - 70) / 2
    zero = label_w + half
    top = max((abs(v) for _, v, _ in rows), default=0) or 1
    height = row_h * len(rows) + 10
    out = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" xmlns="http://www.w3.org/2000/svg">',
           f'<line x1="{zero:.1f}" y1="0" x2="{zero:.1f}" y2="{height}" class="target"/>']
    for i, (label, value, largest) in enumerate(rows):
        y = 6 + i * row_h
        size = abs(value) / top * half
        x = zero if value >= 0 else zero - size
        out.append(f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">{escape(label)}</text>')
        out.append(f'<rect x="{x:.1f}" y="{y + 2}" width="{size:.1f}" height="15" class="bar"/>')
        note = f"{format_number(value)} ({format_number(largest)})" if value or largest else "0"
        out.append(f'<text x="{zero + (size + 4 if value >= 0 else 4):.1f}" y="{y + 14}">{escape(note)}</text>')
    out.append("</svg>")
    return Markup("".join(out))
