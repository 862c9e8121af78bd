"""Coding by hand in Jupyter: the coding view (``project.view()``) and the review card.

Both are `anywidget <https://anywidget.dev>`_ widgets (JupyterLab, Notebook 7,
VS Code): an ES module and a stylesheet shipped next to this file, traitlets
for the state the browser shows, and custom messages for the coder's actions.
Every action is one call into the project (one event in the decision log, or
one memo row), so two coders' views of one project file stay consistent: a
view re-reads the project on "Refresh" and whenever the browser tab regains
focus.

The logic (message handlers → project calls, the state sent to the browser)
lives in :mod:`~mcqual.project.widgets.coding` and
:mod:`~mcqual.project.widgets.card` and is plain Python; ``anywidget`` is
imported only when a widget is built. Saved in a notebook without a kernel,
each widget leaves a readable HTML table with instructions.

Examples
--------
>>> import os, tempfile
>>> import mcqual as mq
>>> p = mq.Project.create(os.path.join(tempfile.mkdtemp(), "p.mcq"), coder="ab")
>>> _ = p.add_transcripts([mq.Transcript.from_turns("a", [("I", "Why?"), ("R", "I trust badges.")])])
>>> _ = p.set_codebook(mq.Codebook.from_codes(["trust"]))
>>> v = p.view()
>>> v.transcript_id, v.coder
('a', 'ab')
>>> v.handle({"action": "code", "start": 8, "end": 13, "code": "trust"})["ok"]
True
>>> p.codings()["snippet"].tolist()
['trust']
"""
from __future__ import annotations

from typing import Any

__all__ = ["view"]


def view(self: Any, transcript: str | None = None, *, coder: str | None = None, height: int = 640):
    """The coding view: read a transcript, select text with the mouse, pick a code.

    The transcript shows as turns (speaker, role, timestamp) with the codings
    as coloured stripes in the margin and highlights in the text; pending
    suggestions are underlined (dashed) with accept / reject in place. Select a
    passage → type to filter the code picker → Enter commits one coding. Click a
    coding to remove it, change its code or write a memo; Undo takes back your
    last action. Filter by coder and code; switch transcripts at the top.

    Parameters
    ----------
    transcript : str, optional
        The transcript to open (default: the first).
    coder : str, optional
        Whose codings the actions record (default ``project.coder``; E310 if neither).
    height : int
        Height of the scrolling transcript pane in pixels.

    Returns
    -------
    CodingView
        An ``anywidget`` widget; its logic is callable from Python too
        (``view.handle({"action": "code", "start": 0, "end": 5, "code": "trust"})``).

    Examples
    --------
    >>> import os, tempfile
    >>> import mcqual as mq
    >>> p = mq.Project.create(os.path.join(tempfile.mkdtemp(), "p.mcq"), coder="ab")
    >>> _ = p.add_transcripts([mq.Transcript.from_turns("a", [("R", "Yes.")])])
    >>> _ = p.set_codebook(mq.Codebook.from_codes(["trust"]))
    >>> p.view().doc["turns"][0]["speaker"]
    'R'
    """
    from .coding import build_view

    return build_view(self, transcript=transcript, coder=self._coder(coder), height=height)
