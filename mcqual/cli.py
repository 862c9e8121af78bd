"""The command line over the same API: ``mcqual run|read|suggest|export|agree|codebook|review|project``.

Exit codes: 0 ok, 1 some files failed (listed), 2 bad arguments.

Examples
--------
>>> from mcqual.cli import EXIT_OK, EXIT_FAILED, EXIT_USAGE
>>> (EXIT_OK, EXIT_FAILED, EXIT_USAGE)
(0, 1, 2)
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _console():
    from rich.console import Console

    return Console(stderr=False, highlight=False)


def _app():
    import typer

    app = typer.Typer(add_completion=False, no_args_is_help=True,
                      help="mcqual: code qualitative interviews offline.")
    cb_app = typer.Typer(no_args_is_help=True, help="Codebook tools.")
    app.add_typer(cb_app, name="codebook")

    @app.command()
    def read(folder: Path = typer.Argument(..., help="Folder or file of transcripts."),
             out: Optional[Path] = typer.Option(None, help="Write the turn table (CSV) here."),
             n_jobs: int = typer.Option(1, help="Processes for reading.")) -> None:
        """Read transcripts and print a summary (and the failures)."""
        from .pipeline import read_stage

        corpus = read_stage(folder, _console(), n_jobs=n_jobs)
        if out is not None:
            from .pipeline import write_frame

            write_frame(corpus.to_frame(), out)
        raise typer.Exit(EXIT_FAILED if corpus.errors else EXIT_OK)

    @app.command()
    def run(folder: Path = typer.Argument(..., help="Folder of transcripts (and cases.csv)."),
            codebook: Path = typer.Option(..., "--codebook", "-c", help="Codebook YAML/.xlsx/.qdc."),
            out: Path = typer.Option(Path("outputs"), "--out", "-o", help="Output folder."),
            project: Optional[str] = typer.Option(None, help="Project file (default: <out>/project.mcqual) or postgresql://...?schema= URL."),
            model: Optional[str] = typer.Option(None, help="sentence-transformers model name or path."),
            embeddings: bool = typer.Option(True, help="Use the embedding suggester."),
            coder: Optional[str] = typer.Option(None, help="Whose codings the matrices show (default: most codings)."),
            n_jobs: int = typer.Option(1, help="Processes for reading."),
            guide: Optional[Path] = typer.Option(None, help="Interview guide YAML (default: interview_guide.yaml "
                                                            "beside the codebook, when there is one)."),
            survey: Optional[Path] = typer.Option(None, help="Survey export file or folder (default: FOLDER/survey/ "
                                                             "when it exists)."),
            findings_from: str = typer.Option("reviewed", "--findings-from", help=FINDINGS_HELP),
            title: Optional[str] = typer.Option(None, help="Report title (default: report.yaml beside the codebook)."),
            subtitle: Optional[str] = typer.Option(None, help="Report subtitle."),
            author: Optional[str] = typer.Option(None, help="Report author."),
            paper: Optional[str] = typer.Option(None, help="a4 (default) or letter."),
            template: Optional[Path] = typer.Option(None, help="A house .docx whose styles the report uses.")) -> None:
        """Read, align to the guide, suggest, apply decisions, aggregate and export everything to OUT.

        Findings (tables, figures, report) count reviewed codings only; the suggestions go to
        OUT/review.xlsx for review (mcqual review import).
        """
        from .pipeline import run_all

        _check_findings_from(findings_from)
        code = run_all(folder, codebook, out, project=project, model=model, embeddings=embeddings,
                       n_jobs=n_jobs, coder=coder, console=_console(), guide=guide, survey=survey,
                       findings_from=findings_from, title=title, subtitle=subtitle, author=author, paper=paper,
                       template=template)
        raise typer.Exit(code)

    @app.command()
    def align(folder: Path = typer.Argument(..., help="Folder of transcripts (and cases.csv)."),
              guide: Path = typer.Option(..., "--guide", "-g", help="Interview guide YAML."),
              out: Path = typer.Option(Path("outputs"), "--out", "-o", help="Output folder."),
              model: Optional[str] = typer.Option(None, help="sentence-transformers model name or path."),
              embeddings: bool = typer.Option(True, help="Use embeddings (else word overlap only).")) -> None:
        """Align interviews to their guide; write alignment.csv and the question grid (Excel, Word)."""
        from .pipeline import guide_stage, read_stage

        console = _console()
        corpus = read_stage(folder, console)
        Path(out).mkdir(parents=True, exist_ok=True)
        guide_stage(corpus, guide, out, console, embeddings, model)
        raise typer.Exit(EXIT_FAILED if corpus.errors else EXIT_OK)

    @app.command()
    def suggest(folder: Path, codebook: Path = typer.Option(..., "--codebook", "-c"),
                out: Path = typer.Option(Path("outputs/suggestions.csv"), "--out", "-o"),
                unit: str = typer.Option("turn"), embeddings: bool = typer.Option(True),
                model: Optional[str] = typer.Option(None)) -> None:
        """Suggest codes for the transcripts in FOLDER and write them as CSV."""
        from .pipeline import load_codebook_stage, read_stage, suggest_stage, write_frame

        console = _console()
        corpus = read_stage(folder, console)
        cb = load_codebook_stage(codebook, console)
        _, sugg = suggest_stage(corpus, cb, console, unit=unit, embeddings=embeddings, model=model)
        write_frame(sugg.to_frame(), out)
        console.print(f"{len(sugg)} suggestions written to {out}")
        raise typer.Exit(EXIT_FAILED if corpus.errors else EXIT_OK)

    @app.command()
    def export(project: str = typer.Argument(..., help="A project file (.mcqual) or postgresql://...?schema= URL."),
               out: Path = typer.Option(Path("outputs"), "--out", "-o"),
               coder: Optional[str] = typer.Option(None, help="Whose codings the findings count "
                                                              "(default: most codings)."),
               codebook: Optional[Path] = typer.Option(None, "--codebook", "-c",
                                                       help="Codebook file whose report.yaml to read."),
               findings_from: str = typer.Option("reviewed", "--findings-from", help=FINDINGS_HELP),
               title: Optional[str] = typer.Option(None, help="Report title."),
               subtitle: Optional[str] = typer.Option(None, help="Report subtitle."),
               author: Optional[str] = typer.Option(None, help="Report author."),
               paper: Optional[str] = typer.Option(None, help="a4 (default) or letter."),
               template: Optional[Path] = typer.Option(None, help="A house .docx whose styles the report uses.")
               ) -> None:
        """Export a project's matrices, report and REFI-QDA file (and the review workbook)."""
        from .pipeline import export_stage, open_project, report_options

        _check_findings_from(findings_from)
        console = _console()
        proj = open_project(project, console)
        report = report_options(codebook, title=title, subtitle=subtitle, author=author, paper=paper,
                                template=str(template) if template else None)
        try:
            export_stage(proj, out, console, coder=coder, findings_from=findings_from, report=report)
        finally:
            proj.close()
        raise typer.Exit(EXIT_OK)

    _review_commands(app)

    @app.command()
    def agree(codings: Path = typer.Argument(..., help="CSV: transcript_id,start,end,code,coder."),
              unit: str = typer.Option("character", help="segment | turn | character"),
              folder: Optional[Path] = typer.Option(None, help="Transcripts (needed for unit=turn).")) -> None:
        """Intercoder agreement between the coders in a codings CSV."""
        import pandas as pd

        import mcqual as mq

        df = pd.read_csv(codings)
        corpus = mq.read_transcripts(folder) if folder else None
        res = mq.agreement(df, unit=unit, corpus=corpus)
        _console().print(res.per_code.to_string())
        _console().print(res.overall)
        raise typer.Exit(EXIT_OK)

    @cb_app.command("check")
    def codebook_check(path: Path) -> None:
        """Validate a codebook file and list every problem with its line."""
        import mcqual as mq

        console = _console()
        try:
            cb = mq.load_codebook(path)
        except mq.McqualError as err:
            console.print(str(err), markup=False)
            raise typer.Exit(EXIT_FAILED)
        console.print(f"{path}: OK — {cb!r}")
        raise typer.Exit(EXIT_OK)

    _project_app(app)
    return app


