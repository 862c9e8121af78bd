"""The main job as stages (read → codebook → project → suggest → aggregate → export).

``mcqual run`` and ``make demo`` call :func:`run_all`; each stage is a plain
function over the public API, so a notebook can run any of them alone.

Examples
--------
>>> from mcqual.pipeline import STAGES
>>> STAGES[0]
'read'
"""
from __future__ import annotations

import inspect
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .export._format import UNREVIEWED, human_name  # noqa: F401 - UNREVIEWED: the stamp the Word report uses too

STAGES = ("read", "codebook", "guide", "project", "suggest", "decisions", "aggregate", "agreement", "export")


def write_frame(df, path: str | Path, *, safe: bool = True) -> Path:
    """Write a DataFrame as CSV atomically (UTF-8 with BOM so Excel opens it right).

    ``safe``: text a spreadsheet would run as a formula gets a leading ``'`` (see
    :func:`mcqual.export.tables.to_csv`).
    """
    from .export.tables import to_csv

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return to_csv(df, path, index=False, safe=safe)


class _Step:
    """Times a stage and prints one line for it; long steps show progress and an ETA in the status line.

    ``step.progress`` is what a suggester's ``progress=`` takes: :mod:`mcqual._progress` calls
    ``begin(total, desc)`` and then the step with the items done.
    """

    def __init__(self, console, label: str) -> None:
        self.console, self.label = console, label
        self.total, self.done, self.desc, self.started = 0, 0, "", 0.0

    def __enter__(self):
        self.t0 = time.perf_counter()
        self.status = self.console.status(f"{self.label}…")
        self.status.__enter__()
        self.progress = self  # callable with begin(): see mcqual._progress.progress_bar
        return self

    def begin(self, total: int, desc: str) -> None:
        self.total, self.done, self.desc, self.started = int(total), 0, desc, time.perf_counter()

    def __call__(self, n: int = 1) -> None:
        self.done += int(n)
        if not self.total:
            return
        spent = time.perf_counter() - self.started
        eta = spent / self.done * (self.total - self.done) if self.done else float("nan")
        left = f", about {eta:.0f} s left" if self.done and spent > 2 else ""
        self.status.update(f"{self.label}: {self.desc} {self.done:,}/{self.total:,} "
                           f"({self.done / self.total:.0%}){left}")

    def __exit__(self, *exc):
        self.status.__exit__(*exc)
        dt = time.perf_counter() - self.t0
        mark = "[green]✓[/green]" if exc[0] is None else "[red]✗[/red]"
        self.console.print(f"{mark} {self.label} ({dt:.1f} s)")
        return False


def read_stage(folder: str | Path, console, n_jobs: int = 1):
    """Read every transcript in ``folder``; print the summary and failures."""
    import mcqual as mq

    with _Step(console, f"reading {folder}"):
        corpus = mq.read_transcripts(folder, n_jobs=n_jobs)
    console.print(corpus.summary())
    return corpus


def load_codebook_stage(path: str | Path, console):
    import mcqual as mq

    with _Step(console, f"loading codebook {path}"):
        cb = mq.load_codebook(path)
    console.print(repr(cb))
    return cb


SURVEY_SUFFIXES = (".csv", ".tsv", ".xlsx")


def survey_stage(path: str | Path, console):
    """Read survey exports (a file, or every export in a folder) and their hand coding.

    In a folder, every ``.csv``/``.tsv``/``.xlsx`` is an export read with automatic column
    detection, except ``coded_*.csv`` files: hand codings with ``respondent_id, question, code``
    (and optionally ``coder``; default ``coder1``). Returns ``(survey corpus, codings or None)``.
    """
    import pandas as pd

    import mcqual as mq
    from .corpus import Corpus

    path = Path(path)
    files = [path] if path.is_file() else sorted(p for p in path.iterdir() if p.suffix.lower() in SURVEY_SUFFIXES
                                                  and not p.name.startswith(("coded", ".", "~$")))
    coded_files = [] if path.is_file() else sorted(path.glob("coded_*.csv"))
    with _Step(console, f"reading survey {path}"):
        corpora = [mq.read_survey(f) for f in files]
        items = [t for c in corpora for t in c]
        attrs = pd.concat([c.attributes for c in corpora]) if corpora else None
        survey = Corpus(items, attributes=attrs)
        codings = []
        for f in coded_files:
            coded = pd.read_csv(f, dtype=str, keep_default_na=False)
            for coder, part in coded.groupby(coded["coder"] if "coder" in coded.columns else
                                             pd.Series(["coder1"] * len(coded), index=coded.index)):
                codings.append(mq.survey_codings(survey, part, coder=coder or "coder1"))
        hand = pd.concat(codings, ignore_index=True) if codings else None
    n_answers = sum(len(t.turns) for t in survey)
    console.print(f"{len(survey)} survey respondents with {n_answers} open answers"
                  + (f"; {hand['transcript_id'].nunique()} respondents hand-coded ({len(hand)} codings)"
                     if hand is not None else ""))
    return survey, hand


