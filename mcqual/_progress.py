"""Progress with an ETA for long steps: ``tqdm.auto`` (a widget in Jupyter, a text bar in a terminal).

A bar appears only when a step has run for ``delay`` seconds (2 by default), so quick steps stay
silent. ``enable`` is what a ``progress=`` parameter passes down:

* ``None`` (default): show when the output is a terminal or a notebook (tqdm's own rule),
* ``True`` / ``False``: always / never,
* a callable: called with the number of items just done (a caller's own bar or a log); if it
  also has ``begin(total, desc)``, that is called first (the command line's status line uses it).

Examples
--------
>>> with progress_bar(3, "embedding", enable=False) as bar:
...     for _ in range(3):
...         bar(1)
>>> seen = []
>>> with progress_bar(2, "embedding", enable=seen.append) as bar:
...     bar(2)
>>> seen
[2]
>>> class Status(list):
...     def begin(self, total, desc): self.append((desc, total))
...     def __call__(self, n): self.append(n)
>>> st = Status()
>>> with progress_bar(5, "embedding", enable=st) as bar:
...     bar(5)
>>> st
[('embedding', 5), 5]
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Callable, Iterator


@contextmanager
def progress_bar(total: int, desc: str, *, enable: Any = None, unit: str = "it",
                 delay: float = 2.0) -> Iterator[Callable[[int], None]]:
    """A context manager yielding ``update(n)``; see the module text for ``enable``."""
    if callable(enable) and not isinstance(enable, bool):
        begin = getattr(enable, "begin", None)
        if callable(begin):
            begin(total, desc)
        yield enable
        return
    if enable is False or total <= 0:
        yield lambda n=1: None
        return
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover - tqdm is a dependency
        yield lambda n=1: None
        return
    bar = tqdm(total=total, desc=desc, unit=unit, delay=delay, disable=None if enable is None else False,
               leave=False, dynamic_ncols=True)
    try:
        yield bar.update
    finally:
        bar.close()
