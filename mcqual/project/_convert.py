"""Plain JSON forms of transcripts and codebooks (what the store keeps), and back.

Examples
--------
>>> from mcqual.model import Transcript
>>> t = Transcript.from_turns("a", [("I", "Why?", 1.0, "interviewer"), ("R", "Because.")])
>>> row = transcript_to_row(t, "2026-01-01T00:00:00Z")
>>> row_to_transcript(row).turns[1].text
'Because.'
"""
from __future__ import annotations

import json
import math
from dataclasses import asdict
from datetime import datetime, timezone
from typing import Any, Mapping

from ..codebook.model import Code, Codebook
from ..model import Transcript, Turn


def json_loads(text: str | None) -> Any:
    """``json.loads`` that treats None/'' as an empty list."""
    return json.loads(text) if text else []


def now() -> str:
    """UTC time as ISO 8601 with microseconds (sorts as text)."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def jsonable(value: Any) -> Any:
    """A JSON-safe copy of a metadata / attribute value (NaN -> None, mappings -> dict)."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if hasattr(value, "item"):  # numpy scalar
        try:
            return jsonable(value.item())
        except Exception:  # pragma: no cover
            pass
    return str(value)


def transcript_to_row(t: Transcript, at: str) -> dict[str, Any]:
    return {
        "transcript_id": t.id, "text": t.text, "content_hash": t.content_hash,
        "turns": [[x.start, x.end, x.speaker, x.timestamp, x.role, list(x.paragraphs)] for x in t.turns],
        "metadata": jsonable(dict(t.metadata)), "language": t.language, "source": t.source, "at": at,
    }


def row_to_transcript(row: Mapping[str, Any], attributes: Mapping[str, Any] | None = None) -> Transcript:
    text = row["text"]
    turns = tuple(Turn(i, sp, a, b, text[a:b], ts, role, tuple(par or ()))
                  for i, (a, b, sp, ts, role, *rest) in enumerate(row["turns"])
                  for par in [rest[0] if rest else ()])
    return Transcript(id=row["transcript_id"], text=text, turns=turns, metadata=row.get("metadata") or {},
                      language=row.get("language"), source=row.get("source"), attributes=attributes or {})


def codebook_to_json(cb: Codebook) -> dict[str, Any]:
    codes = []
    for c in cb:
        d = asdict(c)
        d["patterns"] = [[dict(tok) for tok in p] for p in c.patterns]
        codes.append(jsonable(d))
    return {"name": cb.name, "version": str(cb.version), "language": cb.language,
            "description": cb.description, "source": cb.source, "codes": codes,
            "history": jsonable(list(cb.history))}


def codebook_from_json(d: Mapping[str, Any]) -> Codebook:
    codes = []
    for c in d["codes"]:
        c = dict(c)
        for f in ("include", "exclude", "examples", "counter_examples", "keywords"):
            c[f] = tuple(c.get(f) or ())
        c["patterns"] = tuple(tuple(p) for p in c.get("patterns") or ())
        codes.append(Code(**c))
    return Codebook(codes, name=d.get("name", "codebook"), version=d.get("version", "1"),
                    language=d.get("language", "en"), description=d.get("description", ""),
                    history=d.get("history") or (), source=d.get("source"))


def renamed_codebook(cb: Codebook, old: str, new: str, label: str | None = None, *,
                     by: str | None = None) -> Codebook:
    """``old`` becomes ``new`` (children follow); the history records the id change.

    ``Codebook.rename_code`` keeps ids (a label change); a project's rename
    changes the id, recorded as ``{"event": "rename", "from", "to"}``, which
    ``Codebook.resolve`` follows.

    Examples
    --------
    >>> cb = Codebook([Code("trust"), Code("trust.qa", parent="trust")])
    >>> renamed_codebook(cb, "trust", "confidence").ids
    ['confidence', 'trust.qa']
    """
    from dataclasses import replace

    codes = []
    for c in cb:
        if c.id == old:
            keep_label = c.label if c.label != c.id else new
            c = replace(c, id=new, label=label or keep_label, name="")
        if c.parent == old:
            c = replace(c, parent=new)
        codes.append(c)
    return cb.replace_codes(codes, {"event": "rename", "from": old, "to": new, "at": now(), "by": by})


def merged_codebook(cb: Codebook, sources: list[str], into: str, *, by: str | None = None) -> Codebook:
    """Codes ``sources`` merged into ``into``: examples and keywords move, children re-parent.

    Uses ``Codebook.merge_codes`` when the codebook has it (its history format).

    Examples
    --------
    >>> cb = Codebook([Code("a", keywords=("x",)), Code("b", keywords=("y",)), Code("c")])
    >>> m = merged_codebook(cb, ["a"], "b")
    >>> m.ids, m["b"].keywords
    (['b', 'c'], ('y', 'x'))
    """
    from dataclasses import replace

    sources = [s for s in sources if s != into]
    if hasattr(cb, "merge_codes"):
        return cb.merge_codes(sources, into, by=by)
    gone = [cb[s] for s in sources]
    target = cb[into]

    def union(field: str) -> tuple:
        out = list(getattr(target, field))
        for g in gone:
            out += [x for x in getattr(g, field) if x not in out]
        return tuple(out)

    target = replace(target, examples=union("examples"), counter_examples=union("counter_examples"),
                     keywords=union("keywords"), patterns=union("patterns"))
    drop = {g.id for g in gone}
    codes = []
    for c in cb:
        if c.id in drop:
            continue
        if c.id == into:
            c = target
        if c.parent in drop:
            c = replace(c, parent=into)
        codes.append(c)
    return cb.replace_codes(codes, {"event": "merge", "from": list(drop), "to": into, "at": now()})
