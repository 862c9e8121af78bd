"""The review workbook: machine suggestions in one Excel sheet to accept, reject or re-code, and read back.

``mcqual run`` writes it when suggestions wait for review (``review.xlsx``); a researcher
fills the ``decision`` column (a drop-down: *accept*, *reject*, *code as*), picks the
other code in ``code as`` when re-coding, writes a ``note`` if they want, and
``mcqual review import review.xlsx --project P --coder AB`` records the decisions in the
project's append-only log (notes become the decisions' notes). Rows that cannot be used
are reported with a numbered error each; the rest of the batch is recorded.

One sheet, one row per suggestion, sorted by code then case, with an autofilter: the
case label, the theme and code in words, the interviewer's question before the passage,
the quote (trimmed to the passage the suggester points at, cut at a sentence
boundary), the score and the suggester's reason. The ids that tie a row to the project
(suggestion id, transcript id, offsets, code id) are in hidden columns at the right.

Examples
--------
>>> from mcqual.export.review_workbook import DECISIONS, parse_decision
>>> DECISIONS
('accept', 'reject', 'code as')
>>> parse_decision("Accept"), parse_decision(" code as… "), parse_decision(None)
('accept', 'code as', None)
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from ..errors import ExchangeError, ProjectError

__all__ = ["DECISIONS", "write_review_workbook", "read_review_workbook", "import_review", "ReviewImport",
           "trim_quote", "parse_decision", "unimported"]

#: the values of the ``decision`` drop-down
DECISIONS = ("accept", "reject", "code as")
SHEET = "review"
#: visible columns, then the hidden technical ones
VISIBLE = ("row", "case", "theme", "code", "question", "quote", "score", "reason", "decision", "code as", "note")
HIDDEN = ("suggestion_id", "transcript_id", "start", "end", "code_id")
_WIDTHS = {"row": 6, "case": 12, "theme": 18, "code": 24, "question": 36, "quote": 60, "score": 7, "reason": 40,
           "decision": 11, "code as": 24, "note": 30}
_ALIASES = {"accept": "accept", "accepted": "accept", "a": "accept", "yes": "accept", "y": "accept", "ok": "accept",
            "✓": "accept", "reject": "reject", "rejected": "reject", "r": "reject", "no": "reject", "n": "reject",
            "✗": "reject", "code as": "code as", "code-as": "code as", "recode": "code as", "code": "code as",
            "other": "code as", "code as another code": "code as"}
_SENTENCE = re.compile(r"(?<=[.!?…])[\"'”’)]*\s+")
_MAX_WORDS = 60


def parse_decision(value: Any) -> str | None:
    """``accept``, ``reject``, ``code as`` from what a person typed (None when blank; ``?`` when unknown)."""
    if value is None:
        return None
    text = re.sub(r"[\s.…:]+$", "", str(value).strip().casefold())
    if not text:
        return None
    return _ALIASES.get(text, "?")


def trim_quote(text: str, start: int, end: int, evidence: Any = None, max_words: int = _MAX_WORDS) -> str:
    """The passage to judge: the evidence span widened to whole sentences, cut past ``max_words``.

    Parameters
    ----------
    text : str
        The transcript's text.
    start, end : int
        The suggestion's span.
    evidence : list of (start, end, why), optional
        Sub-spans the suggester points at (absolute offsets); the first one inside the span is used.

    Examples
    --------
    >>> t = "Well. I trust the badge because the employer checks it. Anyway, the weather."
    >>> trim_quote(t, 0, len(t), [(8, 20, "hit")])
    'I trust the badge because the employer checks it.'
    >>> trim_quote("one two three four. five six.", 0, 29, max_words=3)
    'one two three …'
    """
    a, b = int(start), int(end)
    for ev in evidence or ():
        try:
            ea, eb = int(ev[0]), int(ev[1])
        except (TypeError, ValueError, IndexError):
            continue
        if a <= ea < eb <= b:
            # widen to the sentences around the evidence
            left = text.rfind("\n", a, ea)
            cut = [m.end() for m in _SENTENCE.finditer(text, a, ea)]
            a = max([a, left + 1 if left >= 0 else a] + cut)
            m = _SENTENCE.search(text, eb, b)
            b = m.start() if m else b
            break
    passage = " ".join(text[a:b].split())
    sentences = _SENTENCE.split(passage)
    out: list[str] = []
    n = 0
    for s in sentences:
        w = len(s.split())
        if out and n + w > max_words:
            return " ".join(out) + " …"
        if not out and w > max_words:
            return " ".join(s.split()[:max_words]) + " …"
        out.append(s)
        n += w
    return " ".join(out)


def _question(transcript, start: int) -> str:
    """The last interviewer turn before ``start`` (trimmed), or ''.

    Without speaker roles, the last earlier turn by another speaker that asks something (has a ``?``).
    """
    asked = _survey_questions(transcript)
    if asked:  # a survey respondent: the question each answer replies to
        for t, q in zip(transcript.turns, asked):
            if t.start <= start < max(t.end, t.start + 1):
                return str(q or "")
        return ""
    last = ""
    roles = any(t.role for t in transcript.turns)
    here = next((t.speaker for t in transcript.turns if t.start <= start < t.end), None)
    for t in transcript.turns:
        if t.start >= start:
            break
        if t.role == "interviewer" or (not roles and t.speaker != here and "?" in t.text):
            last = t.text
    return trim_quote(last, 0, len(last), max_words=40) if last else ""


def _survey_questions(transcript) -> list:
    """The survey questions a respondent's answers (turns) reply to, in turn order ([] for interviews)."""
    value = (transcript.metadata or {}).get("questions")
    if isinstance(value, str) and value.startswith("["):  # stored as text in a project
        import ast

        try:
            value = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            return []
    return list(value) if isinstance(value, (list, tuple)) else []


