#!/usr/bin/env python3
"""Build the sample study's interview transcripts from their editable sources.

Every ``transcripts/src/<id>.md`` holds one interview: YAML front matter, then
turns that start at line start with ``[HH:MM:SS] Speaker:`` (an interviewer turn
that asks a guide question carries ``{q=<question id>}`` right after the name).
Paragraphs without that prefix continue the previous turn.

This script writes, next to itself,

* ``<id>.docx``: the interview laid out the way the tool named in ``format``
  writes it (Teams, Otter, Word Transcribe, hand-typed block or table, focus
  group, dash labels, unlabelled), and
* ``cases.csv``: one row of case attributes per interview.

Output is deterministic: core-property dates come from the front matter and
every zip entry is stamped 1980-01-01, so regenerating yields identical bytes.

Run ``.venv/bin/python transcripts/build.py`` (``--help`` for options). Tests
import it with ``importlib`` and use :func:`load_sources`.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import re
import sys
import tempfile
import zipfile
from collections import Counter
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
GUIDE = ROOT / "codebook" / "interview_guide.yaml"

FORMATS = (
    "teams", "otter", "word_transcribe", "handtyped_block",
    "handtyped_table", "focus_group", "dash_labels", "unlabelled",
)
GROUPS = ("learner", "employer", "provider", "stakeholder")
REQUIRED = ("id", "format", "title", "date", "interviewer", "respondent",
            "respondent_group", "country", "sector", "credential_type", "mode", "language")
CASE_COLUMNS = ("case_id", "respondent_group", "country", "sector", "credential_type", "mode",
                "format", "interviewer", "respondent", "date", "language", "words")
HEADER_TEXT = "Cedefop micro-credentials study – CONFIDENTIAL"
# Formats typed or cleaned up by a person carry the study's header and a page-number footer;
# exports from transcription tools do not.
WITH_HEADER = {"handtyped_block", "handtyped_table", "focus_group", "dash_labels", "unlabelled"}
COUNTRIES = {
    "AT": "Austria", "BE": "Belgium", "BG": "Bulgaria", "CY": "Cyprus", "CZ": "Czechia",
    "DE": "Germany", "DK": "Denmark", "EE": "Estonia", "EL": "Greece", "ES": "Spain",
    "FI": "Finland", "FR": "France", "HR": "Croatia", "HU": "Hungary", "IE": "Ireland",
    "IS": "Iceland", "IT": "Italy", "LT": "Lithuania", "LU": "Luxembourg", "LV": "Latvia",
    "MT": "Malta", "NL": "Netherlands", "NO": "Norway", "PL": "Poland", "PT": "Portugal",
    "RO": "Romania", "SE": "Sweden", "SI": "Slovenia", "SK": "Slovakia",
}
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
OTTER_FOOTER = "Transcribed by https://otter.ai"

_TURN = re.compile(
    r"^\[(?P<h>\d{2}):(?P<m>[0-5]\d):(?P<s>[0-5]\d)\]\s+"
    r"(?P<speaker>[^\[\]{}:\n]+?)"
    r"(?:\s*\{q=(?P<q>[A-Za-z0-9_.\-]+)\})?"
    r":\s*(?P<text>.*)$"
)
_ANNOTATION = re.compile(r"\[[^\]]*\]")  # [laughs], [pause], [inaudible]
_WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")


class SourceError(ValueError):
    """A source file breaks the format; the message names the file and line and says what to fix."""


# --------------------------------------------------------------------------- parsing

def _split_front_matter(text: str, path: Path) -> tuple[dict, str, int]:
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise SourceError(f"{path}: line 1 must be '---' (YAML front matter first).")
    for i in range(1, len(lines)):
        if lines[i].strip() == "---":
            try:
                meta = yaml.safe_load("\n".join(lines[1:i])) or {}
            except yaml.YAMLError as exc:
                raise SourceError(f"{path}: front matter is not valid YAML: {exc}") from None
            if not isinstance(meta, dict):
                raise SourceError(f"{path}: front matter must be a mapping of key: value lines.")
            return meta, "\n".join(lines[i + 1:]), i + 2
    raise SourceError(f"{path}: front matter is not closed: add a '---' line after it.")


def _people(value) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [p.strip() for p in str(value or "").split(",") if p.strip()]


def _count_words(text: str) -> int:
    """Spoken words: bracketed annotations such as [laughs] are not counted."""
    return len(_WORD.findall(_ANNOTATION.sub(" ", text)))


def _full_name(speaker: str, people: list[str]) -> str | None:
    """The listed person *speaker* names: the full name, or a first name unique in *people*."""
    if speaker in people:
        return speaker
    hits = [p for p in people if p.split()[0] == speaker]
    return hits[0] if len(hits) == 1 else None


def _load_guide(path: Path = GUIDE) -> dict[str, list[str] | None]:
    """Question id -> groups it is asked of (None: everyone). Empty if the guide is missing."""
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out: dict[str, list[str] | None] = {}
    for topic in data.get("topics", []):
        for q in topic.get("questions", []):
            out[q["id"]] = q.get("groups")
    return out


def parse_source(path: str | os.PathLike, guide: dict | None = None) -> dict:
    """Parse one source file into its front matter plus ``turns``.

    Each turn is ``{"speaker", "timestamp" (seconds), "text" (paragraphs joined
    by "\\n"), "question" (guide question id or None), "line" (1-based)}``.
    Raises SourceError with file and line for anything a build would get wrong.
    """
    path = Path(path)
    meta, body, first_line = _split_front_matter(path.read_text(encoding="utf-8"), path)
    missing = [k for k in REQUIRED if meta.get(k) in (None, "")]
    if missing:
        raise SourceError(f"{path}: front matter lacks {', '.join(missing)}; add them.")
    if meta["format"] not in FORMATS:
        raise SourceError(f"{path}: format {meta['format']!r} is not one of {', '.join(FORMATS)}.")
    if meta["respondent_group"] not in GROUPS:
        raise SourceError(f"{path}: respondent_group {meta['respondent_group']!r} is not one of "
                          f"{', '.join(GROUPS)}.")
    if path.stem != str(meta["id"]):
        raise SourceError(f"{path}: id {meta['id']!r} differs from the file name; rename one.")
    if isinstance(meta["date"], dt.datetime):
        meta["date"] = meta["date"].date()
    if not isinstance(meta["date"], dt.date):
        try:
            meta["date"] = dt.date.fromisoformat(str(meta["date"]))
        except ValueError:
            raise SourceError(f"{path}: date {meta['date']!r} is not YYYY-MM-DD.") from None
    interviewers = _people(meta["interviewer"])
    respondents = _people(meta["respondent"])
    if meta["format"] == "focus_group":
        interviewers = interviewers + ["Moderator"]
    guide = _load_guide() if guide is None else guide

    turns: list[dict] = []
    paragraphs: list[str] = []

    def close() -> None:
        if turns:
            turns[-1]["text"] = "\n".join(paragraphs)

    block: list[str] = []
    block_line = first_line
    blocks: list[tuple[int, str]] = []
    for n, line in enumerate(body.split("\n"), start=first_line):
        if line.strip():
            if not block:
                block_line = n
            block.append(line.strip())
        elif block:
            blocks.append((block_line, " ".join(block)))
            block = []
    if block:
        blocks.append((block_line, " ".join(block)))

    for n, para in blocks:
        m = _TURN.match(para)
        if m is None:
            if not turns:
                raise SourceError(f"{path}:{n}: text before the first turn; start it with "
                                  f"'[HH:MM:SS] Speaker:'.")
            paragraphs.append(para)
            continue
        close()
        seconds = int(m["h"]) * 3600 + int(m["m"]) * 60 + int(m["s"])
        speaker = m["speaker"].strip()
        q = m["q"]
        if _full_name(speaker, interviewers) is None and _full_name(speaker, respondents) is None:
            raise SourceError(f"{path}:{n}: speaker {speaker!r} is neither the interviewer "
                              f"({', '.join(interviewers)}) nor a respondent "
                              f"({', '.join(respondents)}); fix the name or the front matter.")
        if turns and seconds < turns[-1]["timestamp"]:
            raise SourceError(f"{path}:{n}: timestamp goes back in time "
                              f"({m['h']}:{m['m']}:{m['s']}); timestamps must increase.")
        if q is not None:
            if _full_name(speaker, interviewers) is None:
                raise SourceError(f"{path}:{n}: {{q={q}}} on a respondent turn; only interviewer "
                                  f"turns ask guide questions.")
            if guide:
                if q not in guide:
                    raise SourceError(f"{path}:{n}: {{q={q}}} is not a question id of "
                                      f"{GUIDE.name}; use one of its ids.")
                groups = guide[q]
                if groups and meta["respondent_group"] not in groups:
                    raise SourceError(f"{path}:{n}: question {q} is not asked of "
                                      f"{meta['respondent_group']}s (groups: {', '.join(groups)}).")
        text = m["text"].strip()
        if not text:
            raise SourceError(f"{path}:{n}: turn has no text after the speaker.")
        paragraphs = [text]
        turns.append({"speaker": speaker, "timestamp": seconds, "text": "", "question": q,
                      "line": n})
    close()
    if not turns:
        raise SourceError(f"{path}: no turns found; each turn starts with '[HH:MM:SS] Speaker:'.")
    out = dict(meta)
    out["interviewers"] = interviewers
    out["respondents"] = respondents
    out["turns"] = turns
    out["words"] = sum(_count_words(t["text"]) for t in turns)
    out["path"] = str(path)
    return out


def load_sources(folder: str | os.PathLike = HERE / "src") -> list[dict]:
    """Parse every ``*.md`` in *folder*, sorted by file name.

    Returns one dict per interview: the front matter (``date`` as a
    ``datetime.date``), ``interviewers`` and ``respondents`` (lists of speaker
    names; a focus group's interviewers include ``Moderator``), ``words``
    (spoken words), ``path``, and ``turns``: a list of dicts with ``speaker``,
    ``timestamp`` (seconds), ``text`` (paragraphs joined by "\\n"),
    ``question`` (guide question id or None) and ``line``.
    """
    folder = Path(folder)
    guide = _load_guide()
    sources = [parse_source(p, guide) for p in sorted(folder.glob("*.md"))]
    ids = Counter(s["id"] for s in sources)
    dup = [i for i, c in ids.items() if c > 1]
    if dup:
        raise SourceError(f"{folder}: duplicate interview ids {', '.join(dup)}.")
    return sources


# --------------------------------------------------------------------------- docx helpers

def _hms(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _teams_time(seconds: int) -> str:
    h, m, s = seconds // 3600, seconds % 3600 // 60, seconds % 60
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _otter_time(seconds: int) -> str:
    h, m, s = seconds // 3600, seconds % 3600 // 60, seconds % 60
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def _duration(src: dict) -> int:
    """Length of the recording: last timestamp plus the last turn spoken at ~140 words/min."""
    last = src["turns"][-1]
    return last["timestamp"] + max(3, round(_count_words(last["text"]) / 140 * 60)) + 4


def _is_interviewer(src: dict, speaker: str) -> bool:
    return _full_name(speaker, src["interviewers"]) is not None


def _paras(turn: dict) -> list[str]:
    return turn["text"].split("\n")


def _long_date(d: dt.date) -> str:
    return f"{d.day} {d.strftime('%B %Y')}"


def _new_document(src: dict):
    import docx
    from docx.shared import Pt

    doc = docx.Document()
    style = doc.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(11)
    when = dt.datetime.combine(src["date"], dt.time(9, 0), tzinfo=dt.timezone.utc)
    cp = doc.core_properties
    cp.title = str(src["title"])
    cp.author = src["interviewers"][0]
    cp.last_modified_by = src["interviewers"][0]
    cp.created = when
    cp.modified = when
    cp.last_printed = when
    cp.revision = 1
    cp.subject = "Cedefop micro-credentials study"
    cp.keywords = f"{src['id']}; {src['respondent_group']}; {src['country']}"
    cp.comments = ""
    cp.category = ""
    cp.identifier = str(src["id"])
    cp.language = str(src["language"])
    cp.content_status = ""
    cp.version = ""
    return doc


def _add_header_footer(doc) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    section = doc.sections[0]
    hp = section.header.paragraphs[0]
    hp.text = HEADER_TEXT
    hp.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    fp = section.footer.paragraphs[0]
    fp.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fp.add_run("Page ")

    def fld(kind: str) -> None:
        r = fp.add_run()._r
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        r.append(el)

    fld("begin")
    r = fp.add_run()._r
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    r.append(instr)
    fld("separate")
    fp.add_run("1")
    fld("end")


def _metadata_lines(src: dict) -> list[tuple[str, str]]:
    country = COUNTRIES.get(str(src["country"]), str(src["country"]))
    return [
        ("Interview ID", str(src["id"])),
        ("Date", _long_date(src["date"])),
        ("Interviewer", ", ".join(_people(src["interviewer"]))),
        ("Respondent", f"{src['respondent']} (pseudonym)"),
        ("Respondent group", str(src["respondent_group"])),
        ("Country", country),
        ("Sector", str(src["sector"])),
        ("Credential", str(src["credential_type"])),
        ("Mode", str(src["mode"])),
    ]


# --------------------------------------------------------------------------- one writer per format

def _teams(doc, src: dict) -> None:
    if src.get("title_line", False):
        doc.add_paragraph(str(src["title"]))
    for turn in src["turns"]:
        doc.add_paragraph(f"{turn['speaker']}   {_teams_time(turn['timestamp'])}")
        for p in _paras(turn):
            doc.add_paragraph(p)
        doc.add_paragraph()


_STOP = set("""a about above after again against all also am an and any are aren't as at be because been
before being below between both but by can can't cannot could couldn't did didn't do does doesn't doing
don't down during each even few for from further get got had hadn't has hasn't have haven't having he
her here hers herself him himself his how i i'd i'll i'm i've if in into is isn't it it's its itself
just know kind let's like lot maybe me mean more most much must my myself no nor not now of off oh ok
okay on once one only or other ought our ours ourselves out over own really right same say said see
she should shouldn't so some something such sure than that that's the their theirs them themselves
then there there's these they they'd they'll they're they've thing things think this those through
to too um uh under until up us very was wasn't we we'd we'll we're we've well were weren't what
what's when where which while who whom why will with won't would wouldn't yeah yes you you'd you'll
you're you've your yours yourself actually bit go going good great people quite still want way
thank thanks two three first also yes little always never every back because many make made""".split())


def _keywords(src: dict, n: int = 12) -> str:
    counts = Counter(
        w.lower().replace("’", "'")
        for t in src["turns"]
        for w in _WORD.findall(_ANNOTATION.sub(" ", t["text"]))
    )
    names = {w.lower() for p in src["interviewers"] + src["respondents"] for w in p.split()}
    ranked = sorted(
        (w for w in counts if w not in _STOP and w not in names and len(w) > 2 and not w.isdigit()),
        key=lambda w: (-counts[w], w),
    )
    return ", ".join(ranked[:n])


def _otter(doc, src: dict) -> None:
    start = dt.datetime.strptime(str(src.get("start_time", "10:00")), "%H:%M")
    dur = _duration(src)
    d = src["date"]
    doc.add_paragraph(str(src["title"]))
    doc.add_paragraph(
        f"{d.strftime('%a, %b')} {d.day}, {d.year} {start.strftime('%I:%M%p').lstrip('0')} • "
        f"{_otter_time(dur)}"
    )
    doc.add_paragraph()
    doc.add_paragraph("SUMMARY KEYWORDS")
    doc.add_paragraph(_keywords(src))
    doc.add_paragraph()
    doc.add_paragraph("SPEAKERS")
    seen = list(dict.fromkeys(t["speaker"] for t in src["turns"]))
    doc.add_paragraph(", ".join(seen))
    doc.add_paragraph()
    for turn in src["turns"]:
        doc.add_paragraph(f"{turn['speaker']}  {_otter_time(turn['timestamp'])}")
        for p in _paras(turn):
            doc.add_paragraph(p)
        doc.add_paragraph()
    doc.add_paragraph(OTTER_FOOTER)


def _word_transcribe(doc, src: dict) -> None:
    labels: dict[str, str] = {}
    for who in src["interviewers"][:1] + src["respondents"]:
        labels.setdefault(who, f"Speaker {len(labels) + 1}")
    for turn in src["turns"]:
        who = (_full_name(turn["speaker"], src["interviewers"])
               or _full_name(turn["speaker"], src["respondents"]) or turn["speaker"])
        labels.setdefault(turn["speaker"], labels.get(who) or f"Speaker {len(labels) + 1}")
    doc.add_paragraph("Audio file", style="Heading 1")
    doc.add_paragraph(f"{src['id']}_{src['date'].strftime('%Y%m%d')}.m4a")
    doc.add_paragraph()
    doc.add_paragraph("Transcript", style="Heading 1")
    for turn in src["turns"]:
        doc.add_paragraph(f"{_hms(turn['timestamp'])} {labels[turn['speaker']]}")
        doc.add_paragraph(" ".join(_paras(turn)))
        doc.add_paragraph()


def _label_run(par, label: str) -> None:
    par.add_run(label).bold = True


def _handtyped_block(doc, src: dict) -> None:
    for key, value in _metadata_lines(src):
        doc.add_paragraph(f"{key}: {value}")
    doc.add_paragraph()
    for turn in src["turns"]:
        paras = _paras(turn)
        p = doc.add_paragraph()
        _label_run(p, "Interviewer:" if _is_interviewer(src, turn["speaker"]) else "R:")
        stamp = f"[{_hms(turn['timestamp'])}] " if turn["question"] else ""
        p.add_run(f" {stamp}{paras[0]}")
        for extra in paras[1:]:
            doc.add_paragraph(extra)


def _handtyped_table(doc, src: dict) -> None:
    from docx.shared import Cm

    meta = doc.add_table(rows=0, cols=2)
    meta.style = "Table Grid"
    for key, value in _metadata_lines(src):
        cells = meta.add_row().cells
        cells[0].text = key
        cells[1].text = value
        cells[0].paragraphs[0].runs[0].bold = True
    doc.add_paragraph()
    table = doc.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, head in zip(table.rows[0].cells, ("Time", "Speaker", "Text")):
        cell.text = head
        cell.paragraphs[0].runs[0].bold = True
    for turn in src["turns"]:
        cells = table.add_row().cells
        cells[0].text = _hms(turn["timestamp"])
        cells[1].text = turn["speaker"]
        paras = _paras(turn)
        cells[2].text = paras[0]
        for extra in paras[1:]:
            cells[2].add_paragraph(extra)
    for row in table.rows:
        for cell, width in zip(row.cells, (Cm(2.0), Cm(3.2), Cm(11.5))):
            cell.width = width


def _focus_group(doc, src: dict) -> None:
    title = doc.add_paragraph()
    title.add_run(str(src["title"])).bold = True
    doc.add_paragraph(
        f"{_long_date(src['date'])} – {src['mode']} – Moderator: {src['interviewer']} – "
        f"Participants: {', '.join(src['respondents'])}"
    )
    doc.add_paragraph()
    for turn in src["turns"]:
        paras = _paras(turn)
        doc.add_paragraph(f"[{_hms(turn['timestamp'])}] {turn['speaker']}: {paras[0]}")
        for extra in paras[1:]:
            doc.add_paragraph(extra)


def _dash_labels(doc, src: dict) -> None:
    for key, value in _metadata_lines(src):
        doc.add_paragraph(f"{key}: {value}")
    doc.add_paragraph()
    for turn in src["turns"]:
        paras = _paras(turn)
        label = "I" if _is_interviewer(src, turn["speaker"]) else "R"
        stamp = f"[{_hms(turn['timestamp'])}] " if turn["question"] else ""
        doc.add_paragraph(f"{label} – {stamp}{paras[0]}")
        for extra in paras[1:]:
            doc.add_paragraph(extra)


def _unlabelled(doc, src: dict) -> None:
    title = doc.add_paragraph()
    title.add_run(str(src["title"])).bold = True
    country = COUNTRIES.get(str(src["country"]), str(src["country"]))
    doc.add_paragraph(f"{src['id']} | {src['date'].isoformat()} | {country} | {src['mode']} | "
                      f"Interviewer: {src['interviewer']}")
    for turn in src["turns"]:
        p = doc.add_paragraph()
        run = p.add_run(" ".join(_paras(turn)))
        if _is_interviewer(src, turn["speaker"]):
            run.italic = True


WRITERS = {
    "teams": _teams, "otter": _otter, "word_transcribe": _word_transcribe,
    "handtyped_block": _handtyped_block, "handtyped_table": _handtyped_table,
    "focus_group": _focus_group, "dash_labels": _dash_labels, "unlabelled": _unlabelled,
}


# --------------------------------------------------------------------------- packaging

def _rename_main_part(entries: dict[str, bytes], new: str = "word/document2.xml") -> dict[str, bytes]:
    """Move the main document part to *new*, as Word Transcribe exports do."""
    old = "word/document.xml"
    old_rels, new_rels = "word/_rels/document.xml.rels", f"word/_rels/{Path(new).name}.rels"
    out: dict[str, bytes] = {}
    for name, data in entries.items():
        if name == "_rels/.rels":
            data = data.replace(b'Target="word/document.xml"', f'Target="{new}"'.encode())
        elif name == "[Content_Types].xml":
            data = data.replace(b'PartName="/word/document.xml"', f'PartName="/{new}"'.encode())
        out[new if name == old else new_rels if name == old_rels else name] = data
    return out


def _package(doc, src: dict) -> bytes:
    """Serialise *doc* and rewrite the zip with fixed entry timestamps."""
    buf = io.BytesIO()
    doc.save(buf)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as zin:
        entries = {i.filename: zin.read(i.filename) for i in zin.infolist()}
    entries.pop("docProps/thumbnail.jpeg", None)  # python-docx's template preview, not the tool's
    entries["_rels/.rels"] = re.sub(
        rb'<Relationship [^>]*Target="docProps/thumbnail.jpeg"[^>]*/>', b"", entries["_rels/.rels"]
    )
    if src["format"] == "word_transcribe":
        entries = _rename_main_part(entries)
    order = sorted(entries, key=lambda n: (n != "[Content_Types].xml", n.startswith("word/"), n))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in order:
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 0
            zout.writestr(info, entries[name])
    return out.getvalue()


def render_docx(src: dict) -> bytes:
    """The bytes of the .docx for one parsed source (see :func:`parse_source`)."""
    doc = _new_document(src)
    if src["format"] in WITH_HEADER:
        _add_header_footer(doc)
    WRITERS[src["format"]](doc, src)
    return _package(doc, src)


def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def cases_csv(sources: list[dict]) -> bytes:
    """The bytes of cases.csv: one row per interview, sorted by case id."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CASE_COLUMNS)
    for s in sorted(sources, key=lambda s: str(s["id"])):
        w.writerow([s["id"], s["respondent_group"], s["country"], s["sector"],
                    s["credential_type"], s["mode"], s["format"],
                    ", ".join(_people(s["interviewer"])), ", ".join(_people(s["respondent"])),
                    s["date"].isoformat(), s["language"], s["words"]])
    return buf.getvalue().encode("utf-8")


def build(src_dir: Path = HERE / "src", out_dir: Path = HERE, only: list[str] | None = None) -> list[Path]:
    """Write ``<id>.docx`` for every source (or those in *only*) and ``cases.csv``."""
    sources = load_sources(src_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for s in sources:
        if only and s["id"] not in only:
            continue
        path = out_dir / f"{s['id']}.docx"
        _atomic_write(path, render_docx(s))
        written.append(path)
    path = out_dir / "cases.csv"
    _atomic_write(path, cases_csv(sources))
    written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--src", type=Path, default=HERE / "src", help="folder of <id>.md sources")
    ap.add_argument("--out", type=Path, default=HERE, help="folder for .docx files and cases.csv")
    ap.add_argument("--only", nargs="*", help="build only these interview ids (cases.csv always)")
    ap.add_argument("--check", action="store_true", help="parse and validate sources, write nothing")
    args = ap.parse_args(argv)
    try:
        if args.check:
            sources = load_sources(args.src)
            for s in sources:
                print(f"{s['id']:8} {s['format']:16} {len(s['turns']):4} turns {s['words']:6} words")
            return 0
        for p in build(args.src, args.out, args.only):
            print(f"wrote {p}")
    except SourceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
