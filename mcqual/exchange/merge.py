"""``mq.merge_projects``: merge coders' project files — and ``.qdpx`` projects from other tools — into one.

Project files are merged by :func:`mcqual.project.merge.merge_projects`; this
module adds the exchange side: a REFI-QDA project (``.qdpx`` from NVivo,
MAXQDA, ATLAS.ti, QualCoder, ...) or a :class:`~mcqual.exchange.bundle.QdpxProject`
becomes one more coder. Its codings become ``code`` events of the coders the
file names (``coder=`` names them when the file does not), its notes become
memos, its codebook is reconciled like any coder's.

Examples
--------
>>> import os, tempfile
>>> import mcqual as mq
>>> d = tempfile.mkdtemp()
>>> t = mq.Transcript.from_turns("int-01", [("R", "I trust badges from universities.")])
>>> import pandas as pd
>>> codings = pd.DataFrame({"transcript_id": ["int-01"], "start": [3], "end": [8], "code": ["trust"],
...                         "coder": ["NV"]})
>>> bundle = mq.exchange.QdpxProject(mq.Corpus([t]), mq.Codebook.from_codes(["trust"]), codings)
>>> merge_projects([bundle], into=os.path.join(d, "team.mcqual")).by_coder
{'NV': 1}
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Iterable, Mapping

from ..project.merge import MergeReport, MergeSource
from ..project.merge import merge_projects as _merge

__all__ = ["merge_projects", "qdpx_source"]


def qdpx_source(qdpx: Any, *, coder: str | None = None, name: str | None = None) -> MergeSource:
    """A :class:`~mcqual.project.merge.MergeSource` from a ``.qdpx`` path or a ``QdpxProject``.

    Every coding becomes a ``code`` event of its coder (``coder`` when the file names none); the
    origin key of each is a fingerprint of (coder, transcript text, span, code), so merging the same
    file again adds nothing.
    """
    from .qdpx_read import read_qdpx

    bundle = read_qdpx(qdpx) if isinstance(qdpx, (str, Path)) else qdpx
    label = name or (str(qdpx) if isinstance(qdpx, (str, Path)) else f"{bundle.name}.qdpx")
    from datetime import datetime, timezone

    at = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    hashes = {t.id: t.content_hash for t in bundle.corpus}
    events: list[tuple] = []
    seen: dict[str, int] = {}
    df = bundle.codings
    if df is not None and len(df):
        for i, r in enumerate(df.itertuples(index=False), start=1):
            who = getattr(r, "coder", None)
            who = str(who) if who is not None and str(who) not in ("", "nan", "None", "<NA>") else (coder or "qdpx")
            body = json.dumps([who, hashes.get(r.transcript_id), int(r.start), int(r.end), str(r.code)])
            n = seen[body] = seen.get(body, 0) + 1
            key = "qdpx:" + hashlib.sha1(f"{body}#{n}".encode()).hexdigest()[:24]
            events.append((i, "code", who, at, str(r.transcript_id), int(r.start), int(r.end), str(r.code),
                           None, None, None, json.dumps({"origin": key, "source": "qdpx"})))
    memos: list[tuple] = []
    m = bundle.memos
    if m is not None and len(m):
        for i, r in enumerate(m.to_dict("records"), start=1):
            tid = r.get("transcript_id")
            tid = None if tid is None or tid != tid else str(tid)
            code = r.get("code") if isinstance(r.get("code"), str) else None
            s, e = r.get("start"), r.get("end")
            s = None if s is None or s != s else int(s)
            e = None if e is None or e != e else int(e)
            target = "span" if tid and s is not None else "transcript" if tid else "code" if code else "project"
            text = str(r.get("text") or "")
            title = r.get("title")
            key = "qdpx-memo:" + hashlib.sha1(json.dumps([str(r.get("memo_id")), text, tid, s, e, code])
                                              .encode()).hexdigest()[:24]
            who = r.get("coder") if isinstance(r.get("coder"), str) and r.get("coder") else (coder or "qdpx")
            memos.append((i, who, at, target, tid, s, e, code, None, None, None, text,
                          json.dumps({"origin": key, "title": title})))
    attrs: dict[str, dict[str, Any]] = {}
    for t in bundle.corpus:
        if t.attributes:
            attrs[t.id] = dict(t.attributes)
    return MergeSource(label, list(bundle.corpus), bundle.codebook, events, [], memos, attrs, {}, [])


def merge_projects(sources: Iterable[Any], into: Any, *, min_score: float = 80.0,
                   coders: Mapping[str, str] | None = None, qdpx_coder: str | None = None,
                   note: str = "", dry_run: bool = False) -> MergeReport:
    """Merge coders' projects into the team project ``into`` (created when missing).

    Parameters
    ----------
    sources : iterable
        Project files (``.mcqual`` paths or URLs), open Projects, ``.qdpx`` files or
        :class:`~mcqual.exchange.bundle.QdpxProject` objects (each coded in another tool: one more coder).
    into : path, URL or Project
    min_score : float
        Least similarity (0–100) for a fuzzy re-anchoring on a differing transcript copy.
    coders : mapping, optional
        Rename coders on the way in (``{"me": "AK"}``).
    qdpx_coder : str, optional
        The coder of a ``.qdpx`` whose codings name none.
    note : str
        Stored with a new codebook version.
    dry_run : bool
        Report what would merge, write nothing.

    Returns
    -------
    MergeReport
        Counts, re-anchored codings, transcripts matched, conflicts (``_repr_html_`` in Jupyter).

    See Also
    --------
    mcqual.project.merge : the rules (transcripts by content, codebook conflicts, origin keys).
    """
    out = []
    for s in sources:
        if isinstance(s, (str, Path)) and str(s).lower().endswith((".qdpx", ".qde")):
            out.append(qdpx_source(s, coder=qdpx_coder))
        elif hasattr(s, "corpus") and hasattr(s, "codings") and not hasattr(s, "_store"):
            out.append(qdpx_source(s, coder=qdpx_coder))
        else:
            out.append(s)
    return _merge(out, into, min_score=min_score, coders=coders, note=note, dry_run=dry_run)
