"""DataFrame subclasses that render for a researcher: memos as a list, search hits as keyword-in-context."""
from __future__ import annotations

from typing import Any

import pandas as pd

from .memos import MEMO_COLUMNS

class MemoFrame(pd.DataFrame):
    """A DataFrame of memos (``project.memos()``) that renders as a readable list in Jupyter."""

    @property
    def _constructor(self):
        return MemoFrame

    def _repr_html_(self) -> str:  # type: ignore[override]
        from html import escape

        if not set(MEMO_COLUMNS) <= set(self.columns):
            return pd.DataFrame(self)._repr_html_()
        if not len(self):
            return "<div style='font-family:sans-serif'>No memos.</div>"
        rows = []
        for r in self.head(500).itertuples(index=False):
            where = _where(r)
            ver = f" · v{r.version}" if r.version and r.version > 1 else ""
            text = escape(str(r.text)).replace("\n", "<br>") if r.text else "<i>(withdrawn)</i>"
            rows.append(f"<tr><td style='vertical-align:top;color:#555;white-space:nowrap'>"
                        f"#{'' if pd.isna(r.memo_id) else int(r.memo_id)}{ver}<br>{escape(str(r.coder))}<br>"
                        f"<small>{escape(str(r.created_at)[:16].replace('T', ' '))}</small></td>"
                        f"<td style='vertical-align:top'><small style='color:#555'>{escape(where)}</small><br>"
                        f"<div style='text-align:left'>{text}</div></td></tr>")
        more = f"<caption>first 500 of {len(self)} memos</caption>" if len(self) > 500 else ""
        return ("<table style='font-family:sans-serif;font-size:90%'>" + more
                + "<tr><th>memo</th><th style='text-align:left'>on / text</th></tr>" + "".join(rows) + "</table>")


def _where(r: Any) -> str:
    t = r.target
    if t == "project":
        return "project"
    if t == "transcript":
        return f"transcript {r.transcript_id}"
    if t == "span":
        return f"{r.transcript_id} [{r.start}:{r.end}]"
    if t == "code":
        return f"code {r.code}"
    if t == "coding":
        return f"coding #{r.coding_id} ({r.code}, {r.transcript_id} [{r.start}:{r.end}])"
    return f"suggestion #{r.suggestion_id} ({r.code}, {r.transcript_id})"




class HitFrame(pd.DataFrame):
    """Search hits (``project.search(...)``): a DataFrame that renders as a keyword-in-context table."""

    @property
    def _constructor(self):
        return HitFrame

    def _repr_html_(self) -> str:  # type: ignore[override]
        from html import escape

        from .search import HIT_COLUMNS

        if not set(HIT_COLUMNS) <= set(self.columns):
            return pd.DataFrame(self)._repr_html_()
        pattern = self.attrs.get("pattern", "")
        n_t = self["transcript_id"].nunique()
        cap = (f"{len(self)} hit{'s' if len(self) != 1 else ''} for <b>{escape(str(pattern))}</b> in {n_t} "
               f"transcript{'s' if n_t != 1 else ''}")
        if not len(self):
            return f"<div style='font-family:sans-serif'>{cap}.</div>"
        shown = self.head(300)
        if len(self) > 300:
            cap += f" (first 300 shown; all are in the DataFrame)"
        rows = []
        for r in shown.itertuples(index=False):
            turn = "" if pd.isna(r.turn) else f"#{int(r.turn)}"
            who = escape(str(r.speaker)) if r.speaker is not None and not pd.isna(r.speaker) else ""
            rows.append(
                f"<tr><td style='white-space:nowrap;color:#555;text-align:left'>{escape(str(r.transcript_id))} "
                f"{turn} {who}</td>"
                f"<td style='text-align:right;white-space:pre;color:#333'>{escape(str(r.left))}</td>"
                f"<td style='text-align:center;white-space:pre'><mark style='background:#ffe066;font-weight:bold'>"
                f"{escape(str(r.match))}</mark></td>"
                f"<td style='text-align:left;white-space:pre;color:#333'>{escape(str(r.right))}</td>"
                f"<td style='color:#999'><small>{int(r.start)}–{int(r.end)}</small></td></tr>")
        return ("<table style='font-family:sans-serif;font-size:90%;border-collapse:collapse'>"
                f"<caption style='text-align:left'>{cap} — code them with project.code_hits(hits, code)</caption>"
                "<tr><th style='text-align:left'>where</th><th style='text-align:right'>left</th><th>match</th>"
                "<th style='text-align:left'>right</th><th>offsets</th></tr>" + "".join(rows) + "</table>")