def default_guide(codebook_path: str | Path) -> Path | None:
    """``interview_guide.yaml`` beside the codebook, when there is one."""
    p = Path(codebook_path).resolve().parent / "interview_guide.yaml"
    return p if p.exists() else None


def guide_stage(corpus, guide_path, out, console, embeddings: bool = True, model: str | None = None):
    """Align the transcripts to the interview guide; write the alignment and the question grid
    (``alignment.csv``, ``question_grid.xlsx``, ``question_grid.docx``). Returns the alignment."""
    import mcqual as mq

    out = Path(out)
    with _Step(console, f"aligning transcripts to the guide {guide_path}"):
        guide = mq.load_guide(guide_path)
        embedder = None
        if not embeddings:
            from .text.embedders import HashingEmbedder

            embedder = HashingEmbedder()
        al = mq.align_guide(corpus, guide, embedder=embedder, model=model)
        write_frame(al.to_frame(), out / "alignment.csv")
        grid = mq.question_grid(al, corpus, guide=guide, words=60)
        lf = mq.question_grid(al, corpus, guide=guide, long=True)
        mq.export.to_excel(out / "question_grid.xlsx",
                           {"question grid": grid,
                            "answers (long)": lf.drop(columns=["answer_starts", "answer_ends"]),
                            "alignment": al.to_frame()})
        mq.export.grid_to_docx(out / "question_grid.docx", lf, guide=guide, attributes=corpus.attributes)
    n_unasked = sum(len(v) for v in al.unasked.values())
    console.print(f"{len(al)} guide questions found in {sum(1 for t in corpus if al.transcript(t.id))} "
                  f"transcripts; {n_unasked} (transcript, question) pairs not asked")
    for tid, note in al.notes.items():
        console.print(f"  {tid}: {note}")
    return al


def default_suggester(embeddings: bool = True, model: str | None = None, progress: Any = None):
    """Rules, plus embeddings when wanted: the zero-shot ensemble the demo uses."""
    import mcqual as mq

    parts: dict[str, Any] = {"rules": mq.RuleSuggester()}
    if embeddings:
        parts["embedding"] = mq.EmbeddingSuggester(model=model, progress=progress)
    return mq.Ensemble(parts)


def suggest_stage(corpus, codebook, console, unit: str = "turn", embeddings: bool = True,
                  model: str | None = None):
    import mcqual as mq

    with _Step(console, f"suggesting codes ({unit})") as step:
        segs = mq.segments(corpus, unit=unit)
        sugg = default_suggester(embeddings, model, progress=step.progress).fit(segs, codebook).suggest(segs)
    console.print(f"{len(segs)} segments, {len(sugg)} suggestions")
    return segs, sugg


def _open_or_create(target: Any):
    """The project at a path or URL, created when there is none yet."""
    import mcqual as mq
    from .errors import ProjectError

    if isinstance(target, Path):
        return mq.Project.open(target) if target.exists() else mq.Project.create(target)
    try:
        return mq.Project.open(target)
    except ProjectError as exc:
        if exc.code != "E357":  # E357: no mcqual project in this schema yet
            raise
        return mq.Project.create(target)


def open_project(path: str | Path, console):
    import mcqual as mq

    return mq.Project.open(path)


def _gold(folder: Path):
    import pandas as pd

    path = Path(folder) / "gold_codings.csv"
    if not path.exists():
        return None
    return pd.read_csv(path)