# --- `mcqual project ...`: backup, copy (issue 19 A); merge (issue 19 B) -----------------------------
def _project_app(app) -> None:
    """Add the ``project`` sub-command group (backup, copy, merge) to ``app``."""
    import typer

    project_app = typer.Typer(no_args_is_help=True, help="Project files and stores: backup, copy, merge.")
    app.add_typer(project_app, name="project")

    @project_app.command("backup")
    def project_backup(source: str = typer.Argument(..., help="Project file or postgresql:// URL."),
                       dest: Path = typer.Argument(..., help="The backup file to write (SQLite)."),
                       overwrite: bool = typer.Option(False, help="Replace DEST if it exists.")) -> None:
        """Write a consistent SQLite copy of a project (safe while others are coding)."""
        from .project.copy import backup_project

        report = backup_project(source, dest, overwrite=overwrite)
        _console().print(str(report), markup=False)
        raise typer.Exit(EXIT_OK)

    @project_app.command("copy")
    def project_copy(source: str = typer.Argument(..., help="Project file or postgresql:// URL to read."),
                     dest: str = typer.Argument(..., help="New project file or postgresql://...?schema=NAME URL."),
                     ) -> None:
        """Copy a project between stores (SQLite <-> PostgreSQL), losslessly, and verify the copy."""
        from .project.copy import copy_project

        report = copy_project(source, dest)
        _console().print(str(report), markup=False)
        raise typer.Exit(EXIT_OK)

    @project_app.command("check")
    def project_check(target: str = typer.Argument(..., help="Project file or postgresql:// URL.")) -> None:
        """Open a project read-only and report its store, schema version, counts and integrity (exit 1 if damaged)."""
        from .project.storage import open_store

        import mcqual as mq

        store = open_store(target, readonly=True)
        with mq.Project(store) as p:
            ok = p.integrity_check()
            kind = {"SQLiteStore": "an SQLite file", "PostgresStore": "a PostgreSQL schema"}.get(
                type(store).__name__, type(store).__name__)
            console = _console()
            console.print(f"{p.name}: {kind}, schema version {store.schema_version()}"
                          f"{', opened read-only' if p.readonly else ''}", markup=False, soft_wrap=True)
            console.print(", ".join(f"{v} {k.replace('_', ' ')}" for k, v in p.summary().items()),
                          markup=False, soft_wrap=True)
            console.print(f"integrity: {ok}", markup=False, soft_wrap=True)
        raise typer.Exit(EXIT_OK if ok == "ok" else EXIT_FAILED)

    @project_app.command("merge")
    def project_merge(sources: list[str] = typer.Argument(..., help="Coders' project files (or URLs) and .qdpx files."),
                      into: str = typer.Option(..., "--into", "-i", help="The team project (file or URL); "
                                                                         "created when missing."),
                      rename: list[str] = typer.Option([], "--rename-coder", help="OLD=NEW: rename a coder on the "
                                                                                  "way in (repeatable)."),
                      qdpx_coder: Optional[str] = typer.Option(None, help="Coder of .qdpx codings that name none."),
                      conflicts: Optional[Path] = typer.Option(None, help="Write the conflicts to this CSV."),
                      dry_run: bool = typer.Option(False, "--dry-run", help="Show what would merge; write nothing.")
                      ) -> None:
        """Merge coders' projects (and .qdpx files) into the team project; merging again adds nothing."""
        from .exchange.merge import merge_projects

        coders = {}
        for item in rename:
            old, sep, new = item.partition("=")
            if not sep or not old or not new:
                raise typer.BadParameter(f"--rename-coder takes OLD=NEW, not {item!r}")
            coders[old] = new
        report = merge_projects(sources, into, coders=coders, qdpx_coder=qdpx_coder, dry_run=dry_run)
        console = _console()
        console.print(repr(report), markup=False)
        for c in report.conflicts:
            console.print(f"  {c['kind']:>10}  {c['code']}  {c['note']}  ({Path(c['source']).name}: "
                          f"{str(c['theirs'])[:60]})", markup=False)
        if conflicts is not None:
            from .pipeline import write_frame

            write_frame(report.conflicts_frame(), conflicts)
        raise typer.Exit(EXIT_OK)

    @project_app.command("agreement")
    def project_agreement(project: str = typer.Argument(..., help="Project file or URL."),
                          coders: list[str] = typer.Option(..., "--coder", help="Two coders (give --coder twice)."),
                          unit: str = typer.Option("sentence", help="sentence | turn | character"),
                          overlap: float = typer.Option(0.9, help="Least segment overlap (0.9 = MAXQDA's 90 %)."),
                          out: Optional[Path] = typer.Option(None, help="Write the report (.xlsx) or the per-code table (.csv).")) -> None:
        """Two coders' agreement: the figure to report, per-code kappa, segment agreement, cu-alpha, methods text."""
        from .analysis.agreement_report import agreement_report
        from .project.project import Project

        with Project.open(project) as p:
            rep = agreement_report(p, coders=coders, unit=unit, overlap=overlap)
        console = _console()
        console.print(repr(rep), markup=False)
        console.print(rep.per_code.drop(columns=["label"]).to_string(), markup=False)
        console.print("\n" + rep.methods_text(), markup=False)
        if out is not None:
            from .pipeline import write_frame

            if str(out).lower().endswith(".xlsx"):
                rep.to_excel(out)
            else:
                write_frame(rep.per_code.reset_index(), out)
        raise typer.Exit(EXIT_OK)

    @project_app.command("disagreements")
    def project_disagreements(project: str = typer.Argument(..., help="Project file or URL."),
                              coders: list[str] = typer.Option(..., "--coder", help="Two coders (give --coder twice)."),
                              code: Optional[str] = typer.Option(None, help="Only passages with this code."),
                              out: Path = typer.Option(Path("disagreements.xlsx"), "--out", "-o",
                                                       help="The Excel sheet to write.")) -> None:
        """Where two coders disagree, passage by passage, as an Excel sheet for the team meeting."""
        from .project.project import Project

        with Project.open(project) as p:
            dis = p.disagreements(coders=coders, code=code)
            dis.to_excel(out)
        _console().print(f"{dis!r} -> {out}", markup=False)
        raise typer.Exit(EXIT_OK)
