"""Where two coders disagree, side by side: ``project.disagreements(coders=["AK", "MB"])`` and ``project.resolve``.

A *passage* is a stretch of a transcript that either coder coded: overlapping
codings of both coders (any code) form one passage. Per passage the two
coders' codes and spans are compared and the disagreement named:

* ``code vs no code`` — one coder set a code there that the other did not (and the other set no
  code instead of it: the other coder's codes there are a subset, possibly none);
* ``different code`` — each coder set a code there that the other did not (a code for a code);
* ``boundary only`` — the same codes, but the spans start or end elsewhere.

The ``disputed`` column names the codes the row is about.

Passages where both coders set the same codes on the same spans are agreements
(``include_agreements=True`` lists them too). The coders' memos on those
codings or spans come along. :meth:`Disagreements.resolve` (or
``project.resolve``) records the agreed coding as a decision — ``code`` events
of a consensus coder (default ``"consensus"``), so the independent codings
stay as they were and agreement can still be computed on them — with the note
as a memo; the passage then shows as resolved.

Examples
--------
>>> import os, tempfile
>>> import mcqual as mq
>>> p = mq.Project.create(os.path.join(tempfile.mkdtemp(), "p.mcqual"))
>>> t = mq.Transcript.from_turns("a", [("R", "I trust badges."), ("R", "They cost too much.")])
>>> _ = p.add_transcripts([t]); _ = p.set_codebook(mq.Codebook.from_codes(["trust", "cost"]))
>>> _ = p.code("a", 0, 15, "trust", coder="AK"); _ = p.code("a", 2, 15, "trust", coder="MB")
>>> _ = p.code("a", 16, 35, "cost", coder="AK")
>>> d = p.disagreements(coders=["AK", "MB"])
>>> d.frame[["transcript_id", "start", "end", "kind", "AK", "MB"]].values.tolist()
[['a', 0, 15, 'boundary only', 'trust', 'trust'], ['a', 16, 35, 'code vs no code', 'cost', '']]
>>> _ = d.resolve(0, keep="AK", note="whole sentence")
>>> p.disagreements(coders=["AK", "MB"]).frame["status"].tolist()
['resolved', 'open']
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any, Iterable, Sequence

from ..errors import ProjectError
from . import _convert as cv

__all__ = ["Disagreements", "disagreements", "resolve", "KINDS", "CONSENSUS"]

KINDS = ("code vs no code", "different code", "boundary only", "agree")

#: the default coder id of resolved (agreed) codings
CONSENSUS = "consensus"

_KIND_COLORS = {"code vs no code": "#fde2e1", "different code": "#fff1c2", "boundary only": "#e3effd",
                "agree": "#e6f4ea"}


def _passages(codings: list[tuple]) -> list[list[tuple]]:
    """Group (coding_id, tid, start, end, code, coder) rows into passages of overlapping spans."""
    out: list[list[tuple]] = []
    reach = -1  # the furthest end of the current passage
    for row in sorted(codings, key=lambda r: (r[1], r[2], r[3])):
        if out and out[-1][0][1] == row[1] and row[2] < reach:
            out[-1].append(row)
            reach = max(reach, row[3])
        else:
            out.append([row])
            reach = row[3]
    return out


def _kind(a: list[tuple], b: list[tuple]) -> tuple[str, list[str]]:
    """(kind, the codes in dispute) of one passage."""
    ca, cb = {r[4] for r in a}, {r[4] for r in b}
    if ca != cb:
        disputed = sorted(ca ^ cb)
        # one coder set every code the other did, and more: codes missing, not replaced
        return ("code vs no code" if ca <= cb or cb <= ca else "different code"), disputed
    sa = {(r[4], r[2], r[3]) for r in a}
    sb = {(r[4], r[2], r[3]) for r in b}
    if sa == sb:
        return "agree", []
    return "boundary only", sorted({x[0] for x in sa ^ sb})


def _codes(rows: list[tuple]) -> str:
    return "; ".join(dict.fromkeys(r[4] for r in sorted(rows, key=lambda r: r[2])))


def _spans(rows: list[tuple]) -> str:
    return "; ".join(f"{r[4]} [{r[2]}:{r[3]}]" for r in sorted(rows, key=lambda r: r[2]))


def disagreements(self, coders: Sequence[str] | None = None, code: str | None = None, *,
                  transcript: str | None = None, include_agreements: bool = False) -> "Disagreements":
    """Where two coders disagree, passage by passage (see :mod:`mcqual.project.disagreements`).

    Parameters
    ----------
    coders : two coder ids, optional
        Default: the two coders with the most codings (the consensus coder and ``mcqual`` excluded).
    code : str, optional
        Only passages where either coder used this code (the other coder's codes there still show).
    transcript : str, optional
    include_agreements : bool
        List passages where both agree too (kind ``"agree"``).

    Returns
    -------
    Disagreements
        ``.frame`` (one row per passage), ``_repr_html_`` (side by side, highlighted),
        ``.to_excel(path)``, ``.resolve(row, ...)``.
    """
    # orphaned codings (their quote is gone after a re-import) have no reliable span: left out
    all_codings = self.codings(transcript=transcript, status=["active", "fuzzy"])
    if coders is None:
        counts = all_codings[~all_codings["coder"].isin([CONSENSUS, "mcqual"])]["coder"].value_counts()
        if len(counts) < 2:
            raise ProjectError("E367", f"disagreements need two coders; the project has codings by "
                               f"{', '.join(map(str, counts.index)) or 'nobody'}", path=self.path,
                               hint="Code with two coder ids, or merge the coders' files first (mq.merge_projects).")
        coders = [str(c) for c in counts.index[:2]]
    coders = [str(c) for c in coders]
    if len(coders) != 2 or coders[0] == coders[1]:
        raise ProjectError("E367", f"give two different coders, not {coders!r}", path=self.path,
                           hint="project.disagreements(coders=['AK', 'MB'])")
    df = all_codings[all_codings["coder"].isin(coders)]
    rows = [(int(r.coding_id), r.transcript_id, int(r.start), int(r.end), r.code, r.coder)
            for r in df.itertuples(index=False)]
    resolved = _resolutions(self)
    memos = _memos(self, {r[0] for r in rows}, coders)
    texts = self._store.transcript_texts({r[1] for r in rows}) if rows else {}
    out = []
    for passage in _passages(rows):
        a = [r for r in passage if r[5] == coders[0]]
        b = [r for r in passage if r[5] == coders[1]]
        if code is not None and code not in {r[4] for r in passage}:
            continue
        kind, disputed = _kind(a, b)
        if kind == "agree" and not include_agreements:
            continue
        tid = passage[0][1]
        s, e = min(r[2] for r in passage), max(r[3] for r in passage)
        key = f"{tid}@{s}-{e}"
        res = resolved.get(key) or next((v for k, v in resolved.items() if _overlaps(k, tid, s, e)), None)
        m = [mm for mm in memos if (mm["coding_id"] in {r[0] for r in passage}) or
             (mm["transcript_id"] == tid and mm["start"] is not None and mm["start"] < e and mm["end"] > s)]
        out.append({"passage": key, "transcript_id": tid, "start": s, "end": e, "kind": kind,
                    "disputed": "; ".join(disputed), coders[0]: _codes(a), coders[1]: _codes(b),
                    f"{coders[0]}_spans": _spans(a), f"{coders[1]}_spans": _spans(b),
                    f"{coders[0]}_memos": " | ".join(mm["text"] for mm in m if mm["coder"] == coders[0]),
                    f"{coders[1]}_memos": " | ".join(mm["text"] for mm in m if mm["coder"] == coders[1]),
                    "text": texts[tid][s:e], "status": "resolved" if res else "open",
                    "resolution": res or "", "coding_ids": tuple(r[0] for r in passage)})
    import pandas as pd

    cols = ["passage", "transcript_id", "start", "end", "kind", "disputed", coders[0], coders[1], f"{coders[0]}_spans",
            f"{coders[1]}_spans", f"{coders[0]}_memos", f"{coders[1]}_memos", "text", "status", "resolution",
            "coding_ids"]
    frame = pd.DataFrame(out, columns=cols)
    for k in ("start", "end"):
        frame[k] = frame[k].astype("int64")
    return Disagreements(self, tuple(coders), code, frame, {r[0]: r for r in rows}, include_agreements)


def _overlaps(key: str, tid: str, s: int, e: int) -> bool:
    t, span = key.rsplit("@", 1)
    a, b = (int(x) for x in span.split("-"))
    return t == tid and a < e and b > s


def _resolutions(self) -> dict[str, str]:
    """``{passage key: "code [start:end] by coder"}`` of standing resolution events."""
    out: dict[str, str] = {}
    state = self._state()
    live = set(state.codings)
    for r in self._store.events(where="kind = 'code'"):
        p = json.loads(r[11]) if isinstance(r[11], str) else dict(r[11] or {})
        key = p.get("resolves")
        if key and r[0] in live:
            code = state.codings[r[0]].code
            text = f"{code} [{r[5]}:{r[6]}] by {r[2]}"
            out[key] = f"{out[key]}; {text}" if key in out else text
    return out


def _memos(self, coding_ids: set[int], coders: Sequence[str]) -> list[dict[str, Any]]:
    """The coders' current memos (latest version of each) on codings, spans and transcripts."""
    rows = self._store.memo_rows()
    replaced = {r[10] for r in rows if r[10] is not None}
    out = []
    for r in rows:
        if r[0] in replaced or r[1] not in coders or r[3] not in ("coding", "span"):
            continue
        out.append({"memo_id": r[0], "coder": r[1], "target": r[3], "transcript_id": r[4], "start": r[5],
                    "end": r[6], "coding_id": r[8], "text": r[11]})
    return out


@dataclass(eq=False)
class Disagreements:
    """Two coders' disagreements, one row per passage (from :meth:`Project.disagreements`).

    Attributes
    ----------
    frame : DataFrame
        passage, transcript_id, start, end, kind, one column of codes per coder, their spans and
        memos, the passage text, status (open / resolved) and the resolution.
    """

    project: Any
    coders: tuple[str, str]
    code: str | None
    frame: Any
    _rows: dict
    include_agreements: bool = False

    def __len__(self) -> int:
        return len(self.frame)

    def counts(self) -> dict[str, int]:
        """Passages per kind of disagreement (and agreement, when listed)."""
        return {k: int((self.frame["kind"] == k).sum()) for k in KINDS if (self.frame["kind"] == k).any()}

    def __repr__(self) -> str:
        c = ", ".join(f"{k}: {v}" for k, v in self.counts().items())
        n_open = int((self.frame["status"] == "open").sum())
        return (f"Disagreements({self.coders[0]} vs {self.coders[1]}{', code ' + self.code if self.code else ''}: "
                f"{len(self)} passages, {n_open} open; {c or 'none'})")

    def _row(self, item: Any) -> Any:
        if isinstance(item, str):
            hit = self.frame[self.frame["passage"] == item]
            if not len(hit):
                raise ProjectError("E367", f"no passage {item!r} in these disagreements", path=self.project.path)
            return hit.iloc[0]
        if hasattr(item, "get") and item.get("passage") is not None:
            return item
        try:
            return self.frame.iloc[int(item)]
        except (IndexError, ValueError, TypeError):
            raise ProjectError("E367", f"no row {item!r} (there are {len(self)})", path=self.project.path) from None

    def resolve(self, item: Any, *, code: str | Iterable[str] | None = None, span: tuple[int, int] | None = None,
                keep: str | None = None, coder: str | None = None, note: str = "") -> list[int]:
        """Record the agreed coding of a passage as a decision; returns the new coding ids.

        Parameters
        ----------
        item : int, str or row
            A row number of ``.frame``, a passage key (``"int-01@120-260"``) or the row itself.
        code : str or list of str, optional
            The agreed code(s) on ``span``.
        span : (start, end), optional
            The agreed span (default: the whole passage).
        keep : str, optional
            Instead of code/span: take this coder's codings of the passage as the agreed ones.
        coder : str, optional
            Whose decision this is recorded as (default ``"consensus"``; the independent codings stay).
        note : str
            Why: stored with the events and as a memo on each agreed coding.
        """
        row = self._row(item)
        tid, s, e = row["transcript_id"], int(row["start"]), int(row["end"])
        who = coder or CONSENSUS
        if keep is not None:
            if keep not in self.coders:
                raise ProjectError("E367", f"keep must be one of {self.coders}, not {keep!r}", path=self.project.path)
            items = [(self._rows[c][2], self._rows[c][3], self._rows[c][4]) for c in row["coding_ids"]
                     if self._rows[c][5] == keep]
            if not items:
                raise ProjectError("E367", f"{keep} coded nothing in passage {row['passage']}; give code= instead",
                                   path=self.project.path)
        else:
            if code is None:
                raise ProjectError("E367", "say what was agreed: code=..., (span=...), or keep='<coder>'",
                                   path=self.project.path)
            a, b = (s, e) if span is None else (int(span[0]), int(span[1]))
            items = [(a, b, c) for c in ([code] if isinstance(code, str) else list(code))]
        payload_note = {"resolves": row["passage"], "coders": list(self.coders), "kind": row["kind"]}
        if note:
            payload_note["note"] = note
        ids = _record(self.project, tid, items, who, payload_note)
        if note:
            at = cv.now()
            self.project._store.append_memos([{"coder": who, "created_at": at, "target": "coding", "transcript_id": tid,
                                               "start": a, "end": b, "code": c, "coding_id": i, "text": note,
                                               "payload": {"resolves": row["passage"]}}
                                              for i, (a, b, c) in zip(ids, items)])
        return ids

    def final_codings(self, *, open: str = "drop", consensus: str = CONSENSUS):
        """The coding set to analyse after resolving: one coding per agreed code and span.

        Passages where the two coders agree give their (shared) codings; resolved passages give the
        consensus coder's codings; consensus codings outside any passage are kept too. Passages
        still open: ``"drop"`` (default) leaves them out, ``"first"`` takes the first coder's
        codings, ``"union"`` both coders' (a code on the same span once). Rows have the
        ``coder`` column set to ``consensus`` and a ``from`` column saying where each came from.

        Needs the view built with ``include_agreements=True`` (``project.disagreements(...,
        include_agreements=True)``); E367 otherwise.
        """
        import pandas as pd

        if open not in ("drop", "first", "union"):
            raise ProjectError("E367", f"open must be 'drop', 'first' or 'union', not {open!r}", path=self.project.path)
        if not self.include_agreements:
            raise ProjectError("E367", "final_codings needs the agreements too", path=self.project.path,
                               hint="Build the view with project.disagreements(coders, include_agreements=True).")
        a, b = self.coders
        cons = self.project.codings(coder=consensus)
        cons_spans = list(zip(cons["transcript_id"], cons["start"], cons["end"], cons["code"]))
        rows: list[tuple] = []
        covered = set()
        for r in self.frame.to_dict("records"):
            tid, s, e = r["transcript_id"], int(r["start"]), int(r["end"])
            mine = [self._rows[c] for c in r["coding_ids"]]
            if r["status"] == "resolved":
                for i, (t, cs, ce, code) in enumerate(cons_spans):
                    if t == tid and cs < e and ce > s:
                        rows.append((t, cs, ce, code, "resolved"))
                        covered.add(i)
            elif r["kind"] == "agree":
                rows += [(x[1], x[2], x[3], x[4], "agreed") for x in mine if x[5] == a]
            elif open == "first":
                rows += [(x[1], x[2], x[3], x[4], f"open: {a}") for x in mine if x[5] == a]
            elif open == "union":
                rows += [(x[1], x[2], x[3], x[4], f"open: {x[5]}") for x in mine]
        rows += [(*cons_spans[i], "consensus") for i in range(len(cons_spans)) if i not in covered]
        df = pd.DataFrame(rows, columns=["transcript_id", "start", "end", "code", "from"])
        df = df.drop_duplicates(["transcript_id", "start", "end", "code"]).sort_values(
            ["transcript_id", "start", "code"], ignore_index=True)
        texts = self.project._store.transcript_texts(set(df["transcript_id"])) if len(df) else {}
        df.insert(4, "coder", consensus)
        df["snippet"] = [texts[t][x:y] for t, x, y in zip(df["transcript_id"], df["start"], df["end"])]
        for k in ("start", "end"):
            df[k] = df[k].astype("int64")
        return df

    # -- views -------------------------------------------------------------------------
    def _side(self, row: Any, who: str, text: str, s: int) -> str:
        from .._html import highlight

        spans = []
        for cid in row["coding_ids"]:
            r = self._rows[cid]
            if r[5] == who:
                spans.append((r[2], r[3], self._color(r[4]), r[4]))
        from .._html import badge

        body = highlight(text, spans, offset=s)
        codes = " ".join(badge(c, self._color(c)) for c in dict.fromkeys(sp[3] for sp in spans)) or "<i>no code</i>"
        memo = row[f"{who}_memos"]
        memo_html = f"<div style='color:#555;font-size:85%'>memo: {escape(memo)}</div>" if memo else ""
        return (f"<div><b>{escape(who)}</b>: {codes}</div>"
                f"<div style='margin-top:2px'>{body}</div>{memo_html}")

    def _color(self, code: str) -> str:
        from .._html import color_for

        cb = self.project._codebook_or_none()
        return cb.color(code) if cb is not None and code in cb else color_for(code)

    def _repr_html_(self) -> str:
        a, b = self.coders
        head = (f"<div style='font-family:sans-serif'><b>Disagreements</b> {escape(a)} vs {escape(b)}"
                f"{' — code ' + escape(self.code) if self.code else ''}: {len(self)} passages "
                f"({escape(', '.join(f'{k} {v}' for k, v in self.counts().items()) or 'none')}). "
                f"Resolve with <code>.resolve(row, code=..., span=...)</code> or "
                f"<code>.resolve(row, keep='{escape(a)}')</code>.</div>")
        if not len(self):
            return head
        rows = []
        for i, r in enumerate(self.frame.to_dict("records")):
            if i >= 200:
                rows.append(f"<tr><td colspan='4'>… {len(self) - 200} more (see .frame or .to_excel)</td></tr>")
                break
            s = int(r["start"])
            text = r["text"]
            status = ("<span style='color:#137333'>resolved: " + escape(r["resolution"]) + "</span>"
                      if r["status"] == "resolved" else "open")
            rows.append(
                f"<tr style='border-top:1px solid #ddd'><td style='vertical-align:top;white-space:nowrap'>{i}<br>"
                f"<code>{escape(r['passage'])}</code><br><span style='background:{_KIND_COLORS[r['kind']]};"
                f"padding:0 4px;border-radius:3px'>{escape(r['kind'])}</span><br>"
                f"<span style='color:#555'>{escape(r['disputed'])}</span><br>{status}</td>"
                f"<td style='vertical-align:top;width:45%'>{self._side(r, a, text, s)}</td>"
                f"<td style='vertical-align:top;width:45%'>{self._side(r, b, text, s)}</td></tr>")
        return (head + "<table style='font-family:sans-serif;font-size:90%;border-collapse:collapse'>"
                f"<thead><tr><th style='text-align:left'>passage</th><th style='text-align:left'>{escape(a)}</th>"
                f"<th style='text-align:left'>{escape(b)}</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>")

    def to_excel(self, path: str | Path) -> Path:
        """One sheet, one row per passage (kind coloured, text wrapped), plus a sheet of counts."""
        import pandas as pd

        from .._atomic import atomic_write

        a, b = self.coders
        view = self.frame.drop(columns=["coding_ids"]).copy()
        view.insert(0, "row", range(len(view)))
        counts = pd.DataFrame([{"kind": k, "passages": v} for k, v in self.counts().items()])

        def write(tmp: str) -> None:
            with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
                view.to_excel(xw, sheet_name="disagreements", index=False)
                counts.to_excel(xw, sheet_name="counts", index=False)
                from openpyxl.styles import Alignment, Font, PatternFill

                ws = xw.sheets["disagreements"]
                widths = {"row": 5, "passage": 22, "transcript_id": 14, "start": 7, "end": 7, "kind": 16, "disputed": 18, a: 22,
                          b: 22, f"{a}_spans": 26, f"{b}_spans": 26, f"{a}_memos": 30, f"{b}_memos": 30,
                          "text": 70, "status": 10, "resolution": 30}
                for j, col in enumerate(view.columns, start=1):
                    letter = ws.cell(row=1, column=j).column_letter
                    ws.column_dimensions[letter].width = widths.get(col, 14)
                    ws.cell(row=1, column=j).font = Font(bold=True)
                kind_col = list(view.columns).index("kind") + 1
                for i in range(2, len(view) + 2):
                    lines = 1
                    for j, col in enumerate(view.columns, start=1):
                        cell = ws.cell(row=i, column=j)
                        cell.alignment = Alignment(wrap_text=True, vertical="top")
                        lines = max(lines, _lines(cell.value, widths.get(col, 14)))
                    ws.row_dimensions[i].height = min(15 * lines, 400)  # wrapped text: Excel does not grow rows
                    kind = ws.cell(row=i, column=kind_col).value
                    fill = "FF" + _KIND_COLORS.get(kind, "#ffffff").lstrip("#").upper()
                    ws.cell(row=i, column=kind_col).fill = PatternFill("solid", fgColor=fill)
                ws.freeze_panes = "C2"
                ws.auto_filter.ref = ws.dimensions
                _print_wide(ws)

        atomic_write(path, write, suffix=".xlsx")
        return Path(path)


def _lines(value: Any, width: float) -> int:
    """How many lines ``value`` wraps to in a column ``width`` characters wide (a row-height estimate)."""
    if value is None:
        return 1
    import math

    return sum(max(1, math.ceil(len(part) / max(width - 1, 1))) for part in str(value).split("\n"))


def _print_wide(ws: Any) -> None:
    """Print landscape, all columns on one page width (a handout for the team meeting)."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"


def _record(project: Any, tid: str, items: list[tuple[int, int, str]], coder: str, payload: dict) -> list[int]:
    """Append the agreed codings as ``code`` events with the resolution in their payload."""
    store = project._store
    with store.write():
        cb = project._codebook_or_none()
        if cb is None:
            raise ProjectError("E307", "resolving needs a codebook", path=project.path)
        project._require_codes(cb, [c for _, _, c in items])
        n = store.text_lengths([tid]).get(tid, 0)
        for a, b, _ in items:
            if not (0 <= a < b <= n):
                raise ProjectError("E306", f"span [{a}, {b}) is outside {tid!r} (length {n})", path=project.path)
        at = cv.now()
        return store.append_events([{"kind": "code", "coder": coder, "created_at": at, "transcript_id": tid,
                                     "start": a, "end": b, "code": c, "payload": dict(payload)}
                                    for a, b, c in items])


def resolve(self, item: Any, *, coders: Sequence[str] | None = None, code: str | Iterable[str] | None = None,
            span: tuple[int, int] | None = None, keep: str | None = None, coder: str | None = None,
            note: str = "") -> list[int]:
    """Record the agreed coding of a disagreement (a row of ``project.disagreements(...)``).

    ``item`` is a passage key (``"int-01@120-260"``), a row of ``disagreements(...).frame`` or a
    row number of ``project.disagreements(coders)``. See :meth:`Disagreements.resolve`.
    """
    if hasattr(item, "get") and item.get("passage") is not None:
        item = str(item["passage"])
    d = disagreements(self, coders=coders, include_agreements=isinstance(item, str))
    return d.resolve(item, code=code, span=span, keep=keep, coder=coder, note=note)