def with_labels(corpus):
    """The corpus with its short case labels as a ``label`` attribute (so every output shows them)."""
    import pandas as pd

    labels = corpus.labels
    attrs = corpus.attributes
    attrs = (attrs.copy() if attrs is not None else pd.DataFrame(index=pd.Index(corpus.ids, name="case_id")))
    missing = [i for i in corpus.ids if i not in attrs.index]
    if missing:
        attrs = pd.concat([attrs, pd.DataFrame(index=pd.Index(missing, name=attrs.index.name))])
    given = attrs["label"] if "label" in attrs.columns else pd.Series(None, index=attrs.index, dtype=object)
    attrs["label"] = [g if isinstance(g, str) and g.strip() else labels.get(str(i), str(i))
                      for i, g in zip(attrs.index, given)]
    return corpus.with_attributes(attrs)


def report_options(codebook_path, **given) -> dict:
    """The Word report's options: ``report.yaml`` beside the codebook, then the flags given (which win)."""
    from .export.report_config import load_report_config

    opts = dict(load_report_config(codebook_path))
    opts.update({k: v for k, v in given.items() if v is not None})
    return opts


def run_all(folder, codebook_path, out, *, project=None, model=None, embeddings=True, n_jobs=1,
            coder=None, console=None, guide=None, survey=None, findings_from: str = "reviewed",
            title: str | None = None, subtitle: str | None = None, author: str | None = None,
            paper: str | None = None, template: str | Path | None = None) -> int:
    """Run the whole job; return the exit code (0 ok, 1 some files failed).

    ``findings_from="reviewed"`` (default) builds tables, figures and the report from reviewed
    codings only (hand codings, accepted suggestions); with none yet it writes the review
    workbook and no findings. ``"all"`` adds the unreviewed suggestions, stamped as not findings.
    ``title``... ``template`` go to the Word report (over ``report.yaml`` beside the codebook).
    """
    _check_findings_from(findings_from)
    word_options = report_options(codebook_path, title=title, subtitle=subtitle, author=author, paper=paper,
                                  template=str(template) if template else None)

    if console is None:
        from rich.console import Console

        console = Console()
    folder, out = Path(folder), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()

    corpus = with_labels(read_stage(folder, console, n_jobs=n_jobs))
    interviews = corpus
    survey_path = Path(survey) if survey else (folder / "survey" if (folder / "survey").is_dir() else None)
    survey_hand = None
    if survey_path is not None:
        survey_corpus, survey_hand = survey_stage(survey_path, console)
        corpus = combine(corpus, with_labels(survey_corpus))
    write_frame(corpus.to_frame(), out / "turns.csv")
    write_frame(corpus.cases_frame(), out / "cases.csv")
    codebook = load_codebook_stage(codebook_path, console)
    guide_path = Path(guide) if guide else default_guide(codebook_path)
    alignment = guide_stage(interviews, guide_path, out, console, embeddings, model) if guide_path else None

    from .project.storage import is_url

    if project and is_url(str(project)):  # a PostgreSQL project: postgresql://user@host/db?schema=NAME
        project_path: Any = str(project)
    else:
        project_path = Path(project) if project else out / "project.mcqual"
    with _Step(console, f"updating project {project_path}"):
        proj = _open_or_create(project_path)
        report = proj.add_transcripts(corpus)
        proj.set_codebook(codebook)
    console.print(str(report) if report is not None else "")

    with _Step(console, "suggesting codes (rules + embeddings)" if embeddings else "suggesting codes (rules)") as step:
        proj.suggest(default_suggester(embeddings, model, progress=step.progress), unit="turn")
    pending = proj.suggestions(status="pending")
    console.print(f"{len(pending)} pending suggestions; {len(proj.codings())} codings from decisions")

    gold = _gold(folder)
    if gold is not None:
        with _Step(console, "importing the gold coding as coders' hand codings"):
            existing = proj.codings()
            have = set(zip(existing["transcript_id"], existing["start"], existing["end"], existing["code"],
                           existing["coder"])) if len(existing) else set()
            rows = [dict(transcript_id=r.transcript_id, start=int(r.start), end=int(r.end), code=r.code,
                         coder=r.coder) for r in gold.itertuples()
                    if (r.transcript_id, int(r.start), int(r.end), r.code, r.coder) not in have
                    and r.transcript_id in corpus]
            proj.code_many(rows)

    if survey_hand is not None and len(survey_hand):
        with _Step(console, "importing the survey's hand coding"):
            existing = proj.codings()
            have = set(zip(existing["transcript_id"], existing["start"], existing["end"], existing["code"],
                           existing["coder"])) if len(existing) else set()
            proj.code_many([dict(transcript_id=r.transcript_id, start=int(r.start), end=int(r.end), code=r.code,
                                 coder=r.coder) for r in survey_hand.itertuples()
                            if (r.transcript_id, int(r.start), int(r.end), r.code, r.coder) not in have])

    export_stage(proj, out, console, suggestions=proj.suggestions(status="pending"), gold=gold, coder=coder,
                 alignment=alignment, findings_from=findings_from, report=word_options, quality=embeddings)
    console.rule("summary")
    console.print(corpus.summary())
    console.print(f"outputs in {out.resolve()} ({time.perf_counter() - t0:.0f} s):")
    for p in sorted(out.iterdir()):
        if p.is_file() and not p.name.startswith(".") and not p.name.endswith(("-wal", "-shm")):
            console.print(f"  {p}")
    proj.close()
    return 1 if corpus.errors else 0


