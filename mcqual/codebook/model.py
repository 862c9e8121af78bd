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
from dataclasses import dataclass, replace
from pathlib import Path
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

    def _repr_html_(self) -> str:
        from html import escape

        from .._html import badge, color_for

        color = self.color or color_for(self.parent or self.id)
        parts = [f"<div style='font-family:sans-serif;font-size:90%'>{badge(self.label, color)} "
                 f"<code>{escape(self.id)}</code>"
                 + ("" if self.codable else " <i>(grouping node, not codable)</i>")]
        if self.definition:
            parts.append(f"<p style='margin:4px 0'>{escape(self.definition)}</p>")
        for title, items in (("Include", self.include), ("Exclude", self.exclude), ("Examples", self.examples),
                             ("Counter-examples", self.counter_examples)):
            if items:
                lis = "".join(f"<li>{escape(x)}</li>" for x in items)
                parts.append(f"<b>{title}</b><ul style='margin:0'>{lis}</ul>")
        if self.keywords:
            parts.append("<b>Keywords</b>: " + escape(", ".join(self.keywords)))
        if self.patterns:
            parts.append(f"<br><b>Patterns</b>: {len(self.patterns)}")
        if self.memo:
            parts.append(f"<br><b>Memo</b>: {escape(self.memo)}")
        return "".join(parts) + "</div>"


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

    # -- changes (each returns a new codebook and records an event) ----------
    @staticmethod
    def _event(op: str, by: str | None, **fields: Any) -> dict[str, Any]:
        from datetime import datetime, timezone

        event: dict[str, Any] = {"op": op, **fields}
        event["at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
        event["by"] = by
        return event

    def add_code(self, code: Code, *, by: str | None = None) -> "Codebook":
        """A new codebook with ``code`` appended (after its parent's last descendant).

        Raises E203 if the id exists, E204 if its parent does not.

        Examples
        --------
        >>> cb = Codebook([Code("trust", codable=False)])
        >>> cb = cb.add_code(Code("trust.qa", "Quality assurance", parent="trust"), by="AB")
        >>> cb.path("trust.qa"), cb.history[-1]["op"], cb.history[-1]["by"]
        ('trust/qa', 'add', 'AB')
        """
        if code.id in self._by_id:
            raise CodebookError("E203", f"code id {code.id!r} already exists in {self.name!r}", path=self.source)
        if code.parent is not None and code.parent not in self._by_id:
            raise CodebookError("E204", f"parent {code.parent!r} of new code {code.id!r} does not exist",
                                path=self.source)
        codes = list(self._codes)
        if code.parent is None:
            codes.append(code)
        else:
            last = [code.parent] + [d.id for d in self.descendants(code.parent)]
            pos = max(i for i, c in enumerate(codes) if c.id in last)
            codes.insert(pos + 1, code)
        return self.replace_codes(codes, self._event("add", by, id=code.id, label=code.label, parent=code.parent))

    def rename_code(self, code_id: str, label: str | None = None, name: str | None = None, *,
                    by: str | None = None) -> "Codebook":
        """A new codebook where ``code_id`` has a new label and/or path name; the id is kept.

        Codings point at the id, so they follow the rename.

        Examples
        --------
        >>> cb = Codebook([Code("trust", codable=False), Code("trust.qa", "QA", parent="trust")])
        >>> cb2 = cb.rename_code("trust.qa", label="Quality assurance", name="quality_assurance")
        >>> cb2["trust.qa"].label, cb2.path("trust.qa"), cb2.history[-1]["old_label"]
        ('Quality assurance', 'trust/quality_assurance', 'QA')
        """
        old = self[code_id]
        if label is None and name is None:
            raise CodebookError("E207", f"rename_code({code_id!r}) needs label= or name=", path=self.source)
        if name is not None and (not name.strip() or "/" in name):
            raise CodebookError("E207", f"name {name!r} must be a non-empty path segment without '/'",
                                path=self.source)
        new = replace(old, label=label if label is not None else old.label,
                      name=name.strip() if name is not None else old.name)
        event = self._event("rename", by, id=code_id, old_label=old.label, new_label=new.label)
        if name is not None:
            event.update(old_name=old.name, new_name=new.name)
        return self.replace_codes([new if c.id == code_id else c for c in self._codes], event)

    def edit_code(self, code_id: str, *, by: str | None = None, **changes: Any) -> "Codebook":
        """A new codebook where ``code_id`` has other field values (definition, examples, color, ...).

        The id and parent cannot change here (use :meth:`merge_codes` / :meth:`add_code`).

        Examples
        --------
        >>> cb = Codebook([Code("trust")]).edit_code("trust", definition="Why people trust.")
        >>> cb["trust"].definition, cb.history[-1]["fields"]
        ('Why people trust.', ['definition'])
        """
        old = self[code_id]
        bad = [k for k in changes if k in ("id", "parent") or k not in Code.__dataclass_fields__]
        if bad:
            raise CodebookError("E207", f"edit_code cannot change {', '.join(map(repr, bad))}", path=self.source,
                                hint="Edit definition, include, exclude, examples, counter_examples, keywords, "
                                     "patterns, color, codable, memo, label or name.")
        new = replace(old, **changes)
        return self.replace_codes([new if c.id == code_id else c for c in self._codes],
                                  self._event("edit", by, id=code_id, fields=sorted(changes)))

    def merge_codes(self, sources: str | Iterable[str], into: str, *, by: str | None = None) -> "Codebook":
        """A new codebook where ``sources`` are folded into ``into`` and removed.

        Their include/exclude criteria, examples, counter-examples, keywords and
        patterns are appended to ``into`` (without duplicates); their children move
        under ``into``. The history event ``{"op": "merge", "sources": [...],
        "into": ...}`` lets a project remap codings (see :meth:`resolve`).

        Examples
        --------
        >>> cb = Codebook([Code("a", keywords=("badge",)), Code("b", keywords=("token", "badge"))])
        >>> m = cb.merge_codes(["b"], into="a", by="AB")
        >>> m.ids, m["a"].keywords, m.resolve("b")
        (['a'], ('badge', 'token'), 'a')
        """
        srcs = [sources] if isinstance(sources, str) else list(dict.fromkeys(sources))
        target = self[into]
        for s in srcs:
            self[s]
        if into in srcs:
            raise CodebookError("E207", f"cannot merge {into!r} into itself", path=self.source)
        if not srcs:
            raise CodebookError("E207", "merge_codes needs at least one source code", path=self.source)
        removed = set(srcs)
        fold: dict[str, list] = {f: list(getattr(target, f)) for f in
                                 ("include", "exclude", "examples", "counter_examples", "keywords", "patterns")}
        for s in srcs:
            for f, items in fold.items():
                for item in getattr(self[s], f):
                    if item not in items:
                        items.append(item)

        def new_parent(c: Code) -> str | None:
            p = c.parent
            if c.id == into:  # the target keeps its first non-removed ancestor
                while p is not None and p in removed:
                    p = self[p].parent
                return p
            return into if p in removed else p

        codes = []
        for c in self._codes:
            if c.id in removed:
                continue
            if c.id == into:
                c = replace(c, **{f: tuple(v) for f, v in fold.items()})
            if c.parent in removed:
                c = replace(c, parent=new_parent(c))
            codes.append(c)
        return self.replace_codes(codes, self._event("merge", by, sources=srcs, into=into,
                                                     labels={s: self[s].label for s in srcs}))

    def remove_code(self, code_id: str, *, children: str = "error", by: str | None = None) -> "Codebook":
        """A new codebook without ``code_id``.

        Parameters
        ----------
        children : {"error", "lift", "remove"}
            What happens to its sub-codes: refuse (default), move them up to its
            parent, or remove them too.

        Examples
        --------
        >>> cb = Codebook([Code("a"), Code("a.b", parent="a")])
        >>> cb.remove_code("a", children="lift").ids
        ['a.b']
        """
        code = self[code_id]
        kids = self.descendants(code_id)
        if children not in ("error", "lift", "remove"):
            raise CodebookError("E207", f"children={children!r}: use 'error', 'lift' or 'remove'", path=self.source)
        if kids and children == "error":
            raise CodebookError("E207", f"code {code_id!r} has {len(kids)} sub-codes", path=self.source,
                                hint="Pass children='lift' (move them up) or children='remove'.")
        gone = {code_id} | ({k.id for k in kids} if children == "remove" else set())
        codes = [replace(c, parent=code.parent) if c.parent == code_id else c
                 for c in self._codes if c.id not in gone]
        return self.replace_codes(codes, self._event("remove", by, id=code_id, label=code.label,
                                                     removed=sorted(gone - {code_id}),
                                                     children=children if kids else None))

    def resolve(self, code_id: str) -> str | None:
        """The current id of a code id seen in older codings: follows merges; ``None`` if removed.

        Examples
        --------
        >>> cb = Codebook([Code("a"), Code("b"), Code("c")]).merge_codes("b", "a").remove_code("c")
        >>> cb.resolve("b"), cb.resolve("a"), cb.resolve("c")
        ('a', 'a', None)
        """
        cur = code_id
        for event in self.history:
            op = event.get("op") or event.get("event")
            if op == "merge" and "into" in event and cur in (event.get("sources") or ()):
                cur = event["into"]
            elif op in ("merge", "rename") and "to" in event:  # id-changing events of mcqual.Project
                src = event.get("from")
                if cur == src or (isinstance(src, (list, tuple)) and cur in src):
                    cur = event["to"]
            elif op == "remove" and (cur == event.get("id") or cur in (event.get("removed") or ())):
                return None
        return cur if cur in self._by_id else None

    def lookup(self, name: str) -> str:
        """The id of the code ``name`` names: its id, label or path, case-insensitively.

        Tried in order: the exact id; the id, label or path ignoring case and
        extra spaces. An unknown name is never silently dropped: E208 names
        the closest ids and labels (or, for an old id, the code a rename or
        merge turned it into); a label shared by two codes (under different
        parents) is E208 too, listing their paths.

        Examples
        --------
        >>> cb = Codebook([Code("trust", "Trust in credentials"), Code("trust.qa", "Quality assurance", parent="trust")])
        >>> cb.lookup("quality ASSURANCE"), cb.lookup("trust/qa"), cb.lookup("trust")
        ('trust.qa', 'trust.qa', 'trust')
        >>> cb.lookup("quality assurence")
        Traceback (most recent call last):
        ...
        mcqual.errors.CodebookError: [E208] no code 'quality assurence' in codebook 'codebook'; closest: 'Quality assurance' (trust.qa) — Use an id that exists in the codebook (see codebook.to_frame()).
        """
        if not isinstance(name, str):
            raise CodebookError("E208", f"a code is named by its id or label (text), not {name!r}", path=self.source)
        if name in self._by_id:
            return name
        key = " ".join(name.split()).casefold()
        for field in ("id", "label", "path"):
            hits = [c.id for c in self._codes
                    if " ".join((self._paths[c.id] if field == "path" else getattr(c, field)).split()).casefold() == key]
            if len(hits) == 1:
                return hits[0]
            if len(hits) > 1:
                raise CodebookError("E208", f"{name!r} is the {field} of {len(hits)} codes: "
                                    + ", ".join(f"{self._paths[h]} (id {h})" for h in hits), path=self.source,
                                    hint="Name the code by its id or its path (parent/name).")
        now = self.resolve(name)
        if now is not None:  # an old id: say where it went, but never re-route a decision silently
            raise CodebookError("E208", f"no code {name!r} in codebook {self.name!r}: it was renamed or merged into "
                                f"{now!r} ({self[now].label})", path=self.source, hint=f"Use {now!r}.")
        raise CodebookError("E208", f"no code {name!r} in codebook {self.name!r}{self._closest(name)}",
                            path=self.source)

    def _closest(self, name: str, n: int = 3) -> str:
        """``"; closest: 'Label' (id), ..."`` (difflib over ids and labels), or ``""``."""
        import difflib

        key = " ".join(str(name).split()).casefold()
        names: dict[str, str] = {}
        for c in self._codes:
            names.setdefault(c.id.casefold(), c.id)
            names.setdefault(c.label.casefold(), c.id)
        close = difflib.get_close_matches(key, list(names), n=n * 2, cutoff=0.5)
        seen: list[str] = []
        for k in close:
            if names[k] not in seen:
                seen.append(names[k])
        if not seen:
            return f"; the codebook has {', '.join(self.ids[:8])}{'…' if len(self) > 8 else ''}" if len(self) else ""
        return "; closest: " + ", ".join(
            f"{self[i].label!r} ({i})" if self[i].label != i else repr(i) for i in seen[:n])

    def diff(self, other: "Codebook") -> list[dict[str, Any]]:
        """What changed from this codebook to ``other``, one entry per code id.

        Each entry is ``{"id", "change", "fields"}`` with ``change`` one of
        ``"added"``, ``"removed"``, ``"changed"`` and ``fields`` the changed field
        names (``parent`` means the code moved). ``pd.DataFrame(cb.diff(new))``
        gives a table.

        Examples
        --------
        >>> old = Codebook([Code("a", "A"), Code("b")])
        >>> new = old.rename_code("a", label="Alpha").remove_code("b").add_code(Code("c"))
        >>> [(d["id"], d["change"], d["fields"]) for d in old.diff(new)]
        [('a', 'changed', ['label']), ('b', 'removed', []), ('c', 'added', [])]
        """
        out: list[dict[str, Any]] = []
        for c in self._codes:
            n = other.get(c.id)
            if n is None:
                out.append({"id": c.id, "change": "removed", "fields": []})
            elif n != c:
                fields = [f for f in Code.__dataclass_fields__ if getattr(c, f) != getattr(n, f)]
                out.append({"id": c.id, "change": "changed", "fields": fields})
        out += [{"id": c.id, "change": "added", "fields": []} for c in other if c.id not in self._by_id]
        return out

    # -- files ---------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Write the codebook to ``path``: ``.yaml``/``.yml``, ``.xlsx`` or ``.qdc`` (atomic).

        Examples
        --------
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "cb.yaml"
        >>> cb = Codebook([Code("trust", "Trust")], name="demo")
        >>> cb.save(p).name, Codebook.load(p) == cb
        ('cb.yaml', True)
        """
        from .load import save_codebook

        return save_codebook(self, path)

    @classmethod
    def load(cls, path: str | Path) -> "Codebook":
        """Read a codebook file (same as :func:`mcqual.load_codebook`)."""
        from .load import load_codebook

        return load_codebook(path)

    def to_yaml(self) -> str:
        """The codebook as YAML text (the format :func:`mcqual.load_codebook` reads)."""
        from .yaml_io import codebook_to_yaml

        return codebook_to_yaml(self)

    def to_dict(self) -> dict[str, Any]:
        """The codebook as plain nested data (what the YAML file holds); JSON-safe.

        Examples
        --------
        >>> cb = Codebook([Code("a", "A")], name="demo")
        >>> Codebook.from_dict(cb.to_dict()) == cb
        True
        """
        from .yaml_io import codebook_to_dict

        return codebook_to_dict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str | None = None) -> "Codebook":
        """A codebook from plain data in the YAML layout, validated like a file (all problems at once)."""
        from .validate import codebook_from_data

        return codebook_from_data(dict(data), {}, path=source)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Codebook):
            return NotImplemented
        return (self._codes == other._codes and self.name == other.name and str(self.version) == str(other.version)
                and self.language == other.language and self.description == other.description
                and [dict(e) for e in self.history] == [dict(e) for e in other.history])

    __hash__ = None  # type: ignore[assignment]

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