def review_frame(suggestions: Any, corpus: Any, codebook: Any, labels: Mapping[str, str] | None = None):
    """The review rows as a DataFrame (visible columns, then the technical ones)."""
    import pandas as pd

    s = pd.DataFrame(suggestions)
    labels = dict(labels or getattr(corpus, "labels", {}) or {})
    rows = []
    for r in s.itertuples(index=False):
        tid = str(r.transcript_id)
        t = corpus[tid] if tid in corpus else None
        code = str(r.code)
        c = codebook[code] if codebook is not None and code in codebook else None
        theme = ""
        if c is not None:
            top = code.split(".")[0]
            theme = codebook[top].label if top in codebook and top != code else ""
        text = t.text if t is not None else str(getattr(r, "quote", "") or "")
        a, b = (int(r.start), int(r.end)) if t is not None else (0, len(text))
        rows.append({"case": labels.get(tid, tid), "theme": theme, "code": c.label if c is not None else code,
                     "question": _question(t, a) if t is not None else "",
                     "quote": trim_quote(text, a, b, getattr(r, "evidence", None)),
                     "score": round(float(r.score), 2) if getattr(r, "score", None) is not None else None,
                     "reason": str(getattr(r, "reason", "") or ""), "decision": None, "code as": None, "note": None,
                     "suggestion_id": int(r.suggestion_id), "transcript_id": tid, "start": int(r.start),
                     "end": int(r.end), "code_id": code})
    df = pd.DataFrame(rows, columns=[c for c in VISIBLE if c != "row"] + list(HIDDEN))
    order = {cid: i for i, cid in enumerate(codebook.ids)} if codebook is not None else {}
    df["_o"] = [order.get(c, len(order)) for c in df["code_id"]]
    df = df.sort_values(["_o", "transcript_id", "start"], kind="stable").drop(columns="_o").reset_index(drop=True)
    df.insert(0, "row", range(1, len(df) + 1))
    return df


