"""A memo appendix for Word reports: ``to_docx(..., memos=project.memos())``.

The appendix groups memos the way a reader looks for them: memos on the
project first, then per code (in codebook order, under the code's label),
then per transcript (memos on the transcript, then on its passages, codings
and suggestions in text order, each with the passage quoted when the
transcripts are given). Every memo names its author and date; an edited memo
shows its latest version (``project.memos()`` lists those), marked "edited".

Examples
--------
>>> import docx, pandas as pd
>>> memos = pd.DataFrame({"target": ["project", "code"], "text": ["EQF keeps coming up.", "Covers NQF."],
...                       "coder": ["AB", "CD"], "created_at": ["2026-12-01T10:00:00Z", "2026-12-02T09:00:00Z"],
...                       "code": [None, "trust"]})
>>> doc = docx.Document()
>>> add_memo_appendix(doc, memos)
2
>>> [p.text for p in doc.paragraphs][:3]
['Appendix: Memos', '2 memos by AB, CD.', 'Project']
"""
from __future__ import annotations

from typing import Any

from ._format import xml_safe

_ORDER = {"project": 0, "code": 1, "transcript": 2, "span": 3, "coding": 3, "suggestion": 3}


def _v(row: dict, key: str) -> Any:
    v = row.get(key)
    try:
        return None if v is None or v != v else v  # NaN / NA
    except (TypeError, ValueError):
        return v


def add_memo_appendix(doc: Any, memos: Any, *, codebook: Any = None, corpus: Any = None,
                      title: str = "Appendix: Memos", max_quote: int = 300) -> int:
    """Append the memos to a python-docx ``Document``; returns how many were written.

    Parameters
    ----------
    doc : docx.Document
    memos : DataFrame
        ``project.memos()`` (or any table with ``text`` and optionally ``target``,
        ``coder``, ``created_at``, ``transcript_id``, ``start``, ``end``, ``code``,
        ``coding_id``, ``suggestion_id``, ``version``).
    codebook : Codebook, optional
        Code labels and order.
    corpus : Corpus, optional
        The transcripts: passages memos are about are quoted.
    title : str
    max_quote : int
        Longest quoted passage (characters; longer ones are shortened in the middle).
    """
    rows = memos.to_dict("records") if hasattr(memos, "to_dict") else [dict(m) for m in memos]
    rows = [r for r in rows if str(_v(r, "text") or "").strip()]
    if len(doc.paragraphs) or len(doc.tables):  # an appendix starts on a new page
        doc.add_page_break()
    doc.add_heading(title, level=1)
    coders = sorted({str(_v(r, "coder")) for r in rows if _v(r, "coder")})
    intro = f"{len(rows)} memo{'s' if len(rows) != 1 else ''}" + (f" by {', '.join(coders)}." if coders else ".")
    doc.add_paragraph(xml_safe(intro if rows else "No memos."))
    if not rows:
        return 0
    code_rank = {c.id: i for i, c in enumerate(codebook)} if codebook is not None else {}
    texts = {t.id: t.text for t in corpus} if corpus is not None else {}

    def target(r: dict) -> str:
        t = _v(r, "target")
        if t:
            return str(t)
        if _v(r, "transcript_id"):
            return "span" if _v(r, "start") is not None else "transcript"
        return "code" if _v(r, "code") else "project"

    def label(code: Any) -> str:
        if code is None:
            return ""
        c = codebook.get(str(code)) if codebook is not None else None
        return c.label if c is not None else str(code)

    def key(r: dict):
        t = target(r)
        group = 0 if t == "project" else 1 if t == "code" else 2
        sub = (code_rank.get(str(_v(r, "code")), len(code_rank)), label(_v(r, "code"))) if group == 1 else \
            (str(_v(r, "transcript_id") or ""), _ORDER.get(t, 9), int(_v(r, "start") or 0))
        return (group, sub, str(_v(r, "created_at") or ""))

    heading = None
    for r in sorted(rows, key=key):
        t = target(r)
        h = "Project" if t == "project" else "Codes" if t == "code" else f"Transcript {_v(r, 'transcript_id')}"
        if h != heading:
            doc.add_heading(xml_safe(h), level=2)
            heading = h
        meta = _about(r, t, label)
        when = str(_v(r, "created_at") or "")[:10]
        by = ", ".join(x for x in (str(_v(r, "coder") or ""), when) if x)
        version = _v(r, "version")
        if version is not None and int(version) > 1:
            by += " (edited)"
        p = doc.add_paragraph()
        p.add_run(xml_safe(meta)).bold = True
        if by:
            p.add_run(xml_safe(f" — {by}")).italic = True
        a, b, tid = _v(r, "start"), _v(r, "end"), _v(r, "transcript_id")
        passage = _v(r, "passage")
        if passage is None and a is not None and b is not None and tid in texts:
            passage = texts[tid][int(a):int(b)]
        if passage:
            passage = " ".join(str(passage).split())
            if len(passage) > max_quote:
                passage = passage[:max_quote // 2 - 1] + " … " + passage[-(max_quote // 2 - 1):]
            doc.add_paragraph(xml_safe(f"“{passage}”"), style="Quote")
        for para in str(_v(r, "text")).split("\n"):
            doc.add_paragraph(xml_safe(para))
    return len(rows)


def with_passages(memos: Any, corpus: Any):
    """``memos`` with a ``passage`` column: the text each memo on a passage is about (before pseudonymising).

    Examples
    --------
    >>> import pandas as pd
    >>> from mcqual.model import Transcript
    >>> m = pd.DataFrame({"text": ["x"], "transcript_id": ["a"], "start": [0], "end": [3]})
    >>> with_passages(m, [Transcript.from_turns("a", [("R", "Yes, I do.")])])["passage"].tolist()
    ['Yes']
    """
    texts = {t.id: t.text for t in corpus} if corpus is not None else {}
    rows = memos.to_dict("records")
    out = []
    for r in rows:
        a, b, tid = _v(r, "start"), _v(r, "end"), _v(r, "transcript_id")
        out.append(texts[tid][int(a):int(b)] if a is not None and b is not None and tid in texts else None)
    return memos.assign(passage=out)


def _about(r: dict, t: str, label: Any) -> str:
    tid, a, b = _v(r, "transcript_id"), _v(r, "start"), _v(r, "end")
    where = f"{tid} [{int(a)}–{int(b)}]" if a is not None and b is not None else str(tid or "")
    if t == "project":
        return "On the project"
    if t == "code":
        return f"On the code {label(_v(r, 'code'))}"
    if t == "transcript":
        return "On the transcript"
    if t == "coding":
        return f"On a coding ({label(_v(r, 'code'))}), {where}"
    if t == "suggestion":
        sid = _v(r, "suggestion_id")
        return f"On suggestion {'#' + str(int(sid)) + ' ' if sid is not None else ''}({label(_v(r, 'code'))}), {where}"
    return f"On a passage, {where}"


__all__ = ["add_memo_appendix", "with_passages"]