# --- end of `mcqual project` ------------------------------------------------------------------------


FINDINGS_HELP = ("What tables, figures and the report count: 'reviewed' (hand codings and accepted suggestions; "
                 "nothing while nobody has reviewed) or 'all' (also unreviewed suggestions, stamped 'not findings').")


def _check_findings_from(value: str) -> None:
    import typer

    from .pipeline import FINDINGS_FROM

    if value not in FINDINGS_FROM:
        raise typer.BadParameter(f"{value!r}: use reviewed or all", param_hint="--findings-from")


def _review_commands(app) -> None:
    """``mcqual review import``: decisions from a filled-in review workbook into the project."""
    import typer

    review_app = typer.Typer(no_args_is_help=True, help="Review machine suggestions in a workbook.")
    app.add_typer(review_app, name="review")

    @review_app.command("import")
    def review_import(workbook: Path = typer.Argument(..., help="The review.xlsx mcqual run wrote, filled in."),
                      project: Path = typer.Option(..., "--project", "-p", help="The project file (.mcqual)."),
                      coder: str = typer.Option(..., "--coder", help="Who decided (initials).")) -> None:
        """Record the workbook's accept / reject / code-as decisions (and notes) in the project.

        Rows that cannot be used are listed with their row number and error; the others are
        recorded. Exit code 1 when some rows were not used.
        """
        import mcqual as mq
        from .export.review_workbook import import_review

        console = _console()
        proj = mq.Project.open(project)
        try:
            res = import_review(proj, workbook, coder=coder)
        finally:
            proj.close()
        console.print(str(res), markup=False)
        if res.recorded:
            console.print("run mcqual run (or mcqual export) again: the findings now count these decisions")
        raise typer.Exit(EXIT_FAILED if res.problems else EXIT_OK)


def _kind(exc: BaseException) -> str | None:
    """Which click exception this is (typer may vendor its own copy of click)."""
    names = {c.__name__ for c in type(exc).__mro__}
    for kind in ("Exit", "UsageError", "Abort", "ClickException"):
        if kind in names:
            return kind
    return None


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``mcqual`` command: 0 ok, 1 some files failed, 2 bad arguments."""
    from .errors import McqualError

    app = _app()
    try:
        rc = app(args=argv, standalone_mode=False)
        return int(rc or 0)
    except McqualError as e:
        print(str(e), file=sys.stderr)
        return EXIT_FAILED
    except Exception as e:  # noqa: BLE001 - map click's exceptions to exit codes
        kind = _kind(e)
        if kind == "Exit":
            return int(getattr(e, "exit_code", 0))
        if kind in ("UsageError", "ClickException"):
            e.show()  # type: ignore[attr-defined]
            return EXIT_USAGE
        if kind == "Abort":
            return EXIT_FAILED
        raise

if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
