"""Read open-ended survey answers (EUSurvey, LimeSurvey, Qualtrics, Microsoft Forms exports) as a corpus.

A survey export has one row per respondent and one column per question. mcqual reads it as
a :class:`~mcqual.Corpus` with one transcript per respondent (id ``"<survey>:<respondent id>"``)
and one turn per non-empty open answer (speaker = respondent id, role ``respondent``); each
turn's question is kept in ``Transcript.metadata["questions"]`` (and ``"question_ids"``), so
``mq.segments(survey, unit="answer")`` gives one segment per answer with the question text as
``Segment.context``. The respondent's closed answers become case attributes.

Examples
--------
>>> import pathlib, tempfile
>>> f = pathlib.Path(tempfile.mkdtemp()) / "s.csv"
>>> _ = f.write_text("id;country;Q1. Why do you trust it?\\nR1;PL;Because of the issuer.\\nR2;FR;\\n",
...                  encoding="utf-8-sig")
>>> s = read_survey(f, text_columns=["Q1"], id_column="id")
>>> [t.id for t in s], s[0].turns[0].text, s.attributes.loc["s:R1", "country"]
(['s:R1'], 'Because of the issuer.', 'PL')
>>> s[0].metadata["questions"]
['Why do you trust it?']
"""
from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path
from typing import Any, Mapping, Sequence

from ..corpus import Corpus
from ..errors import Problem, TranscriptError
from ..model import TURN_SEPARATOR, Transcript, Turn


#: columns survey tools add that are neither answers nor attributes a study wants (some are personal data)
SYSTEM_COLUMNS = {
    # Qualtrics
    "startdate", "enddate", "status", "ipaddress", "progress", "duration (in seconds)", "finished", "recordeddate",
    "recipientlastname", "recipientfirstname", "recipientemail", "externalreference", "locationlatitude",
    "locationlongitude", "distributionchannel", "userlanguage", "q_recaptchascore", "q_relevantidduplicate",
    # LimeSurvey
    "lastpage", "startlanguage", "seed", "ipaddr", "refurl", "datestamp", "token", "startdate.", "interviewtime",
    # Microsoft Forms
    "start time", "completion time", "email", "name", "last modified time",
    # EUSurvey
    "invitation number", "contribution id", "user name", "creation date", "last update", "languages",
}
ID_NAMES = ("respondent_id", "respondent", "responseid", "response id", "response_id", "id", "contribution id",
            "case_id", "case", "participant", "participant_id")
_CODE_TEXT = re.compile(r"^\s*(?P<code>[A-Za-z][\w\-]*(?:\[[\w\-]+\])?)\s*[.:)]\s+(?P<text>\S.*)$", re.S)
_LETTER = re.compile(r"\w")


# -- the raw table ---------------------------------------------------------------------------

def _decode(raw: bytes, encoding: str | None, path: Path) -> str:
    if encoding:
        try:
            return raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise TranscriptError("E109", f"cannot decode as {encoding} ({exc})", path=path) from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _read_table(path: Path, sheet: str | int | None, encoding: str | None, delimiter: str | None):
    import pandas as pd

    if not path.exists():
        raise TranscriptError("E100", "no such survey file", path=path)
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm", ".xls"):
            if suffix == ".xls":  # legacy binary workbook: pandas' reader (needs xlrd), no zip to check
                df = pd.read_excel(path, sheet_name=0 if sheet is None else sheet, dtype=object, header=None)
            else:
                from .xlsx import read_rows

                df = pd.DataFrame(read_rows(path, sheet), dtype=object)
        elif suffix in (".csv", ".tsv", ".txt", ""):
            raw = path.read_bytes()
            if not raw.strip():
                raise TranscriptError("E108", "the survey file is empty", path=path)
            text = _decode(raw, encoding, path)
            if delimiter is None:
                sample = "\n".join(text.splitlines()[:30])
                try:
                    delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
                except csv.Error:
                    first = text.splitlines()[0] if text.splitlines() else ""
                    delimiter = max(",;\t|", key=first.count)
            df = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False, header=None,
                             engine="python")
        else:
            raise TranscriptError("E110", f"{suffix} is not a survey export; use .csv, .tsv or .xlsx", path=path)
    except TranscriptError:
        raise
    except ValueError as exc:
        raise TranscriptError("E115", f"cannot read the table ({exc})", path=path) from None
    except Exception as exc:  # noqa: BLE001 - pandas/openpyxl raise many kinds; all mean "unusable"
        raise TranscriptError("E115", f"cannot read the table ({type(exc).__name__}: {exc})", path=path) from None
    if df.shape[0] < 1:
        raise TranscriptError("E115", "the table has no header row", path=path)
    df = df.map(lambda v: "" if v is None or (isinstance(v, float) and v != v) else str(v))
    return df