def combine(interviews, survey):
    """One corpus of interviews and survey respondents; attribute ``source`` tells them apart."""
    import pandas as pd

    from .corpus import Corpus

    a = interviews.attributes
    a = (a.copy() if a is not None else pd.DataFrame(index=pd.Index([t.id for t in interviews], name="case_id")))
    a["source"] = "interview"
    b = survey.attributes
    attrs = pd.concat([a, b]) if b is not None else a
    return Corpus(list(interviews) + list(survey), errors=list(interviews.errors) + list(survey.errors),
                  attributes=attrs)


def _fmt(overall) -> str:
    if isinstance(overall, dict):
        return ", ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in overall.items())
    return str(overall)


#: the coder name unreviewed suggestions count under when ``findings_from="all"``
MACHINE = "suggested (not reviewed)"
#: what the findings outputs may count
FINDINGS_FROM = ("reviewed", "all")
#: sheet names in words (the Word report's table titles)
SHEET_TITLES = {"code x case": "Themes by case", "code x group": "Themes by respondent group",
                "co-occurrence": "Themes coded together", "summary": "Themes at a glance",
                "framework": "Framework matrix", "code x survey question": "Themes by survey question",
                "themes x guide topic": "Themes by interview topic", "question grid": "Question grid"}


def _check_findings_from(findings_from: str) -> None:
    """Error E630 unless ``findings_from`` is one of :data:`FINDINGS_FROM`."""
    if findings_from not in FINDINGS_FROM:
        from .errors import ExchangeError

        raise ExchangeError("E630", f"findings_from={findings_from!r}; use one of {', '.join(FINDINGS_FROM)}")


@dataclass
class Findings:
    """What the findings outputs count: the codings, and a sentence saying whose they are.

    ``reviewed`` is False when unreviewed machine suggestions are among them; then every
    title, caption, sheet name and file name carries :data:`UNREVIEWED`.
    """

    codings: Any
    reviewed: bool
    text: str
    coders: list = field(default_factory=list)
    n_hand: int = 0
    n_accepted: int = 0
    n_suggestions: int = 0

    @property
    def prefix(self) -> str:
        """File-name prefix: ``UNREVIEWED_`` for outputs built from suggestions."""
        return "" if self.reviewed else "UNREVIEWED_"

    def stamp(self, name: str) -> str:
        """``name``, or ``UNREVIEWED name`` when built from suggestions."""
        return name if self.reviewed else f"UNREVIEWED {name}"

    def provenance(self) -> dict:
        """The provenance the Word report takes (reviewed, coders, text)."""
        return {"reviewed": self.reviewed, "coders": list(self.coders), "text": self.text}