def write_review_workbook(path: Any, suggestions: Any, *, corpus: Any, codebook: Any,
                          labels: Mapping[str, str] | None = None, project: str | None = None,
                          quality: Any = None) -> Path | None:
    """Write the suggestions as a review workbook (``review`` sheet, plus ``codes`` and ``how to``).

    Parameters
    ----------
    path : str, Path or binary file
        Written atomically when a path.
    suggestions : DataFrame
        ``project.suggestions(status="pending")`` (``suggestion_id, transcript_id, start, end,
        code, score, reason``, optionally ``evidence``).
    corpus : Corpus
        The transcripts (quotes, questions, case labels).
    codebook : Codebook
        Code labels, themes and the ``code as`` drop-down.
    labels : dict, optional
        Case labels (default: ``corpus.labels``).
    project : str, optional
        The project file, named in the instructions.
    quality : Quality or dict, optional
        ``project.quality(coder)`` (or ``{code: sentence}``): how good each code's suggestions have
        been on the coder's decisions so far, in a column of the ``codes`` sheet.

    Examples
    --------
    >>> import io, openpyxl, pandas as pd
    >>> import mcqual as mq
    >>> corpus = mq.Corpus([mq.Transcript.from_turns("int-01", [("I", "Do you trust it?"), ("R", "Yes, I do.")])])
    >>> cb = mq.Codebook.from_codes(["trust", "cost"])
    >>> turn = corpus["int-01"].turns[1]
    >>> sugg = pd.DataFrame({"suggestion_id": [7], "transcript_id": ["int-01"], "start": [turn.start], "end": [turn.end],
    ...                      "code": ["trust"], "score": [0.8], "reason": ["rule: trust"]})
    >>> buf = io.BytesIO(); write_review_workbook(buf, sugg, corpus=corpus, codebook=cb)
    >>> ws = openpyxl.load_workbook(buf)["review"]
    >>> [c.value for c in ws[2]][:6], ws["F3"].value
    (['row', 'case', 'theme', 'code', 'question', 'quote'], 'Yes, I do.')
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from .._xml import write_bytes
    from ._format import cell_value, mix
    from .excel import _page_setup, row_height, wrapped_lines

    df = review_frame(suggestions, corpus, codebook, labels)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    cmd = f"mcqual review import THIS_FILE.xlsx --project {project or 'PROJECT.mcqual'} --coder YOUR_INITIALS"
    ws.append([f"Unreviewed machine suggestions — not findings. For each row choose a decision (accept, reject, "
               f"code as + the code), optionally a note; then run: {cmd}"])
    ws["A1"].font = Font(bold=True, color="C00000")
    columns = list(df.columns)
    ws.append(columns)
    head = PatternFill("solid", fgColor="DDE3EA")
    todo = PatternFill("solid", fgColor="FFF2CC")
    for j, name in enumerate(columns, start=1):
        c = ws.cell(row=2, column=j)
        c.font, c.fill = Font(bold=True), head
        c.alignment = Alignment(vertical="top", wrap_text=True)
    top = Alignment(vertical="top")
    wrap = Alignment(vertical="top", wrap_text=True)
    fills: dict[str, Any] = {}
    for i, row in enumerate(df.itertuples(index=False, name=None), start=3):
        ws.append([cell_value(v) for v in row])
        lines = 1
        for j, name in enumerate(columns, start=1):
            cell = ws.cell(row=i, column=j)
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # a quote is text, never a formula
            cell.alignment = wrap if name in ("question", "quote", "reason", "note", "code", "theme") else top
            if name in ("question", "quote", "reason"):
                lines = max(lines, wrapped_lines(cell.value, _WIDTHS[name]))
            if name in ("decision", "code as", "note"):
                cell.fill = todo
            if name == "code" and codebook is not None and row[-1] in codebook:
                code = row[-1]
                fills.setdefault(code, PatternFill("solid", fgColor=mix(codebook.color(code), 0.35)))
                cell.fill = fills[code]
            if name == "score":
                cell.number_format = "0.00"
        if lines > 1:
            ws.row_dimensions[i].height = row_height(lines)
    last = ws.max_row
    for j, name in enumerate(columns, start=1):
        letter = get_column_letter(j)
        ws.column_dimensions[letter].width = _WIDTHS.get(name, 10)
        if name in HIDDEN:
            ws.column_dimensions[letter].hidden = True
    _page_setup(ws, sum(_WIDTHS.values()), 2)  # A4 landscape, fitted to the width, header on every page
    ws.freeze_panes = "C3"
    ws.auto_filter.ref = f"A2:{get_column_letter(len(columns))}{max(last, 3)}"
    # the drop-downs; 'code as' lists the code labels from the codes sheet
    dec = get_column_letter(columns.index("decision") + 1)
    dv = DataValidation(type="list", formula1='"' + ",".join(DECISIONS) + '"', allow_blank=True,
                        showErrorMessage=True, errorTitle="decision", error="Choose accept, reject or code as.")
    dv.add(f"{dec}3:{dec}{max(last, 3)}")
    ws.add_data_validation(dv)
    codes = wb.create_sheet("codes")
    codes.append(["code", "theme", "id", "definition"] + (["how good so far"] if quality is not None else []))
    for c in codes[1]:
        c.font, c.fill = Font(bold=True), head
    for cid in (codebook.ids if codebook is not None else []):
        code = codebook[cid]
        top_id = cid.split(".")[0]
        row = [code.label, codebook[top_id].label if top_id in codebook and top_id != cid else "", cid,
               cell_value(code.definition or "")]
        if quality is not None:
            row.append(cell_value(_quality_sentence(quality, cid)))
        codes.append(row)
    for letter, w in zip("ABCDE", (30, 22, 30, 80, 70)):
        codes.column_dimensions[letter].width = w
    codes.freeze_panes = "A2"
    n_codes = codes.max_row
    if n_codes > 1:
        other = get_column_letter(columns.index("code as") + 1)
        dv2 = DataValidation(type="list", formula1=f"codes!$A$2:$A${n_codes}", allow_blank=True)
        dv2.add(f"{other}3:{other}{max(last, 3)}")
        ws.add_data_validation(dv2)
    how = wb.create_sheet("how to")
    for line in (
            "How to review these suggestions",
            "",
            "1. On the 'review' sheet, filter by code or case (the arrows in row 2).",
            "2. In 'decision' choose accept (the code fits the passage), reject (it does not),",
            "   or code as and pick the right code in 'code as' (the suggestion is rejected and the",
            "   passage coded with that code).",
            "3. Leave a row blank to decide later; write a 'note' to keep your reasoning with the decision.",
            "4. Save the file (keep it .xlsx) and run:",
            f"   {cmd}",
            "   Rows that cannot be used are listed with their row number; the others are recorded.",
            "5. Run mcqual run again: tables, figures and the report then count the reviewed codings.",
            "",
            "Do not edit the hidden columns at the right (suggestion_id ... code_id): they tie a row to the project."):
        how.append([line])
    how.column_dimensions["A"].width = 100
    how["A1"].font = Font(bold=True, size=13)
    wb.properties.creator = "mcqual"
    return write_bytes(path, lambda fh: wb.save(fh))


def _quality_sentence(quality: Any, code: str) -> str:
    """The one-line precision note of a code, from a ``Quality`` or a ``{code: sentence}`` dict."""
    if isinstance(quality, Mapping):
        return str(quality.get(code, ""))
    try:
        return quality.summary_for(code)
    except Exception:  # a code the coder never decided on, in an older Quality
        return ""


def read_review_workbook(path: Any):
    """The rows of a review workbook as a DataFrame (``row, suggestion_id, decision, code as, note``...).

    Raises
    ------
    ExchangeError
        E340 when the file is not a review workbook (no ``review`` sheet, or its columns are gone).
    """
    import io

    import pandas as pd
    from openpyxl import load_workbook

    from .._xml import read_input

    data, name = read_input(path, code="E340")
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds; all mean "not a workbook"
        raise ExchangeError("E340", f"not an .xlsx workbook ({type(exc).__name__}: {exc})", path=name) from None
    if SHEET not in wb.sheetnames:
        raise ExchangeError("E340", f"no sheet {SHEET!r} (sheets: {', '.join(wb.sheetnames)})", path=name)
    rows = list(wb[SHEET].iter_rows(values_only=True))
    wb.close()
    header_at = next((i for i, r in enumerate(rows[:10]) if r and "suggestion_id" in [str(v).strip() for v in r
                                                                                         if v is not None]), None)
    if header_at is None:
        raise ExchangeError("E340", "the review sheet has no suggestion_id column (its hidden columns were deleted?)",
                            path=name)
    header = [str(v).strip() if v is not None else "" for v in rows[header_at]]
    missing = [c for c in ("suggestion_id", "decision") if c not in header]
    if missing:
        raise ExchangeError("E340", f"the review sheet lacks column(s) {', '.join(missing)}", path=name)
    body = [list(r) + [None] * (len(header) - len(r)) for r in rows[header_at + 1:]]
    df = pd.DataFrame([r[:len(header)] for r in body], columns=header, dtype=object)
    df.insert(0, "sheet_row", range(header_at + 2, header_at + 2 + len(df)))
    return df[df.drop(columns="sheet_row").notna().any(axis=1)].reset_index(drop=True)


def unimported(path: Any, pending_ids: Any) -> int:
    """How many rows of an existing review workbook carry a decision for a suggestion still pending
    (work a researcher has not imported yet: the workbook must not be overwritten). 0 when unreadable."""
    from ..errors import McqualError

    try:
        df = read_review_workbook(path)
    except McqualError:
        return 0
    cols = [c for c in ("decision", "code as") if c in df.columns]
    if not cols or not len(df):
        return 0
    filled = df[df[cols].map(lambda v: v is not None and str(v).strip() != "" and v == v).any(axis=1)]
    pending = {int(i) for i in pending_ids}
    n = 0
    for v in filled["suggestion_id"]:
        try:
            n += int(float(v)) in pending
        except (TypeError, ValueError):
            continue
    return n


@dataclass
class ReviewImport:
    """What ``import_review`` recorded, and the rows it could not use (one numbered error each)."""

    path: str
    coder: str
    accepted: int = 0
    rejected: int = 0
    recoded: int = 0
    undecided: int = 0
    unchanged: int = 0
    problems: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def recorded(self) -> int:
        return self.accepted + self.rejected + self.recoded

    def __str__(self) -> str:
        def n(k: int, word: str) -> str:
            return f"{k:,} {word}{'' if k == 1 else 's'}"

        lines = [f"{self.path}: {n(self.recorded, 'decision')} recorded for {self.coder} (accepted {self.accepted}, "
                 f"rejected {self.rejected}, coded as another code {self.recoded}); {n(self.undecided, 'row')} left "
                 f"undecided; {self.unchanged} already recorded; {n(len(self.problems), 'row')} not used"]
        for row, code, msg in self.problems:
            lines.append(f"  [{code}] row {row}: {msg}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"ReviewImport(accepted={self.accepted}, rejected={self.rejected}, recoded={self.recoded}, "
                f"undecided={self.undecided}, problems={len(self.problems)})")

    def _repr_html_(self) -> str:
        from html import escape

        items = "".join(f"<tr><td>{row}</td><td><code>{code}</code></td><td>{escape(msg)}</td></tr>"
                        for row, code, msg in self.problems)
        table = (f"<table><tr><th>row</th><th>error</th><th>what</th></tr>{items}</table>" if items else "")
        return (f"<div><b>Review imported</b> from <code>{escape(self.path)}</code> for <b>{escape(self.coder)}</b>: "
                f"{self.accepted} accepted, {self.rejected} rejected, {self.recoded} coded as another code, "
                f"{self.undecided} undecided, {self.unchanged} already recorded, "
                f"{len(self.problems)} rows not used.{table}</div>")


def _code_lookup(codebook) -> dict[str, str]:
    out: dict[str, str] = {}
    for cid in codebook.ids:
        out[cid.casefold()] = cid
        out.setdefault(str(codebook[cid].label).strip().casefold(), cid)
    return out


def import_review(project: Any, path: Any, *, coder: str | None = None) -> ReviewImport:
    """Record a filled-in review workbook as decisions in ``project`` (append-only).

    ``accept`` accepts the suggestion, ``reject`` rejects it, ``code as`` rejects it and codes
    the same passage with the code in ``code as`` (an id or a label). A ``note`` becomes the
    decision's note. Blank rows are left for later; a row recorded before is not recorded again.
    Rows that cannot be used are listed in ``problems`` (E341 unknown suggestion, E342 decision not
    understood, E343 code not in the codebook, E344 one suggestion given two different decisions);
    every other row is recorded.

    Examples
    --------
    >>> import io, os, tempfile, pandas as pd
    >>> import mcqual as mq
    >>> p = mq.Project.create(os.path.join(tempfile.mkdtemp(), "p.mcqual"))
    >>> _ = p.add_transcripts([mq.Transcript.from_turns("a", [("I", "Trust?"), ("R", "I trust badges.")])])
    >>> _ = p.set_codebook(mq.Codebook.from_codes(["trust", "cost"]))
    >>> class Fixed:  # a suggester that says 'cost' for every segment
    ...     def fit(self, segments, codebook, codings=None): return self
    ...     def suggest(self, segments): return [mq.Suggestion(s.segment_id, "cost", 0.6, "demo", "demo")
    ...                                          for s in segments]
    >>> _ = p.suggest(Fixed())
    >>> buf = io.BytesIO()
    >>> _ = write_review_workbook(buf, p.suggestions(), corpus=p.corpus(), codebook=p.codebook())
    >>> import openpyxl
    >>> wb = openpyxl.load_workbook(buf); ws = wb["review"]
    >>> ws["I3"], ws["J3"], ws["K3"] = "code as", "trust", "about trust, not cost"
    >>> out = io.BytesIO(); wb.save(out)
    >>> res = import_review(p, io.BytesIO(out.getvalue()), coder="AB")
    >>> res.recoded, p.codings()[["code", "coder"]].values.tolist()
    (1, [['trust', 'AB']])
    """
    import pandas as pd

    coder = coder or getattr(project, "coder", None)
    if not coder:
        raise ProjectError("E310", "who made these decisions? pass coder='AB' (--coder AB)")
    name = str(path) if isinstance(path, (str, Path)) else "workbook"
    df = read_review_workbook(path)
    res = ReviewImport(path=name, coder=str(coder))
    codebook = project.codebook()
    lookup = _code_lookup(codebook)
    known = project.suggestions(status=None)
    known = known.set_index("suggestion_id") if len(known) else known
    existing = project.codings()
    have = set(zip(existing["transcript_id"], existing["start"], existing["end"], existing["code"],
                   existing["coder"])) if len(existing) else set()
    chosen: dict[int, tuple[int, str, str | None, str]] = {}
    conflicts: set[int] = set()
    for r in df.to_dict("records"):
        row = int(r["sheet_row"])
        decision = parse_decision(r.get("decision"))
        other = r.get("code as")
        other = None if other is None or (isinstance(other, float) and pd.isna(other)) or not str(other).strip() \
            else str(other).strip()
        note = r.get("note")
        note = "" if note is None or (isinstance(note, float) and pd.isna(note)) else str(note).strip()
        if decision is None and other is not None:
            decision = "code as"
        if decision is None:
            res.undecided += 1
            continue
        if decision == "?":
            res.problems.append((row, "E342", f"decision {r.get('decision')!r} is not one of "
                                              f"{', '.join(DECISIONS)}"))
            continue
        try:
            sid = int(float(r["suggestion_id"]))
        except (TypeError, ValueError):
            res.problems.append((row, "E341", f"suggestion id {r.get('suggestion_id')!r} is not a number "
                                              f"(hidden column edited?)"))
            continue
        if sid not in known.index:
            res.problems.append((row, "E341", f"no suggestion {sid} in this project (a workbook from another "
                                              f"project?)"))
            continue
        target = None
        if decision == "code as":
            target = lookup.get(other.casefold()) if other else None
            if target is None:
                res.problems.append((row, "E343", f"'code as' needs a code of the codebook, got {other!r}"
                                    if other else "'code as' chosen but no code given in the 'code as' column"))
                continue
            if target == known.loc[sid, "code"]:
                decision, target = "accept", None
        if sid in chosen and chosen[sid][1:3] != (decision, target):
            res.problems.append((row, "E344", f"suggestion {sid} is also decided in row {chosen[sid][0]} "
                                              f"differently: both rows skipped"))
            conflicts.add(sid)
            continue
        chosen[sid] = (row, decision, target, note)
    items: list[tuple[int, str, list[dict[str, Any]]]] = []
    for sid, (row, decision, target, note) in chosen.items():
        if sid in conflicts:
            continue
        s = known.loc[sid]
        if decision == "accept":
            if s["status"] == "accepted" and str(s.get("decided_by", "")) == str(coder):
                res.unchanged += 1
                continue
            items.append((row, decision, [{"action": "accept", "suggestion_id": sid, "note": note}]))
        elif decision == "reject":
            if s["status"] == "rejected" and str(s.get("decided_by", "")) == str(coder):
                res.unchanged += 1
                continue
            items.append((row, decision, [{"action": "reject", "suggestion_id": sid, "note": note}]))
        else:
            key = (s["transcript_id"], int(s["start"]), int(s["end"]), target, str(coder))
            if key in have:
                res.unchanged += 1
                continue
            have.add(key)
            acts = [] if s["status"] == "rejected" and str(s.get("decided_by", "")) == str(coder) else \
                [{"action": "reject", "suggestion_id": sid, "note": note}]
            acts.append({"action": "code", "transcript": s["transcript_id"], "start": int(s["start"]),
                         "end": int(s["end"]), "code": target, "note": note})
            items.append((row, decision, acts))
    _record(project, items, coder, res)
    res.problems.sort()
    return res


def _record(project, items, coder, res: ReviewImport) -> None:
    """All decisions in one transaction; if that fails, one row at a time so one bad row does not stop the batch."""
    from ..errors import McqualError

    def count(decision: str) -> None:
        if decision == "accept":
            res.accepted += 1
        elif decision == "reject":
            res.rejected += 1
        else:
            res.recoded += 1

    try:
        project.decide_many([a for _, _, acts in items for a in acts], coder=coder)
    except McqualError:
        for row, decision, acts in items:
            try:
                project.decide_many(acts, coder=coder)
            except McqualError as exc:
                res.problems.append((row, "E341", f"the project refused the decision: {exc}"))
            else:
                count(decision)
        return
    for _, decision, _ in items:
        count(decision)
