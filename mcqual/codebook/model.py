"""The codebook model: frozen codes in a hierarchy, looked up by stable id.

A code's ``id`` never changes (codings point at it); its ``label`` and ``name``
may (a rename), and its ``path`` is derived from the hierarchy:
``parent.path + "/" + name``. Theme level is 1 (a top-level code).

Examples
--------
>>> from mcqual.codebook.model import Code, Codebook
>>> cb = Codebook([Code("trust", "Trust", codable=False),
...                Code("trust.qa", "Quality assurance", parent="trust")])
>>> cb.path("trust.qa"), cb.level("trust.qa"), cb.ancestor("trust.qa", 1)
('trust/qa', 2, 'trust')
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Iterator, Mapping, Sequence

from ..errors import CodebookError

_SLUG = re.compile(r"[^0-9a-zA-Z_]+")


def slugify(text: str) -> str:
    """``'Quality assurance' -> 'quality_assurance'``.

    Examples
    --------
    >>> slugify("Issuer reputation & brand")
    'issuer_reputation_brand'
    """
    return _SLUG.sub("_", text.strip().lower()).strip("_") or "code"


@dataclass(frozen=True)
class Code:
    """One code of a codebook.

    Parameters
    ----------
    id : str
        Stable id (``"trust.quality_assurance"``); codings refer to it.
    label : str
        Human label shown in tables.
    parent : str, optional
        Parent code id; ``None`` for a top-level theme.
    name : str, optional
        Path segment; defaults to the last ``.``/``/`` segment of ``id``.
    definition, include, exclude, examples, counter_examples, keywords, patterns
        The human codebook and the suggesters' instructions.
    color : str, optional
        ``#RRGGBB``.
    codable : bool
        False for a pure grouping node.
    memo : str
        Free notes.
    """

    id: str
    label: str = ""
    parent: str | None = None
    name: str = ""
    definition: str = ""
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    counter_examples: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    patterns: tuple[tuple[Mapping[str, Any], ...], ...] = ()
    color: str | None = None
    codable: bool = True
    memo: str = ""

    def __post_init__(self) -> None:
        if not self.label:
            object.__setattr__(self, "label", self.id)
        if not self.name:
            object.__setattr__(self, "name", re.split(r"[./]", self.id)[-1])
        for f in ("include", "exclude", "examples", "counter_examples", "keywords"):
            value = getattr(self, f)
            if isinstance(value, str):
                value = (value,)
            object.__setattr__(self, f, tuple(value))
        object.__setattr__(self, "patterns", tuple(tuple(p) for p in self.patterns))

    @property
    def description_text(self) -> str:
        """Definition + include/exclude + examples as one text (for embeddings, exports)."""
        parts = [self.label]
        if self.definition:
            parts.append(self.definition)
        parts += [f"Include: {s}" for s in self.include]
        parts += [f"Exclude: {s}" for s in self.exclude]
        parts += [f"Example: {s}" for s in self.examples]
        return "\n".join(parts)

    def __repr__(self) -> str:
        return f"Code({self.id!r}, {self.label!r})"


class Codebook(Sequence[Code]):
    """An ordered set of codes with a hierarchy, plus name/version/language/description.

    Codebooks are immutable: :meth:`add_code`, :meth:`rename_code`,
    :meth:`merge_codes` return a new codebook whose ``history`` records the change.
    """

    def __init__(self, codes: Iterable[Code] = (), *, name: str = "codebook", version: str = "1",
                 language: str = "en", description: str = "", history: Sequence[Mapping[str, Any]] = (),
                 source: str | None = None) -> None:
        self._codes: tuple[Code, ...] = tuple(codes)
        self._by_id: dict[str, Code] = {}
        for c in self._codes:
            if c.id in self._by_id:
                raise CodebookError("E203", f"duplicate code id {c.id!r}", path=source)
            self._by_id[c.id] = c
        for c in self._codes:
            if c.parent is not None and c.parent not in self._by_id:
                raise CodebookError("E204", f"code {c.id!r} has parent {c.parent!r}, which does not exist",
                                    path=source)
        self.name = name
        self.version = version
        self.language = language
        self.description = description
        self.history: tuple[Mapping[str, Any], ...] = tuple(history)
        self.source = source
        self._paths: dict[str, str] = {}
        for c in self._codes:
            self._paths[c.id] = self._compute_path(c.id)

    # -- construction --------------------------------------------------------
    @classmethod
    def from_codes(cls, labels: Iterable[str], **kwargs: Any) -> "Codebook":
        """A bare codebook of labels (ids = the labels), each codable, no definitions.

        Examples
        --------
        >>> Codebook.from_codes(["trust", "recognition"]).ids
        ['trust', 'recognition']
        """
        return cls([Code(str(x), str(x)) for x in labels], **kwargs)

    def _compute_path(self, code_id: str) -> str:
        parts = []
        seen = set()
        cur: str | None = code_id
        while cur is not None:
            if cur in seen:
                raise CodebookError("E204", f"code hierarchy has a cycle at {cur!r}", path=self.source)
            seen.add(cur)
            c = self._by_id[cur]
            parts.append(c.name)
            cur = c.parent
        return "/".join(reversed(parts))

    # -- sequence / lookup ---------------------------------------------------
    def __len__(self) -> int:
        return len(self._codes)

    def __iter__(self) -> Iterator[Code]:
        return iter(self._codes)

    def __getitem__(self, key):  # type: ignore[override]
        if isinstance(key, str):
            try:
                return self._by_id[key]
            except KeyError:
                raise CodebookError("E208", f"no code {key!r} in codebook {self.name!r}", path=self.source) from None
        return self._codes[key]

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            return key in self._by_id
        return key in self._codes

    def get(self, code_id: str, default: Code | None = None) -> Code | None:
        return self._by_id.get(code_id, default)

    @property
    def ids(self) -> list[str]:
        return [c.id for c in self._codes]

    @property
    def codes(self) -> tuple[Code, ...]:
        return self._codes

    def codable(self) -> list[Code]:
        """The codes a segment can be coded with (``codable=True``)."""
        return [c for c in self._codes if c.codable]

    def children(self, code_id: str | None) -> list[Code]:
        """Direct children of ``code_id`` (``None``: the top-level themes)."""
        return [c for c in self._codes if c.parent == code_id]

    def descendants(self, code_id: str) -> list[Code]:
        out = []
        for child in self.children(code_id):
            out.append(child)
            out.extend(self.descendants(child.id))
        return out

    def path(self, code_id: str) -> str:
        """``'trust/quality_assurance'``."""
        self[code_id]
        return self._paths[code_id]

    def level(self, code_id: str) -> int:
        """1 for a top-level theme, 2 for its sub-codes, ..."""
        return self.path(code_id).count("/") + 1

    def ancestor(self, code_id: str, level: int = 1) -> str:
        """The id of ``code_id``'s ancestor at ``level`` (itself if it is at or above it)."""
        chain = [code_id]
        while self[chain[-1]].parent is not None:
            chain.append(self[chain[-1]].parent)  # type: ignore[arg-type]
        chain.reverse()  # theme first
        return chain[min(level, len(chain)) - 1]

    def themes(self) -> list[Code]:
        """Top-level codes."""
        return self.children(None)

    def color(self, code_id: str) -> str:
        """The code's color, inherited from its parent, or a stable palette color."""
        c = self.get(code_id)
        while c is not None:
            if c.color:
                return c.color
            c = self.get(c.parent) if c.parent else None
        from .._html import color_for

        return color_for(self.ancestor(code_id, 1) if code_id in self else code_id)

    def replace_codes(self, codes: Iterable[Code], event: Mapping[str, Any] | None = None) -> "Codebook":
        """A new codebook with ``codes`` (and ``event`` appended to the history)."""
        hist = self.history + ((dict(event),) if event else ())
        return Codebook(codes, name=self.name, version=self.version, language=self.language,
                        description=self.description, history=hist, source=self.source)

    def with_code(self, code: Code) -> "Codebook":
        """Replace the code with ``code.id`` by ``code`` (no history entry)."""
        return self.replace_codes([code if c.id == code.id else c for c in self._codes])

    # -- views ---------------------------------------------------------------
    def to_frame(self):
        """One row per code: id, path, level, parent, label, codable, definition, criteria, counts."""
        import pandas as pd

        rows = []
        for c in self._codes:
            rows.append({
                "id": c.id, "path": self._paths[c.id], "level": self.level(c.id), "parent": c.parent,
                "label": c.label, "codable": c.codable, "color": self.color(c.id),
                "definition": c.definition, "include": "; ".join(c.include), "exclude": "; ".join(c.exclude),
                "n_examples": len(c.examples), "n_counter_examples": len(c.counter_examples),
                "keywords": ", ".join(c.keywords),
            })
        return pd.DataFrame(rows)

    def __repr__(self) -> str:
        return (f"Codebook({self.name!r} v{self.version}, {len(self)} codes, "
                f"{len(self.themes())} themes)")

    def _repr_html_(self) -> str:
        from html import escape

        from .._html import badge

        lines = [f"<div style='font-family:sans-serif;font-size:90%'><b>{escape(self.name)}</b> "
                 f"v{escape(str(self.version))} — {len(self)} codes</div><ul style='margin:0'>"]

        def walk(parent: str | None, depth: int) -> None:
            for c in self.children(parent):
                defin = escape(c.definition[:160] + ("…" if len(c.definition) > 160 else ""))
                n = f" <span style='color:#888'>({len(c.examples)} examples)</span>" if c.examples else ""
                style = "" if c.codable else "font-style:italic"
                lines.append(f"<li style='{style}'>{badge(c.label, self.color(c.id))} "
                             f"<code>{escape(c.id)}</code>{n}<br><span style='color:#555'>{defin}</span></li>")
                if self.children(c.id):
                    lines.append("<ul style='margin:0'>")
                    walk(c.id, depth + 1)
                    lines.append("</ul>")

        walk(None, 0)
        lines.append("</ul>")
        return "".join(lines)