def findings_basis(codings, suggestions=None, *, coder: str | None = None,
                   findings_from: str = "reviewed") -> Findings | None:
    """Decide what the findings count; None when there is nothing they may count.

    ``findings_from="reviewed"`` (the default): only reviewed codings (hand codings and
    accepted suggestions) of one coder (``coder``, else the coder with the most codings);
    None while nobody has reviewed anything, so a first run never passes suggestions off
    as findings. ``"all"``: the pending suggestions too, and everything is stamped
    :data:`UNREVIEWED`.

    Examples
    --------
    >>> import pandas as pd
    >>> cod = pd.DataFrame({"transcript_id": ["a"], "start": [0], "end": [4], "code": ["trust"], "coder": ["AB"],
    ...                     "suggestion_id": [None]})
    >>> findings_basis(cod).text
    'Reviewed codings by AB: 1 coding (1 hand coding, 0 accepted suggestions) in 1 case.'
    >>> sugg = cod.drop(columns=["coder", "suggestion_id"]).assign(start=5, end=9)
    >>> findings_basis(cod.iloc[:0], sugg) is None
    True
    >>> findings_basis(cod.iloc[:0], sugg, findings_from="all").text
    'Unreviewed machine suggestions — not findings: 1 machine suggestion in 1 case, none reviewed by a person.'
    """
    import pandas as pd

    _check_findings_from(findings_from)

    def plural(n: int, word: str) -> str:
        return f"{n:,} {word}{'' if n == 1 else 's'}"

    n_sugg = 0 if suggestions is None else len(suggestions)
    machine = None
    if n_sugg:
        machine = pd.DataFrame({"transcript_id": suggestions["transcript_id"], "start": suggestions["start"],
                                "end": suggestions["end"], "code": suggestions["code"]}).assign(coder=MACHINE)
    if codings is not None and len(codings):
        if coder is None:
            coder = str(codings["coder"].value_counts().index[0])
        mine = codings[codings["coder"] == coder].reset_index(drop=True)
        accepted = int(mine["suggestion_id"].notna().sum()) if "suggestion_id" in mine.columns else 0
        hand = len(mine) - accepted
        text = (f"Reviewed codings by {coder}: {plural(len(mine), 'coding')} ({plural(hand, 'hand coding')}, "
                f"{plural(accepted, 'accepted suggestion')}) in {plural(mine['transcript_id'].nunique(), 'case')}.")
        if findings_from == "all" and machine is not None:
            have = set(zip(mine["transcript_id"], mine["start"], mine["end"], mine["code"]))
            extra = machine[[k not in have for k in zip(machine["transcript_id"], machine["start"], machine["end"],
                                                        machine["code"])]]
            both = pd.concat([mine, extra], ignore_index=True)
            return Findings(both, False, f"{UNREVIEWED}: {plural(len(extra), 'unreviewed machine suggestion')} "
                                         f"added to the {text[0].lower()}{text[1:]}", [coder, MACHINE], hand,
                            accepted, len(extra))
        return Findings(mine, True, text, [coder], hand, accepted, 0)
    if findings_from == "all" and machine is not None:
        return Findings(machine, False, f"{UNREVIEWED}: {plural(len(machine), 'machine suggestion')} in "
                                        f"{plural(machine['transcript_id'].nunique(), 'case')}, none reviewed by a "
                                        f"person.", [MACHINE], 0, 0, len(machine))
    return None


#: figure of each table: (title, x axis, y axis, colour bar), in words
FIGURES = {"code x case": ("Codings per theme and case", "Case", "Theme", "codings"),
           "code x group": ("Cases mentioning each code, by respondent group", None, "Code", "% of the group's cases"),
           "co-occurrence": ("Themes coded in the same turn", "Theme", "Theme", "turns coded with both"),
           "themes x guide topic": ("Codings per theme and interview topic", "Interview topic", "Theme", "codings")}


def case_parts(matrix, attributes=None, max_cases: int = 40, by: str = "respondent_group") -> list:
    """A code x case matrix cut into figures of at most ``max_cases`` cases: by respondent group
    where the cases have one, then in runs. Returns ``[(part name, matrix), ...]``
    (one part named ``""`` when it fits).

    Examples
    --------
    >>> import pandas as pd
    >>> m = pd.DataFrame([[1] * 5], index=["trust"], columns=list("abcde"))
    >>> attrs = pd.DataFrame({"respondent_group": ["x", "y", "x", "y", "y"]}, index=list("abcde"))
    >>> [(name, list(part.columns)) for name, part in case_parts(m, attrs, max_cases=2)]
    [('x', ['a', 'c']), ('y (1 of 2)', ['b', 'd']), ('y (2 of 2)', ['e'])]
    """
    cols = list(matrix.columns)
    if len(cols) <= max_cases:
        return [("", matrix)]
    groups: dict[str, list] = {}
    if attributes is not None and by in attributes.columns:
        for c in cols:
            g = attributes[by].get(c) if c in attributes.index else None
            groups.setdefault(str(g) if g is not None and g == g else "other", []).append(c)
    else:
        groups[""] = cols
    out = []
    for g, members in groups.items():
        runs = [members[i:i + max_cases] for i in range(0, len(members), max_cases)]
        for k, run in enumerate(runs, start=1):
            name = g if len(runs) == 1 else (f"{g} ({k} of {len(runs)})" if g else f"cases {k} of {len(runs)}")
            out.append((name, matrix[run]))
    return out


