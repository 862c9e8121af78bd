"""Bring a REFI-QDA project (``.qdpx`` from NVivo, ATLAS.ti, MAXQDA, QualCoder...) into an mcqual project.

``mq.import_qdpx("study.qdpx", project)`` adds the transcripts, the codes the
project's codebook lacks, every coding (as its coder in the file) and every
memo (its author, time and target kept) — in a way that importing the same
file twice adds nothing the second time.

Examples
--------
>>> import io, os, tempfile
>>> import mcqual as mq
>>> p = mq.Project.create(os.path.join(tempfile.mkdtemp(), "p.mcq"), coder="ab")
>>> _ = p.add_transcripts([mq.Transcript.from_turns("a", [("R", "I trust badges.")])])
>>> _ = p.set_codebook(mq.Codebook.from_codes(["trust"]))
>>> _ = p.code("a", 2, 7, "trust"); _ = p.memo("Hedged.", coding=1)
>>> buf = io.BytesIO(); mq.to_qdpx(p, buf)
>>> other = mq.Project.create(os.path.join(tempfile.mkdtemp(), "q.mcq"))
>>> mq.import_qdpx(io.BytesIO(buf.getvalue()), other)
QdpxImport(transcripts=1, codes=1, codings=1, memos=1, not imported=0)
>>> other.memos()[["target", "text", "coder"]].values.tolist()
[['coding', 'Hedged.', 'ab']]
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .bundle import QdpxProject


@dataclass(frozen=True)
class QdpxImport:
    """What :func:`import_qdpx` added; ``report`` lists what the file held that could not be imported."""

    transcripts: int
    codes: int
    codings: int
    memos: int
    report: tuple = ()

    def __repr__(self) -> str:
        return (f"QdpxImport(transcripts={self.transcripts}, codes={self.codes}, codings={self.codings}, "
                f"memos={self.memos}, not imported={len(self.report)})")

    def _repr_html_(self) -> str:
        from .._html import table

        rows = [["transcripts added or updated", self.transcripts], ["codes added", self.codes],
                ["codings added", self.codings], ["memos added", self.memos],
                ["not imported (see .report)", len(self.report)]]
        return table(["", "n"], rows, caption="Imported from REFI-QDA")


def import_qdpx(source: Any, project: Any, *, coder: str | None = None) -> QdpxImport:
    """Import a ``.qdpx`` (a path, a file object or a :class:`QdpxProject`) into ``project``.

    Parameters
    ----------
    source : path, file or QdpxProject
    project : mcqual.Project
    coder : str, optional
        The coder for codings and memos the file does not attribute (default
        the file's own "unknown" user).

    Returns
    -------
    QdpxImport
        Counts of what was added, and the reader's report of what was not.
    """
    from dataclasses import replace

    from ..codebook.model import Codebook
    from .qdpx_read import read_qdpx

    bundle = source if isinstance(source, QdpxProject) else read_qdpx(source)
    rep = project.add_transcripts(bundle.corpus)
    n_codes = 0
    if bundle.codebook is not None and len(bundle.codebook):
        current = project._codebook_or_none()
        if current is None:
            project.set_codebook(bundle.codebook, note="imported from .qdpx")
            n_codes = len(bundle.codebook)
        else:
            missing = [c for c in bundle.codebook if c.id not in current]
            if missing:
                ids = set(current.ids) | {m.id for m in missing}
                codes = list(current) + [c if c.parent is None or c.parent in ids else replace(c, parent=None)
                                         for c in missing]
                merged = Codebook(codes, name=current.name, version=current.version, language=current.language,
                                  description=current.description, history=current.history)
                project.set_codebook(merged, note=f"{len(missing)} codes imported from .qdpx")
                n_codes = len(missing)
    n_codings = 0
    df = bundle.codings
    if df is not None and len(df):
        have = project.codings()
        seen = set(zip(have["transcript_id"], have["start"], have["end"], have["code"], have["coder"]))
        rows = []
        for r in df.itertuples(index=False):
            who = str(r.coder) if r.coder and r.coder != "unknown" else (coder or "unknown")
            key = (r.transcript_id, int(r.start), int(r.end), r.code, who)
            if key not in seen:
                seen.add(key)
                rows.append({"transcript_id": r.transcript_id, "start": int(r.start), "end": int(r.end),
                             "code": r.code, "coder": who})
        if rows:
            n_codings = len(project.code_many(rows, note=""))
    n_memos = 0
    if bundle.memos is not None and len(bundle.memos):
        n_memos = len(project.add_memos(bundle.memos, coder=coder))
    return QdpxImport(len(rep.added) + len(rep.updated), n_codes, n_codings, n_memos, tuple(bundle.report))


__all__ = ["import_qdpx", "QdpxImport"]
