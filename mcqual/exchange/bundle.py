"""The project bundle REFI-QDA exchange reads and writes: corpus, codebook, codings, cases, memos.

:class:`QdpxProject` is what :func:`mcqual.read_qdpx` returns and what
:func:`mcqual.to_qdpx` writes (it also takes an ``mq.Project``, by duck typing).

Examples
--------
>>> from mcqual.model import Transcript
>>> from mcqual.corpus import Corpus
>>> b = QdpxProject(Corpus([Transcript.from_turns("int-01", [("I", "Why?"), ("R", "Trust.")])]))
>>> b
QdpxProject('mcqual project', 1 transcripts, 0 codes, 0 codings, 0 cases, 0 memos)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from ..codebook.model import Codebook
from ..corpus import Corpus
from ..errors import ExchangeError

CODING_COLUMNS = ["transcript_id", "start", "end", "code", "coder", "snippet"]
MEMO_COLUMNS = ["memo_id", "title", "text", "coder", "transcript_id", "code", "start", "end", "target",
                "created_at"]


@dataclass(frozen=True)
class ImportIssue:
    """One thing :func:`read_qdpx` could not import, and why (REFI-QDA spec §7)."""

    kind: str
    name: str
    reason: str
    guid: str | None = None

    def __str__(self) -> str:
        return f"{self.kind} {self.name!r}: {self.reason}"


@dataclass(frozen=True, eq=False)
class QdpxProject:
    """A coding project as REFI-QDA sees it.

    Parameters
    ----------
    corpus : Corpus
        The transcripts (their ``text`` is what selections point into).
    codebook : Codebook, optional
    codings : pandas.DataFrame, optional
        ``transcript_id, start, end, code, coder`` (+ ``snippet``), one row per coding.
    attributes : pandas.DataFrame, optional
        Case attributes indexed by case id (default: the corpus's).
    memos : pandas.DataFrame, optional
        ``memo_id, title, text, coder`` and optionally what the memo is about:
        ``transcript_id`` (+ ``start``, ``end`` for a passage; + ``code`` for a
        coding) or ``code``; ``target`` (project, transcript, span, code,
        coding) and ``created_at`` when known. ``project.memos()`` fits as is.
    name : str
        The project name.
    cases : mapping, optional
        Case id -> transcript ids, when a case is not simply the transcript of the same id.
    report : tuple of ImportIssue
        After :func:`read_qdpx`: what could not be imported.
    """

    corpus: Corpus
    codebook: Codebook | None = None
    codings: Any = None
    attributes: Any = None
    memos: Any = None
    name: str = "mcqual project"
    cases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    report: tuple[ImportIssue, ...] = ()

    def report_frame(self):
        """The import report as a DataFrame: kind, name, reason, guid."""
        import pandas as pd

        return pd.DataFrame([vars(i) for i in self.report], columns=["kind", "name", "reason", "guid"])

    def _n(self, frame: Any) -> int:
        return 0 if frame is None else len(frame)

    def __repr__(self) -> str:
        return (f"QdpxProject({self.name!r}, {len(self.corpus)} transcripts, "
                f"{len(self.codebook) if self.codebook is not None else 0} codes, {self._n(self.codings)} codings, "
                f"{self._n(self.attributes)} cases, {self._n(self.memos)} memos"
                + (f", {len(self.report)} not imported" if self.report else "") + ")")

    def _repr_html_(self) -> str:
        from html import escape

        from .._html import table

        head = f"<div style='font-family:sans-serif'><b>{escape(self.name)}</b> — {escape(repr(self)[12:-1])}</div>"
        if not self.report:
            return head
        rows = [[i.kind, i.name, i.reason] for i in self.report]
        return head + table(["kind", "name", "not imported because"], rows, caption="Import report")


def _call(obj: Any, name: str) -> Any:
    from ..errors import McqualError

    try:
        value = getattr(obj, name, None)
        return value() if callable(value) else value
    except McqualError:  # e.g. E307: the project has no codebook yet
        return None


def as_bundle(obj: Any) -> QdpxProject:
    """A :class:`QdpxProject` from a bundle, an ``mq.Project`` (duck typed) or a bare Corpus."""
    if isinstance(obj, QdpxProject):
        return obj
    if isinstance(obj, Corpus):
        return QdpxProject(obj, attributes=obj.attributes)
    if hasattr(obj, "corpus") and hasattr(obj, "codebook"):
        corpus = _call(obj, "corpus")
        if not isinstance(corpus, Corpus):
            corpus = Corpus(list(corpus or ()))
        codebook = _call(obj, "codebook")
        codings = _call(obj, "codings") if hasattr(obj, "codings") else None
        attrs = _call(obj, "attributes") if hasattr(obj, "attributes") else None
        memos = _call(obj, "memos") if hasattr(obj, "memos") else None
        from pathlib import Path

        name = getattr(obj, "name", None)
        path = getattr(obj, "path", None)
        if isinstance(path, (str, Path)) and path and "://" not in str(path):
            name = Path(str(path)).stem  # a project file: its name without the extension
        if not isinstance(name, str) or not name:
            name = "mcqual project"
        return QdpxProject(corpus, codebook, codings, attrs if attrs is not None else corpus.attributes,
                           memos, name=name)
    raise ExchangeError("E601", f"cannot export a {type(obj).__name__} as .qdpx",
                        hint="Pass an mq.Project or an mq.exchange.QdpxProject(corpus, codebook, codings, ...).")