def _reviewer_quality(proj, console, coder: str | None = None):
    """``project.quality`` of the coder with the most accept/reject decisions (None before any)."""
    from collections import Counter

    state = proj._state()
    counts = Counter(who for (_, who) in state.decisions)
    if coder is None and not counts:
        return None
    who = coder if coder is not None else counts.most_common(1)[0][0]
    if not counts.get(who):
        return None
    with _Step(console, f"how good the suggestions have been on {who}'s decisions"):
        return proj.quality(coder=who)


def review_stage(proj, out, console, suggestions, corpus=None, codebook=None, quality=None):
    """Write the review workbook (``review.xlsx``) for the pending suggestions; returns its path or None.

    ``quality``: ``project.quality(...)`` of the reviewing coder, shown per code in the workbook."""
    if suggestions is None or not len(suggestions):
        return None
    from .export.review_workbook import unimported, write_review_workbook

    out = Path(out)
    path = out / "review.xlsx"
    waiting = unimported(path, suggestions["suggestion_id"]) if path.exists() else 0
    if waiting:  # never overwrite decisions a researcher has not imported yet
        console.print(f"[bold yellow]{path} holds {waiting:,} decisions not imported yet: it was kept as it is. "
                      f"Import them first: mcqual review import {path} --project {proj.path} --coder YOUR_INITIALS"
                      f"[/bold yellow]")
        return path
    with _Step(console, f"review workbook ({len(suggestions):,} suggestions to accept, reject or re-code)"):
        write_review_workbook(path, suggestions, corpus=corpus if corpus is not None else proj.corpus(),
                              codebook=codebook if codebook is not None else proj.codebook(), project=proj.path,
                              quality=quality)
    console.print(f"review them in {path}, then: mcqual review import {path} --project {proj.path} --coder "
                  f"YOUR_INITIALS")
    return path


def _docx_options(report: dict | None, console, writer) -> dict:
    """The report options the Word writer in this version takes (title, subtitle, author, paper, template...)."""
    report = {k: v for k, v in (report or {}).items() if v is not None}
    params = inspect.signature(writer).parameters
    dropped = sorted(k for k in report if k not in params)
    if dropped:
        console.print(f"[yellow]the Word writer ignores {', '.join(dropped)} in this version[/yellow]")
    return {k: v for k, v in report.items() if k in params}


