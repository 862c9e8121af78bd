"""The one place that writes HTML for notebooks (``_repr_html_`` of every object).

Helpers here are small and dependency-free: escape, a stable palette, a span
highlighter (evidence, codings) and the transcript/corpus views.
"""
from __future__ import annotations

import hashlib
from html import escape
from typing import Iterable, Sequence

PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
           "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939")

MAX_ROWS = 60


def color_for(key: str | None) -> str:
    """A stable color for a speaker or code id (same key, same color, every run).

    Examples
    --------
    >>> color_for("trust") == color_for("trust")
    True
    """
    if not key:
        return "#999999"
    h = int(hashlib.md5(key.encode("utf-8")).hexdigest(), 16)
    return PALETTE[h % len(PALETTE)]


def tint(color: str, alpha: float = 0.25) -> str:
    """``#RRGGBB`` -> an ``rgba()`` background of that color."""
    c = color.lstrip("#")
    if len(c) != 6:
        return color
    r, g, b = int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)
    return f"rgba({r},{g},{b},{alpha})"


def badge(label: str, color: str) -> str:
    return (f'<span style="background:{tint(color, 0.85)};color:white;border-radius:3px;'
            f'padding:0 4px;font-size:85%">{escape(label)}</span>')


def highlight(text: str, spans: Iterable[tuple[int, int, str, str]], offset: int = 0) -> str:
    """HTML of ``text`` with ``(start, end, color, title)`` spans marked.

    ``start``/``end`` are in the coordinates of the text ``text`` was sliced from;
    ``offset`` is where ``text`` starts there. Overlapping spans are nested by
    splitting at every boundary.
    """
    spans = [(max(a - offset, 0), min(b - offset, len(text)), c, t) for a, b, c, t in spans]
    spans = [s for s in spans if s[0] < s[1]]
    if not spans:
        return escape(text).replace("\n", "<br>")
    cuts = sorted({0, len(text), *[s[0] for s in spans], *[s[1] for s in spans]})
    out = []
    for a, b in zip(cuts, cuts[1:]):
        piece = escape(text[a:b]).replace("\n", "<br>")
        active = [s for s in spans if s[0] <= a and s[1] >= b]
        if active:
            color = active[-1][2]
            title = escape("; ".join(s[3] for s in active if s[3]))
            out.append(f'<mark style="background:{tint(color, 0.35)};border-bottom:2px solid {color}" '
                       f'title="{title}">{piece}</mark>')
        else:
            out.append(piece)
    return "".join(out)


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], caption: str = "", raw: bool = False) -> str:
    """A compact HTML table; cells are escaped unless ``raw``."""
    head = "".join(f"<th style='text-align:left'>{escape(h)}</th>" for h in headers)
    body = []
    for i, row in enumerate(rows):
        if i >= MAX_ROWS:
            body.append(f"<tr><td colspan='{len(headers)}'>…</td></tr>")
            break
        cells = "".join(f"<td style='text-align:left;vertical-align:top'>{c if raw else escape(str(c))}</td>"
                        for c in row)
        body.append(f"<tr>{cells}</tr>")
    cap = f"<caption style='text-align:left'>{escape(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def transcript_html(t, spans: Iterable[tuple[int, int, str, str]] = ()) -> str:
    """A transcript as speaker-colored turns with timestamps; optional highlighted spans."""
    spans = list(spans)
    meta = ", ".join(f"{escape(str(k))}: {escape(str(v))}" for k, v in list(t.metadata.items())[:6]
                     if isinstance(v, (str, int, float)))
    parts = [f"<div><b>{escape(t.id)}</b> — {len(t.turns)} turns, {t.n_words:,} words"
             f"{' — ' + meta if meta else ''}</div>"]
    for i, turn in enumerate(t.turns):
        if i >= MAX_ROWS:
            parts.append(f"<div>… {len(t.turns) - MAX_ROWS} more turns</div>")
            break
        color = color_for(turn.speaker)
        ts = f"<span style='color:#888'>{turn.time}</span> " if turn.timestamp is not None else ""
        who = badge(turn.speaker or "—", color)
        body = highlight(turn.text, [s for s in spans if s[0] < turn.end and s[1] > turn.start], turn.start)
        parts.append(f"<div style='margin:2px 0'>{ts}{who} {body}</div>")
    return "<div style='font-family:sans-serif;font-size:90%'>" + "".join(parts) + "</div>"


def corpus_html(c) -> str:
    rows = []
    for t in c:
        rows.append([escape(t.id), str(len(t.turns)), f"{t.n_words:,}",
                     " ".join(badge(s, color_for(s)) for s in t.speakers[:6]),
                     escape(", ".join(f"{k}={v}" for k, v in list(t.attributes.items())[:4]))])
    html = table(["id", "turns", "words", "speakers", "attributes"], rows,
                 caption=f"Corpus: {len(c)} transcripts, {len(c.errors)} failed", raw=True)
    if c.errors:
        html += "<ul>" + "".join(f"<li style='color:#b00'>{escape(str(e))}</li>" for e in c.errors) + "</ul>"
    return html
