"""What ``add_transcripts`` and ``suggest`` tell you: small frozen reports with ``_repr_html_``.

Examples
--------
>>> r = ImportReport(added=("a",), unchanged=(), updated=("b",), exact=3, moved=2, fuzzy=1, orphaned=())
>>> r
ImportReport(added=1, updated=1, unchanged=0; codings: exact=3, moved=2, fuzzy=1, orphaned=0)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from .._html import table


@dataclass(frozen=True)
class Orphan:
    """A coding (or suggestion) whose quote could not be found in the new text."""

    kind: str  # coding | suggestion
    id: int
    transcript_id: str
    code: str
    coder: str
    quote: str


@dataclass(frozen=True)
class ImportReport:
    """What :meth:`Project.add_transcripts` did.

    ``exact``/``moved``/``fuzzy`` count re-anchored codings (same offsets,
    shifted offsets with the same quote, a similar quote); ``orphaned`` lists
    codings whose quote is gone (kept, flagged ``orphaned``).
    ``suggestions`` counts re-anchored pending/decided suggestions by status.
    """

    added: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    exact: int = 0
    moved: int = 0
    fuzzy: int = 0
    orphaned: tuple[Orphan, ...] = ()
    suggestions: dict = field(default_factory=dict)

    @property
    def n_orphaned(self) -> int:
        return sum(1 for o in self.orphaned if o.kind == "coding")

    def __repr__(self) -> str:
        return (f"ImportReport(added={len(self.added)}, updated={len(self.updated)}, "
                f"unchanged={len(self.unchanged)}; codings: exact={self.exact}, moved={self.moved}, "
                f"fuzzy={self.fuzzy}, orphaned={self.n_orphaned})")

    def _repr_html_(self) -> str:
        rows = [["transcripts added", len(self.added)], ["transcripts updated (new content)", len(self.updated)],
                ["transcripts unchanged", len(self.unchanged)], ["codings at the same offsets", self.exact],
                ["codings moved (same quote, shifted)", self.moved],
                ["codings re-anchored fuzzily (edited quote)", self.fuzzy],
                ["codings orphaned (kept, flagged)", self.n_orphaned]]
        rows += [[f"suggestions {k}", v] for k, v in sorted(self.suggestions.items())]
        html = table(["", "n"], rows, caption="Import")
        if self.orphaned:
            html += table(["kind", "id", "transcript", "code", "coder", "quote"],
                          [[o.kind, o.id, o.transcript_id, o.code, o.coder, o.quote[:120]] for o in self.orphaned],
                          caption="Orphaned — check these by hand (project.codings(status='orphaned'))")
        return html


@dataclass(frozen=True)
class SuggestReport:
    """What :meth:`Project.suggest` stored.

    ``new`` suggestions were inserted; ``refreshed`` pending ones got a new
    score/reason; ``kept_decided`` came back where a coder had already accepted
    or rejected (the decision stands, nothing stored); ``already_coded`` matched
    an existing coding of the same code.
    """

    run_id: int
    suggester: str
    unit: str | None
    n_segments: int
    n_suggestions: int
    new: int
    refreshed: int
    kept_decided: int
    already_coded: int

    def __repr__(self) -> str:
        return (f"SuggestReport(run {self.run_id}: {self.n_suggestions} suggestions on {self.n_segments} segments; "
                f"new={self.new}, refreshed={self.refreshed}, kept_decided={self.kept_decided}, "
                f"already_coded={self.already_coded})")

    def _repr_html_(self) -> str:
        rows = [["segments", self.n_segments], ["suggestions", self.n_suggestions], ["new (pending)", self.new],
                ["refreshed (still pending)", self.refreshed], ["already decided (kept)", self.kept_decided],
                ["already coded", self.already_coded]]
        return table(["", "n"], rows, caption=f"Suggest run {self.run_id}: {self.suggester}")