def export_stage(proj, out, console, suggestions=None, gold=None, coder: str | None = None,
                 alignment=None, findings_from: str = "reviewed", report: dict | None = None,
                 quality: bool = True) -> "Findings | None":
    """Matrices, agreement, Excel, Word, heatmaps and REFI-QDA for a project; the review workbook.

    ``findings_from``: ``"reviewed"`` (default) counts reviewed codings only and writes no
    findings while there are none; ``"all"`` adds the pending suggestions and stamps every
    output "Unreviewed machine suggestions — not findings" (file names start ``UNREVIEWED_``).
    ``report``: Word options (title, subtitle, author, paper, template...). ``quality``: after a coder
    has accepted or rejected suggestions, the review workbook says per code how good they have been
    (:meth:`Project.quality`; embeds the decided passages). Returns the :class:`Findings` (None when
    none were written).
    """
    import mcqual as mq

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    corpus, codebook = proj.corpus(), proj.codebook()
    labels = corpus.labels
    all_codings = proj.codings()
    if suggestions is None:
        suggestions = proj.suggestions(status="pending")
    found = findings_basis(all_codings, suggestions, coder=coder, findings_from=findings_from)
    write_frame(all_codings, out / "codings.csv")
    write_frame(suggestions, out / "suggestions.csv")
    quality = _reviewer_quality(proj, console) if quality and suggestions is not None and len(suggestions) else None
    review_stage(proj, out, console, suggestions, corpus, codebook, quality=quality)
    _agreement(out, console, gold, suggestions, corpus, codebook)
    if found is None:
        console.print(f"[bold]No reviewed codings yet, so no findings were written[/bold] (tables, figures, report). "
                      f"{len(suggestions):,} machine suggestions wait in review.xlsx; import your decisions with "
                      f"`mcqual review import` and run again, or pass --findings-from all for tables of the "
                      f"suggestions stamped '{UNREVIEWED}'.")
        with _Step(console, "REFI-QDA project"):
            mq.to_qdpx(proj, out / "mcqual_project.qdpx")
        return None
    codings = found.codings
    style = "bold red" if not found.reviewed else "bold"
    console.print(f"[{style}]findings count: {found.text}[/{style}]")
    if found.reviewed and len(suggestions):
        console.print(f"not counted: {len(suggestions):,} unreviewed suggestions (review.xlsx)")
    from .corpus import Corpus

    attrs = corpus.attributes
    has_survey = attrs is not None and "source" in attrs.columns and (attrs["source"] == "survey").any()
    survey_ids = set(attrs.index[attrs["source"] == "survey"]) if has_survey else set()
    interviews = Corpus([t for t in corpus if t.id not in survey_ids],
                        attributes=attrs.loc[[i for i in attrs.index if i not in survey_ids]]
                        if attrs is not None else None)
    icodings = codings[~codings["transcript_id"].isin(survey_ids)] if len(codings) else codings
    by = [c for c in (["source"] if has_survey else []) + ["respondent_group"]
          if attrs is not None and c in attrs.columns]
    with _Step(console, "building matrices"):
        tables = {"code x case": mq.code_case_matrix(icodings, codebook=codebook, corpus=interviews, level=1)}
        if by:
            tables["code x group"] = mq.code_group_matrix(codings, by=by if len(by) > 1 else by[0],
                                                          codebook=codebook, corpus=corpus)
        else:
            console.print("no respondent_group case attribute (cases.csv): no code x group matrix")
        tables["co-occurrence"] = mq.cooccurrence(codings, within="turn", corpus=corpus, codebook=codebook, level=1)
        tables["summary"] = mq.code_summary(codings, codebook=codebook, corpus=corpus)
        tables["framework"] = mq.framework_matrix(icodings, rows="case", cols="theme", quotes=2, codebook=codebook,
                                                  corpus=interviews)
        if has_survey:
            tables["code x survey question"] = mq.guide_crosstab(codings, mq.question_spans(corpus),
                                                                 codebook=codebook)
        if alignment is not None and len(alignment):
            tables["themes x guide topic"] = mq.guide_crosstab(codings, alignment, codebook=codebook, level=1,
                                                               cols="topic", guide=alignment.guide)
    pre = found.prefix
    for name, df in tables.items():
        write_frame(df.reset_index(), out / f"{pre}{name.replace(' ', '_')}.csv")

    with _Step(console, "figures (PNG 300 dpi and SVG)"):
        figs = {}
        for name in FIGURES:
            if name not in tables:
                continue
            title, xlabel, ylabel, value = FIGURES[name]
            if not found.reviewed and value == "codings":
                value = "codings and unreviewed suggestions"
            m = tables[name]
            if name == "code x group":  # % of cases: groups differ in size
                m = mq.code_group_matrix(codings, by=by if len(by) > 1 else by[0], value="case_pct",
                                         codebook=codebook, corpus=corpus, test=False)
                xlabel = " / ".join(human_name(b) for b in by)
            p = out / f"{pre}heatmap_{name.replace(' ', '_')}.png"
            kw = dict(codebook=codebook, title=title, subtitle=found.text, xlabel=xlabel, ylabel=ylabel,
                      value_label=value, labels=labels)
            if name == "co-occurrence" and m.shape[0] == m.shape[1] > 1:  # the diagonal would swamp the colours
                import numpy as np

                off = m.to_numpy(dtype=float)[~np.eye(m.shape[0], dtype=bool)]
                kw.update(vmax=float(off.max()) if off.size and off.max() > 0 else None,
                          value_label="turns coded with both (diagonal: with the theme)")
            parts = case_parts(m, corpus.attributes) if name == "code x case" else [("", m)]
            if len(parts) > 1:  # one colour scale over all parts, so they compare
                kw["vmax"] = float(m.to_numpy(dtype=float).max()) if m.size else None
            for k, (part, sub) in enumerate(parts, start=1):
                path = p if len(parts) == 1 else p.with_name(f"{p.stem}_{k}.png")
                kw["title"] = title if not part else f"{title}: {part}"
                fig = mq.plot.heatmap(sub, **kw)  # drawn once, saved twice
                mq.plot.save_figure(fig, path)
                mq.plot.save_figure(fig, path.with_suffix(".svg"))
                figs[f"{name} {k}"] = (path, kw["title"])
    with _Step(console, "Excel workbook"):
        sheets = {}
        for name, df in tables.items():
            sheets[found.stamp(SHEET_TITLES.get(name, name))] = df
        if alignment is not None and len(alignment):
            sheets[SHEET_TITLES["question grid"]] = mq.question_grid(alignment, interviews, guide=alignment.guide,
                                                                     words=60)
        caption = found.text
        provenance = {k: caption for k in list(sheets) + ["codings"]}
        if alignment is not None and len(alignment):
            provenance[SHEET_TITLES["question grid"]] = "The interview guide's questions as asked in each interview."
        mq.export.to_excel(out / f"{pre}mcqual_report.xlsx", sheets, codebook=codebook, codings=codings,
                           corpus=corpus, provenance=provenance, labels=labels, words=True)
    with _Step(console, "Word report"):
        writer = mq.export.to_docx
        opts = _docx_options(report, console, writer)
        extra: dict[str, Any] = {"provenance": found.provenance(), "corpus": corpus}
        quotes = None
        from .errors import McqualError

        settings = report or {}
        qkw = {"per_theme": int(settings.get("quotes_per_theme", 3))}
        if settings.get("max_quote_words"):
            qkw["max_words"] = int(settings["max_quote_words"])
        try:
            quotes = mq.select_quotes(codings, corpus, codebook=codebook, **qkw)
        except McqualError as exc:  # the report is still written, with the framework's quotes
            console.print(f"[yellow]quotes not selected: {exc}[/yellow]")
        if quotes is None:
            quotes = mq.framework_matrix(codings, rows="case", cols="theme", quotes=3, codebook=codebook,
                                         corpus=corpus, long=True)
        name = str(getattr(codebook, "name", "") or "").strip()
        title = opts.pop("title", None) or (f"{name}: findings" if name else "Findings from the interviews")
        if not found.reviewed:
            title = f"{title} — {UNREVIEWED}"
        writer(out / f"{pre}mcqual_report.docx", {k: v for k, v in tables.items() if k != "framework"},
                          codebook=codebook, codings=codings, quotes=quotes, attributes=corpus.attributes,
                          figures=[(p, t) for p, t in figs.values()], title=title, **opts, **extra)
    with _Step(console, "REFI-QDA project"):
        mq.to_qdpx(proj, out / "mcqual_project.qdpx")
    return found