def _header(df, path: Path) -> tuple[list[str], dict[str, str], Any]:
    """Column names, question texts found in extra header rows (Qualtrics), and the data rows."""
    names = [str(c).strip() for c in df.iloc[0]]
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        raise TranscriptError("E115", f"duplicate column names: {', '.join(dup[:8])}", path=path)
    data = df.iloc[1:]
    texts: dict[str, str] = {}
    # Qualtrics: row 2 holds the question texts, row 3 the import ids ({"ImportId":"QID1"})
    if len(data) >= 2 and any(str(v).startswith('{"ImportId"') for v in data.iloc[1]):
        texts = {n: str(v).strip() for n, v in zip(names, data.iloc[0]) if str(v).strip()}
        data = data.iloc[2:]
    elif len(data) >= 1 and any(str(v).startswith('{"ImportId"') for v in data.iloc[0]):
        data = data.iloc[1:]
    elif len(data) >= 1 and "ResponseId" in names and str(data.iloc[0][names.index("ResponseId")]) == "Response ID":
        texts = {n: str(v).strip() for n, v in zip(names, data.iloc[0]) if str(v).strip()}  # legacy Qualtrics
        data = data.iloc[1:]
    return names, texts, data


def _resolve(ref: Any, names: Sequence[str], codes: Mapping[str, str], what: str, path: Path) -> str:
    if isinstance(ref, int) and not isinstance(ref, bool):
        if not -len(names) <= ref < len(names):
            raise TranscriptError("E115", f"{what} column {ref} does not exist (the table has {len(names)} columns)",
                                  path=path)
        return names[ref]
    ref = str(ref)
    if ref in names:
        return ref
    if ref in codes:
        return codes[ref]
    low = {n.casefold(): n for n in names}
    if ref.casefold() in low:
        return low[ref.casefold()]
    from difflib import get_close_matches

    near = get_close_matches(ref, list(names) + list(codes), n=1)
    raise TranscriptError("E115", f"no {what} column {ref!r}"
                          + (f"; did you mean {near[0]!r}?" if near else f"; columns are: {', '.join(names[:12])}"),
                          path=path)


def _split_heading(name: str) -> tuple[str, str]:
    """``"Q1. What makes you trust…?"`` -> ``("Q1", "What makes you trust…?")`` (LimeSurvey/EUSurvey);
    a heading that is only a code or only a text stays whole."""
    m = _CODE_TEXT.match(name)
    if m:
        return m["code"], m["text"].strip()
    return name, name


def _auto_text_columns(data, names: Sequence[str], skip: set[str]) -> list[str]:
    out = []
    for n in names:
        if n in skip or n.casefold() in SYSTEM_COLUMNS:
            continue
        values = [v for v in data[names.index(n)] if str(v).strip()]
        if not values:
            continue
        words = sum(len(str(v).split()) for v in values) / len(values)
        distinct = len(set(values)) / len(values)
        if words >= 4 and distinct >= 0.5:
            out.append(n)
    return out


# -- the corpus ------------------------------------------------------------------------------

