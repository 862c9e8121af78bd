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

import time
from pathlib import Path
from typing import Any

STAGES = ("read", "codebook", "guide", "project", "suggest", "decisions", "aggregate", "agreement", "export")


def write_frame(df, path: str | Path) -> Path:
    """Write a DataFrame as CSV atomically (UTF-8 with BOM so Excel opens it right)."""
    from ._atomic import atomic_write

    return atomic_write(path, lambda tmp: df.to_csv(tmp, index=False, encoding="utf-8-sig"), parents=True)


class _Step:
    """Times a stage and prints one line for it."""

    def __init__(self, console, label: str) -> None:
        self.console, self.label = console, label

    def __enter__(self):
        self.t0 = time.perf_counter()
        self.status = self.console.status(f"{self.label}…")
        self.status.__enter__()
        return self

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


def default_suggester(embeddings: bool = True, model: str | None = None):
    """Rules, plus embeddings when wanted: the zero-shot ensemble the demo uses."""
    import mcqual as mq

    parts: dict[str, Any] = {"rules": mq.RuleSuggester()}
    if embeddings:
        parts["embedding"] = mq.EmbeddingSuggester(model=model)
    return mq.Ensemble(parts)


def suggest_stage(corpus, codebook, console, unit: str = "turn", embeddings: bool = True,
                  model: str | None = None):
    import mcqual as mq

    with _Step(console, f"suggesting codes ({unit})"):
        segs = mq.segments(corpus, unit=unit)
        sugg = default_suggester(embeddings, model).fit(segs, codebook).suggest(segs)
    console.print(f"{len(segs)} segments, {len(sugg)} suggestions")
    return segs, sugg


def open_project(path: str | Path, console):
    import mcqual as mq

    return mq.Project.open(path)


def _gold(folder: Path):
    import pandas as pd

    path = Path(folder) / "gold_codings.csv"
    if not path.exists():
        return None
    return pd.read_csv(path)


def run_all(folder, codebook_path, out, *, project=None, model=None, embeddings=True, n_jobs=1,
            coder=None, console=None, guide=None, survey=None) -> int:
    """Run the whole job; return the exit code (0 ok, 1 some files failed)."""
    import mcqual as mq

    if console is None:
        from rich.console import Console

        console = Console()
    folder, out = Path(folder), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()

    corpus = read_stage(folder, console, n_jobs=n_jobs)
    interviews = corpus
    survey_path = Path(survey) if survey else (folder / "survey" if (folder / "survey").is_dir() else None)
    survey_hand = None
    if survey_path is not None:
        survey_corpus, survey_hand = survey_stage(survey_path, console)
        corpus = combine(corpus, survey_corpus)
    write_frame(corpus.to_frame(), out / "turns.csv")
    write_frame(corpus.cases_frame(), out / "cases.csv")
    codebook = load_codebook_stage(codebook_path, console)
    guide_path = Path(guide) if guide else default_guide(codebook_path)
    alignment = guide_stage(interviews, guide_path, out, console, embeddings, model) if guide_path else None

    project_path = Path(project) if project else out / "project.mcqual"
    with _Step(console, f"updating project {project_path}"):
        proj = mq.Project.open(project_path) if project_path.exists() else mq.Project.create(project_path)
        report = proj.add_transcripts(corpus)
        proj.set_codebook(codebook)
    console.print(str(report) if report is not None else "")

    with _Step(console, "suggesting codes (rules + embeddings)" if embeddings else "suggesting codes (rules)"):
        proj.suggest(default_suggester(embeddings, model), unit="turn")
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
                 alignment=alignment)
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


def analysis_codings(codings, suggestions=None, coder: str | None = None):
    """The codings the report is made of, and whose they are.

    One coder's codings (``coder``, else the coder with the most codings), so two coders' work is not
    counted twice; with no human coding yet, the pending suggestions as a provisional coder
    ``"suggested (not reviewed)"``.
    """
    import pandas as pd

    if len(codings):
        if coder is None:
            coder = codings["coder"].value_counts().index[0]
        return codings[codings["coder"] == coder].reset_index(drop=True), str(coder)
    if suggestions is not None and len(suggestions):
        df = pd.DataFrame({"transcript_id": suggestions["transcript_id"], "start": suggestions["start"],
                           "end": suggestions["end"], "code": suggestions["code"]})
        df["coder"] = "suggested (not reviewed)"
        return df, "suggested (not reviewed)"
    return codings, "nobody"