def _agreement(out, console, gold, suggestions, corpus, codebook) -> None:
    """Human-human agreement of the gold coders, and of the suggestions with the first gold coder."""
    import mcqual as mq

    out = Path(out)
    if gold is not None and gold["coder"].nunique() >= 2:
        coders = list(dict.fromkeys(gold["coder"]))
        first = coders[0]
        for k, other in enumerate(coders[1:]):  # the primary coder against every other coder, on shared interviews
            shared = set(gold[gold.coder == first].transcript_id) & set(gold[gold.coder == other].transcript_id)
            if not shared:
                console.print(f"human–human ({first} vs {other}): no interview coded by both")
                continue
            with _Step(console, f"intercoder agreement (gold coders {first} and {other})"):
                # compares the interviews both coded (agreement's default)
                res = mq.agreement(gold, coders=[first, other], unit="turn", corpus=corpus, codebook=codebook)
            console.print(f"human–human ({first} vs {other}, {len(shared)} interviews, turns): {_fmt(res.overall)}")
            write_frame(res.per_code.reset_index(),
                        out / ("agreement_gold.csv" if k == 0 else f"agreement_gold_{other}.csv"))
    if gold is not None and len(suggestions):
        with _Step(console, "agreement of the suggestions with the gold coder"):
            first = list(dict.fromkeys(gold["coder"]))[0]
            g = gold[gold.coder == first][["transcript_id", "start", "end", "code", "coder"]]
            m = suggestions[["transcript_id", "start", "end", "code"]].assign(coder="suggestions")
            m = m[m.transcript_id.isin(set(g.transcript_id))]
            import pandas as pd

            res = mq.agreement(pd.concat([g, m], ignore_index=True), coders=[first, "suggestions"], unit="turn",
                               corpus=corpus, codebook=codebook)
        console.print(f"human–machine ({first} vs suggestions, turns): {_fmt(res.overall)}")
        write_frame(res.per_code.reset_index(), out / "agreement_suggestions.csv")