def read_survey(path: str | os.PathLike[str], text_columns: Sequence[str | int] | str | int | None = None,
                id_column: str | int | None = None, attribute_columns: Sequence[str | int] | None = None, *,
                sheet: str | int | None = None, name: str | None = None, questions: Mapping[str, str] | None = None,
                encoding: str | None = None, delimiter: str | None = None, language: str | None = None,
                duplicates: str = "rename") -> Corpus:
    """Read a survey export: one transcript per respondent, one turn per non-empty open answer.

    Parameters
    ----------
    path : str or Path
        ``.csv``/``.tsv`` (any delimiter, UTF-8 with or without BOM, UTF-16, or Windows-1252) or
        ``.xlsx``.
    text_columns : column or list of columns, optional
        The open questions, by name, by question code (``"Q1"`` for a LimeSurvey/EUSurvey heading
        ``"Q1. What makes you…"``) or by 0-based position. Default: every column whose answers
        average four words or more and are mostly distinct.
    id_column : column, optional
        Respondent id. Default: a column named like ``respondent_id``, ``ResponseId``, ``id``;
        else the row number.
    attribute_columns : list of columns, optional
        Closed answers to keep as case attributes. Default: every other column except the survey
        tools' system columns (IP address, recipient e-mail, start/end dates, progress…).
    sheet : str or int, optional
        Excel sheet (default: the first).
    name : str, optional
        Survey name, the prefix of transcript ids (default: the file stem).
    questions : dict, optional
        Question texts by column (when the export has only codes as headings).
    encoding, delimiter : str, optional
        Force them instead of detecting.
    language : str, optional
        Language of the answers (default: guessed per respondent).
    duplicates : {"rename", "error"}
        A respondent id listed on more than one row (real exports have them: a resubmitted
        form, a test row). ``"rename"`` (default) keeps every row, gives the second one the id
        ``R_x#2`` (the third ``R_x#3``…) and records an E119 warning in ``corpus.problems``;
        ``"error"`` refuses the file (E115).

    Returns
    -------
    Corpus
        ``corpus.attributes``: one row per respondent (closed answers, ``respondent_id``,
        ``source="survey"``, ``survey``). Respondents who answered no open question have no
        transcript but keep their attribute row. Answers with no letter or digit (``"-"``, ``"."``)
        count as empty.

    Raises
    ------
    TranscriptError
        E100 missing file, E108 empty file, E109 encoding, E110 file type, E115 unusable table
        (unknown column, duplicate respondent ids, no open question).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "q.csv"
    >>> _ = f.write_text("ResponseId,Q1,Q2\\nResponse ID,Why?,Anything else?\\n"
    ...                  '{"ImportId":"_recordId"},{"ImportId":"QID1_TEXT"},{"ImportId":"QID2_TEXT"}\\n'
    ...                  "R_1,It is accredited,\\n", encoding="utf-8")
    >>> s = read_survey(f, text_columns=["Q1", "Q2"])
    >>> s[0].id, s[0].metadata["questions"], len(s[0].turns)
    ('q:R_1', ['Why?'], 1)
    """
    import pandas as pd

    path = Path(path)
    df = _read_table(path, sheet, encoding, delimiter)
    names, header_texts, data = _header(df, path)
    codes: dict[str, str] = {}
    heading_text: dict[str, str] = {}
    for n in names:
        code, text = _split_heading(n)
        if code != n:
            codes.setdefault(code, n)
        heading_text[n] = text
    survey = name or path.stem

    if id_column is None:
        low = {n.casefold(): n for n in names}
        for code, n in codes.items():
            low.setdefault(code.casefold(), n)
        idcol = next((low[c] for c in ID_NAMES if c in low), None)
    else:
        idcol = _resolve(id_column, names, codes, "id", path)
    if text_columns is None:
        tcols = _auto_text_columns(data, names, {idcol} if idcol else set())
        if not tcols:
            raise TranscriptError("E115", "no open-question column found; pass text_columns=", path=path)
    else:
        refs = [text_columns] if isinstance(text_columns, (str, int)) else list(text_columns)
        tcols = [_resolve(r, names, codes, "text", path) for r in refs]
    if idcol in tcols:
        raise TranscriptError("E115", f"{idcol!r} is both the id column and an open question", path=path)
    if attribute_columns is None:
        acols = [n for n in names if n not in tcols and n != idcol and n.casefold() not in SYSTEM_COLUMNS]
    else:
        acols = [_resolve(r, names, codes, "attribute", path) for r in attribute_columns]

    rows = data.reset_index(drop=True)
    if idcol is not None:
        ids = [str(v).strip() for v in rows[names.index(idcol)]]
        blank = [i + 2 for i, v in enumerate(ids) if not v]
        if blank:
            raise TranscriptError("E115", f"empty respondent id in data row(s) {blank[:5]}", path=path)
    else:
        width = len(str(len(rows)))
        ids = [str(i + 1).zfill(width) for i in range(len(rows))]
    if duplicates not in ("rename", "error"):
        raise TranscriptError("E115", f"duplicates must be 'rename' or 'error', not {duplicates!r}", path=path)
    seen: set[str] = set()
    dup = sorted({i for i in ids if i in seen or seen.add(i)})
    problems = []
    if dup and duplicates == "error":
        raise TranscriptError("E115", f"respondent id(s) listed more than once: {', '.join(dup[:8])}", path=path,
                              hint="Each row must be one respondent; remove duplicates, pass id_column=None, "
                                   "or read with duplicates='rename'.")
    if dup:
        taken, count, renamed = set(ids), {}, []
        for k, rid in enumerate(ids):
            count[rid] = count.get(rid, 0) + 1
            if count[rid] > 1:
                n = count[rid]
                while f"{rid}#{n}" in taken:
                    n += 1
                new_id = f"{rid}#{n}"
                taken.add(new_id)
                renamed.append(f"{rid} (data row {k + 1}) -> {new_id}")
                ids[k] = new_id
        problems.append(Problem("E119", f"{len(renamed)} row(s) repeat a respondent id; every row is kept and "
                                f"the repeats renamed: {'; '.join(renamed[:8])}" + (" …" if len(renamed) > 8 else ""),
                                str(path), field=idcol))
    qtext = {c: (questions or {}).get(c) or (questions or {}).get(_split_heading(c)[0]) or header_texts.get(c)
             or heading_text.get(c, c) for c in tcols}
    qcode = {c: _split_heading(c)[0] for c in tcols}

    from .lang import guess_language

    transcripts: list[Transcript] = []
    attr_rows: list[dict[str, Any]] = []
    for r, rid in enumerate(ids):
        row = rows.iloc[r]
        tid = f"{survey}:{rid}"
        attrs = {_attr_name(c, codes): row[names.index(c)] for c in acols}
        attrs.update({"respondent_id": rid, "source": "survey", "survey": survey})
        attr_rows.append({"case_id": tid, **attrs})
        turns, parts, qs, qids, pos = [], [], [], [], 0
        for c in tcols:
            answer = str(row[names.index(c)]).replace("\r\n", "\n").replace("\r", "\n").strip()
            if not _LETTER.search(answer):
                continue
            if parts:
                parts.append(TURN_SEPARATOR)
                pos += len(TURN_SEPARATOR)
            turns.append(Turn(len(turns), rid, pos, pos + len(answer), answer, None, "respondent"))
            parts.append(answer)
            pos += len(answer)
            qs.append(qtext[c])
            qids.append(qcode[c])
        if not turns:
            continue
        text = "".join(parts)
        meta = {"questions": qs, "question_ids": qids, "source": "survey", "survey": survey,
                "respondent_id": rid, "format": "survey"}
        transcripts.append(Transcript(id=tid, text=text, turns=tuple(turns), metadata=meta,
                                      language=language or guess_language(text), source=str(path)))
    attributes = pd.DataFrame(attr_rows).set_index("case_id")
    for col in attributes.columns:
        attributes[col] = attributes[col].map(lambda v: None if isinstance(v, str) and not v.strip() else v)
    return Corpus(transcripts, attributes=attributes, problems=problems)