def export_stage(proj, out, console, suggestions=None, gold=None, coder: str | None = None,
                 alignment=None) -> None:
    """Matrices, agreement, Excel, Word, heatmaps and REFI-QDA for a project."""
    import mcqual as mq

    out = Path(out)
    corpus, codebook = proj.corpus(), proj.codebook()
    all_codings = proj.codings()
    if suggestions is None:
        suggestions = proj.suggestions(status="pending")
    codings, whose = analysis_codings(all_codings, suggestions, coder)
    console.print(f"matrices from the codings of: {whose} ({len(codings)} codings)")
    from .corpus import Corpus

    attrs = corpus.attributes
    has_survey = attrs is not None and "source" in attrs.columns and (attrs["source"] == "survey").any()
    survey_ids = set(attrs.index[attrs["source"] == "survey"]) if has_survey else set()
    interviews = Corpus([t for t in corpus if t.id not in survey_ids],
                        attributes=attrs.loc[[i for i in attrs.index if i not in survey_ids]]
                        if attrs is not None else None)
    icodings = codings[~codings["transcript_id"].isin(survey_ids)] if len(codings) else codings
    with _Step(console, "building matrices"):
        tables = {"code x case": mq.code_case_matrix(icodings, codebook=codebook, corpus=interviews, level=1)}
        by = [c for c in (["source"] if has_survey else []) + ["respondent_group"]
              if attrs is not None and c in attrs.columns]
        if by:
            tables["code x group"] = mq.code_group_matrix(codings, by=by if len(by) > 1 else by[0],
                                                          codebook=codebook, corpus=corpus)
        else:
            console.print("no respondent_group case attribute (cases.csv): no code x group matrix")
        tables["co-occurrence"] = mq.cooccurrence(codings, within="turn", corpus=corpus, codebook=codebook, level=1)
        tables["summary"] = mq.code_summary(codings, codebook=codebook, corpus=corpus)
        framework = mq.framework_matrix(icodings, rows="case", cols="theme", quotes=2, codebook=codebook,
                                        corpus=interviews)
        tables["framework"] = framework
        if has_survey:
            tables["code x survey question"] = mq.guide_crosstab(codings, mq.question_spans(corpus),
                                                                 codebook=codebook)
        if alignment is not None and len(alignment):
            tables["themes x guide topic"] = mq.guide_crosstab(codings, alignment, codebook=codebook, level=1,
                                                               cols="topic", guide=alignment.guide)
    for name, df in tables.items():
        write_frame(df.reset_index(), out / f"{name.replace(' ', '_')}.csv")
    write_frame(all_codings, out / "codings.csv")
    write_frame(suggestions, out / "suggestions.csv")

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

    with _Step(console, "plots"):
        figs = {}
        for name in ("code x case", "code x group", "co-occurrence", "themes x guide topic"):
            if name not in tables:
                continue
            p = out / f"heatmap_{name.replace(' ', '_')}.png"
            mq.plot.heatmap(tables[name], codebook=codebook, title=name, path=p)
            mq.plot.heatmap(tables[name], codebook=codebook, title=name, path=p.with_suffix(".svg"))
            figs[name] = p
    with _Step(console, "Excel workbook"):
        sheets = dict(tables)
        if alignment is not None and len(alignment):
            sheets["question grid"] = mq.question_grid(alignment, corpus, guide=alignment.guide, words=60)
        mq.export.to_excel(out / "mcqual_report.xlsx", sheets, codebook=codebook, codings=codings, corpus=corpus)
    with _Step(console, "Word report"):
        quotes = mq.framework_matrix(codings, rows="case", cols="theme", quotes=3, codebook=codebook,
                                     corpus=corpus, long=True)
        mq.export.to_docx(out / "mcqual_report.docx", {k: v for k, v in tables.items() if k != "framework"},
                          codebook=codebook, codings=codings, quotes=quotes, attributes=corpus.attributes,
                          figures=[(p, f"Heatmap: {name}") for name, p in figs.items()],
                          title="Micro-credentials study: theme tables")
    with _Step(console, "REFI-QDA project"):
        mq.to_qdpx(proj, out / "mcqual_project.qdpx")
