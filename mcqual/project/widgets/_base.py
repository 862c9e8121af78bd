"""Shared plumbing of the widgets: the lazily built anywidget classes, static HTML, runs and offsets.

Examples
--------
>>> split_runs(10, 20, [(12, 15), (14, 30)])
[(10, 12), (12, 14), (14, 15), (15, 20)]
>>> utf16_to_index("a😀b", 3)
2
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any, Iterable

#: how many codes fit in the picker list before it scrolls
PICKER_ROWS = 12


def split_runs(start: int, end: int, spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Cut ``[start, end)`` at every span boundary inside it (the text runs the browser renders).

    Each run later carries its start offset (``data-s``) so a mouse selection maps
    back to exact character offsets: ``run start + offset inside the run``.
    """
    cuts = {start, end}
    for a, b in spans:
        if start < a < end:
            cuts.add(a)
        if start < b < end:
            cuts.add(b)
    c = sorted(cuts)
    return list(zip(c, c[1:]))


def utf16_to_index(text: str, offset16: int) -> int:
    """A browser (UTF-16) offset inside ``text`` → a Python (code point) index.

    The browser counts characters outside the Basic Multilingual Plane (emoji)
    twice; the project counts them once.
    """
    n = 0
    for i, ch in enumerate(text):
        if n >= offset16:
            return i
        n += 2 if ord(ch) > 0xFFFF else 1
    return len(text)


def selection_to_span(text: str, anchor: tuple[int, str, int], focus: tuple[int, str, int]) -> tuple[int, int]:
    """``(run_start, run_text, utf16_offset)`` of both selection ends → ``(start, end)`` in ``text``.

    What the browser does, for tests: the ends may come in either order.

    Examples
    --------
    >>> selection_to_span("I trust badges.", (8, "badges.", 6), (0, "I trust ", 2))
    (2, 14)
    """
    a = anchor[0] + utf16_to_index(anchor[1], anchor[2])
    b = focus[0] + utf16_to_index(focus[1], focus[2])
    return (min(a, b), max(a, b))


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink a selection to exclude surrounding whitespace (what a mouse selection often grabs).

    Examples
    --------
    >>> trim_span("  I trust badges. ", 0, 18)
    (2, 17)
    """
    start, end = max(0, start), min(len(text), end)
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


@lru_cache(maxsize=None)
def asset(name: str) -> str:
    """The text of a file shipped in this package (``coding.js``, ``widgets.css``...)."""
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def asset_module(name: str) -> str:
    """A widget's ES module: the shared helpers (``common.js``) followed by the module itself."""
    return asset("common.js") + "\n" + asset(name)


def codes_payload(cb: Any) -> list[dict[str, Any]]:
    """The codebook as the picker needs it: id, label, colour, depth, parent, codable, path."""
    if cb is None:
        return []
    out = []
    for c in cb:
        out.append({"id": c.id, "label": c.label or c.id, "color": cb.color(c.id), "depth": cb.level(c.id) - 1,
                    "parent": c.parent, "path": cb.path(c.id),
                    "definition": (getattr(c, "definition", "") or "")[:300]})
    return out


@lru_cache(maxsize=None)
def widget_classes() -> dict[str, type]:
    """The anywidget classes, built on first use (anywidget is imported only here; E900 without it)."""
    try:
        import anywidget
        import traitlets as t
    except ImportError:
        from ...errors import MissingDependencyError

        raise MissingDependencyError("E900", "the coding view needs anywidget, which is not installed",
                                     hint="pip install 'mcqual[notebook]'") from None

    from .card import CardLogic
    from .coding import CodingLogic

    css = asset("widgets.css")

    class CodingView(CodingLogic, anywidget.AnyWidget):
        _esm = asset_module("coding.js")
        _css = css
        coder = t.Unicode("").tag(sync=True)
        transcripts = t.List([]).tag(sync=True)
        transcript_id = t.Unicode("").tag(sync=True)
        doc = t.Dict({}).tag(sync=True)
        codes = t.List([]).tag(sync=True)
        codings = t.List([]).tag(sync=True)
        suggestions = t.List([]).tag(sync=True)
        memos = t.List([]).tag(sync=True)
        status = t.Dict({}).tag(sync=True)
        height = t.Int(640).tag(sync=True)
        version = t.Int(0).tag(sync=True)
        quality = t.Dict({}).tag(sync=True)
        quality_info = t.Dict({}).tag(sync=True)

        def __init__(self, project: Any, **kwargs: Any) -> None:
            self._project = project
            super().__init__(**kwargs)
            self.on_msg(self._on_msg)

    class ReviewCard(CardLogic, anywidget.AnyWidget):
        _esm = asset_module("card.js")
        _css = css
        coder = t.Unicode("").tag(sync=True)
        card = t.Dict({}).tag(sync=True)
        codes = t.List([]).tag(sync=True)
        status = t.Dict({}).tag(sync=True)
        n_pending = t.Int(0).tag(sync=True)
        n_done = t.Int(0).tag(sync=True)

        def __init__(self, review: Any, **kwargs: Any) -> None:
            self._review = review
            super().__init__(**kwargs)
            self.on_msg(self._on_msg)

    return {"CodingView": CodingView, "ReviewCard": ReviewCard}


#: actions that change nothing in the project file (no need to tell the other views)
READ_ONLY = frozenset({"refresh", "focus", "next", "prev", "widen", "narrow", "turn", "reset", "transcript", "skip",
                        "quality"})


class MessageMixin:
    """Custom messages from the browser → :meth:`handle` → a reply in ``status``.

    The views and cards open on one project object know each other: after an
    action that wrote to the file, the others re-read it (a decision in the
    review card shows in the coding view at once).
    """

    def _register(self, project: Any) -> None:
        import weakref

        live = project.__dict__.setdefault("_mcq_widgets", weakref.WeakSet())
        live.add(self)

    def _after(self, project: Any, action: Any, out: dict[str, Any]) -> dict[str, Any]:
        if out.get("ok") and action not in READ_ONLY:
            for w in list(project.__dict__.get("_mcq_widgets", ())):
                if w is not self:
                    try:
                        w.sync()
                    except Exception:  # noqa: BLE001 - a closed sibling must not break this action
                        pass
        return out

    def sync(self) -> None:  # pragma: no cover - overridden
        """Catch up with the project file after another widget wrote to it."""

    def _on_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("action"):
            self.handle(content)

    def handle(self, msg: dict[str, Any]) -> dict[str, Any]:  # pragma: no cover - overridden
        raise NotImplementedError

    def _label(self, code: str) -> str:
        """The label of ``code`` in the ``codes`` payload (the id if it has none)."""
        for c in self.codes:  # type: ignore[attr-defined]
            if c["id"] == code:
                return c["label"]
        return code

    def _reply(self, ok: bool, text: str, **extra: Any) -> dict[str, Any]:
        n = int(self.status.get("n", 0)) + 1 if isinstance(getattr(self, "status", None), dict) else 1
        out = {"ok": ok, "text": text, "n": n, **extra}
        self.status = out
        return out

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        """The widget, plus a ``text/html`` fallback for notebooks saved without a kernel."""
        bundle = super()._repr_mimebundle_(**kwargs)  # type: ignore[misc]
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        if isinstance(data, dict):
            data["text/html"] = self.static_html()
            data["text/plain"] = repr(self)
        return bundle

    def static_html(self) -> str:  # pragma: no cover - overridden
        raise NotImplementedError