def _attr_name(column: str, codes: Mapping[str, str]) -> str:
    """A closed question's attribute name from a 'code. text' heading: the code when it reads as a name
    ("country. Country of residence" -> "country"), the text when the code is machine-made and the
    text short ("G01Q02[SQ001]. Age" -> "Age"); any other heading as it is."""
    code, text = _split_heading(column)
    if code == column:
        return column
    machine = bool(re.search(r"\d|\[", code))
    return text if machine and len(text.split()) <= 3 and not text.endswith("?") else code


def survey_codings(corpus: Corpus, coded: Any, *, respondent_column: str = "respondent_id",
                   question_column: str = "question", code_column: str = "code", coder: str = "coder") -> Any:
    """Turn a hand-coding table of survey answers (respondent, question, code) into codings.

    ``question`` is the question code (``"q1"``) or its text; each row codes the whole answer.
    Rows with an empty code (an answer read and coded "nothing") are dropped; rows for answers
    that are empty are reported as E115.

    Returns
    -------
    DataFrame
        ``transcript_id, start, end, code, coder`` (+ ``respondent_id, question``).

    Examples
    --------
    >>> import mcqual as mq, pandas as pd
    >>> t = Transcript("s:R1", "Trusted.", (Turn(0, "R1", 0, 8, "Trusted.", None, "respondent"),),
    ...                metadata={"questions": ["Why?"], "question_ids": ["q1"], "respondent_id": "R1"})
    >>> survey_codings(Corpus([t]), pd.DataFrame({"respondent_id": ["R1"], "question": ["q1"],
    ...                                           "code": ["trust"]})).to_dict("records")[0]["end"]
    8
    """
    import pandas as pd

    df = coded if isinstance(coded, pd.DataFrame) else pd.DataFrame(list(coded))
    index: dict[tuple[str, str], tuple[str, int, int]] = {}
    for t in corpus:
        rid = str(t.metadata.get("respondent_id", t.id.rsplit(":", 1)[-1]))
        for turn, qid, qtext in zip(t.turns, t.metadata.get("question_ids", []), t.metadata.get("questions", [])):
            index[(rid, str(qid).casefold())] = (t.id, turn.start, turn.end)
            index[(rid, str(qtext).casefold())] = (t.id, turn.start, turn.end)
    rows, missing = [], []
    for r in df.itertuples(index=False):
        code = getattr(r, code_column)
        if code is None or (isinstance(code, float) and code != code) or not str(code).strip():
            continue
        rid, q = str(getattr(r, respondent_column)).strip(), str(getattr(r, question_column)).strip()
        hit = index.get((rid, q.casefold()))
        if hit is None:
            missing.append(f"{rid}/{q}")
            continue
        rows.append({"transcript_id": hit[0], "start": hit[1], "end": hit[2], "code": str(code).strip(),
                     "coder": coder, "respondent_id": rid, "question": q})
    if missing:
        raise TranscriptError("E115", f"coded answers that are empty or unknown: {', '.join(missing[:8])}"
                              + (f" (+{len(missing) - 8} more)" if len(missing) > 8 else ""))
    return pd.DataFrame(rows, columns=["transcript_id", "start", "end", "code", "coder", "respondent_id", "question"])
