"""Import a REFI-QDA project (``.qdpx`` / ``project.qde``) from any tool, reporting what is left out.

mcqual codes text: it imports text sources (``TextSource`` with an internal
``.txt`` or inline ``PlainTextContent``, and the plain-text ``Transcript`` of an
audio/video source), their ``PlainTextSelection``/``TranscriptSelection``
codings per coder, the codebook (non-codable and nested codes too), cases with
typed variables, notes as memos, and code sets. Pictures, PDFs, audio/video
selections, links, graphs, case-level codings and files missing from the
archive are not imported; each is listed, item by item, in ``project.report``
(REFI-QDA 1.5 §7 asks importers to tell the user what they dropped).
"""
from __future__ import annotations

import zipfile
import zlib
from pathlib import Path
from typing import Any

from ..codebook.model import Codebook
from ..corpus import Corpus
from ..errors import ExchangeError
from ..model import Transcript, turns_from_spans
from .._xml import PathOrFile, json_safe, local, parse_refusing_dtd
from .bundle import CODING_COLUMNS, MEMO_COLUMNS, ImportIssue, QdpxProject
from .._guids import normalize_guid
from ..codebook.qdc import parse_codes, parse_sets, read_meta_comment

_MEDIA = {"PictureSource": "picture", "PDFSource": "PDF", "AudioSource": "audio", "VideoSource": "video"}
_PRIORITY = {"coding": 0, "selection": 1, "code": 2, "source": 3, "project": 4}
_TEXT_EXT = (".txt", ".docx", ".doc", ".rtf", ".odt", ".pdf")


def _kids(el, name: str) -> list:
    return [c for c in el if local(c.tag) == name]


def _kid(el, name: str):
    return next((c for c in el if local(c.tag) == name), None)


def _g(el, attr: str = "guid") -> str:
    raw = el.get(attr) or ""
    return normalize_guid(raw) or raw


class _Reader:
    def __init__(self, root, zf: zipfile.ZipFile | None, source: str) -> None:
        self.root = root
        self.zf = zf
        self.source = source
        self.report: list[ImportIssue] = []
        self.names = {n.lower(): n for n in (zf.namelist() if zf else [])}
        self.budget = [0]

    def issue(self, kind: str, name: str, reason: str, guid: str | None = None) -> None:
        self.report.append(ImportIssue(kind, name, reason, guid))

    # -- files -----------------------------------------------------------------
    def read_internal(self, ref: str | None) -> tuple[str | None, str]:
        """Text of an ``internal://`` file, or (None, why not)."""
        if not ref:
            return None, "no plainTextPath"
        if not ref.startswith("internal://"):
            return None, f"the text is outside the archive ({ref})"
        name = "sources/" + ref[len("internal://"):]
        real = self.names.get(name.lower())
        if self.zf is None or real is None:
            return None, f"{name} is missing from the archive"
        raw = read_member(self.zf, real, self.source, self.budget)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return None, f"{name} is not UTF-8 text"
        return text.removeprefix("\ufeff"), ""

    # -- parts -----------------------------------------------------------------
    def users(self) -> dict[str, str]:
        out = {}
        users = _kid(self.root, "Users")
        for u in (_kids(users, "User") if users is not None else []):
            out[_g(u)] = u.get("name") or u.get("id") or _g(u)
        return out

    def codebook(self) -> tuple[Codebook | None, dict[str, str]]:
        cb_el = _kid(self.root, "CodeBook")
        if cb_el is None or _kid(cb_el, "Codes") is None:
            return None, {}
        codes, by_guid = parse_codes(_kid(cb_el, "Codes"),
                                     on_issue=lambda g, n, why: self.issue("code", n, why, g or None))
        meta = read_meta_comment(cb_el)
        cb = Codebook(codes, name=meta.get("name", self.root.get("name") or "codebook"),
                      version=meta.get("version", "1"), language=meta.get("language", "en"),
                      description=meta.get("description", ""), source=self.source)
        cb.guids = dict(by_guid)  # type: ignore[attr-defined]
        return cb, by_guid


def read_member(zf: zipfile.ZipFile, name: str, source: str, budget: list[int] | None = None) -> bytes:
    """One archive member, its size and compression ratio checked before inflating (E640).

    The limits are the ones a .docx gets (:mod:`mcqual.io.ooxml`): a part inflates to at most
    ``MAX_PART_BYTES`` (128 MiB), at most ``MAX_RATIO`` (200:1) times its compressed size, and all
    parts read from one archive to at most ``MAX_TOTAL_BYTES`` (256 MiB) together.
    """
    from ..io.ooxml import MAX_PART_BYTES, MAX_RATIO, MAX_TOTAL_BYTES

    info = zf.getinfo(name)
    if info.file_size > MAX_PART_BYTES:
        raise ExchangeError("E640", f"{name} would inflate to {info.file_size:,} bytes (limit {MAX_PART_BYTES:,})",
                            path=source)
    if info.file_size > 2**20 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        raise ExchangeError("E640", f"{name} has a compression ratio above {MAX_RATIO}:1 (a zip bomb?)", path=source)
    used = budget[0] if budget else 0
    if used + info.file_size > MAX_TOTAL_BYTES:
        raise ExchangeError("E640", f"the archive inflates to more than {MAX_TOTAL_BYTES:,} bytes", path=source)
    try:
        with zf.open(info) as fh:
            data = fh.read(min(info.file_size, MAX_PART_BYTES) + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, ValueError) as exc:
        raise ExchangeError("E601", f"cannot inflate {name} ({exc})", path=source) from None
    if len(data) > MAX_PART_BYTES:  # pragma: no cover - zipfile stops at the declared size
        raise ExchangeError("E640", f"{name} is larger than its header says", path=source)
    if budget is not None:
        budget[0] += len(data)
    return data


def _transcript(tid: str, text: str, desc: str | None, name: str, source: str) -> Transcript:
    notes: list[str] = []
    info: dict[str, Any] = {}
    if desc and desc.startswith("mcqual-transcript "):
        try:
            info = json_safe(desc[len("mcqual-transcript "):], notes)
        except ValueError:
            info = {}
    spans = []
    for item in info.get("turns") or []:
        try:
            a, b, speaker, ts, role = item
            spans.append((int(a), int(b), speaker, ts, role))
        except (TypeError, ValueError):
            spans = []
            break
    if spans and all(0 <= a <= b <= len(text) for a, b, *_ in spans):
        turns = turns_from_spans(text, spans)
    else:  # one turn per non-empty line (speaker unknown)
        pos, out = 0, []
        for line in text.split("\n"):
            stripped = line.strip()
            if stripped:
                lead = len(line) - len(line.lstrip())
                out.append((pos + lead, pos + lead + len(stripped), None, None, None))
            pos += len(line) + 1
        turns = turns_from_spans(text, out)
    meta = {"qdpx_source": name}
    if desc and not info:
        meta["description"] = desc
    try:
        return Transcript(tid, text, turns, metadata=meta, language=info.get("language"), source=source,
                          warnings=tuple(notes))
    except ValueError:
        return Transcript(tid, text, (), metadata=meta, language=info.get("language"), source=source,
                          warnings=tuple(notes))


def parse_qdpx(root, zf: zipfile.ZipFile | None, source: str) -> QdpxProject:
    """A :class:`QdpxProject` from a parsed ``project.qde`` root (and the archive for its sources)."""
    import pandas as pd

    if local(root.tag) != "Project":
        raise ExchangeError("E601", f"the root element is <{local(root.tag)}>, not <Project>", path=source)
    r = _Reader(root, zf, source)
    users = r.users()
    codebook, code_ids = r.codebook()

    def coder(*els) -> str:
        for el in els:
            g = _g(el, "creatingUser") if el is not None and el.get("creatingUser") else ""
            if g:
                return users.get(g, g)
        return "unknown"

    transcripts: list[Transcript] = []
    source_ids: dict[str, str] = {}      # source guid -> transcript id
    selection_at: dict[str, tuple[str, int, int]] = {}
    used_ids: set[str] = set()
    coding_rows: list[dict[str, Any]] = []
    note_targets: dict[str, list[tuple[str, Any]]] = {}

    def unique_id(base: str) -> str:
        cand, n = base, 2
        while cand in used_ids:
            cand, n = f"{base} ({n})", n + 1
        used_ids.add(cand)
        return cand

    def note_refs(el, kind: str, value: Any) -> None:
        for nr in _kids(el, "NoteRef"):
            note_targets.setdefault(_g(nr, "targetGUID"), []).append((kind, value))

    def add_codings(sel, tid: str, a: int, b: int, text: str, sel_name: str) -> None:
        for cod in _kids(sel, "Coding"):
            ref = _kid(cod, "CodeRef")
            cg = _g(ref, "targetGUID") if ref is not None else ""
            if cg not in code_ids:
                r.issue("coding", sel_name, f"refers to a code that is not in the codebook ({cg})", _g(cod))
                continue
            coding_rows.append({"transcript_id": tid, "start": a, "end": b, "code": code_ids[cg],
                                "coder": coder(cod, sel), "snippet": text[a:b], "guid": _g(cod)})
            note_refs(cod, "coding", (tid, a, b, code_ids[cg]))

    def text_source(el, name: str, desc: str | None, media: str | None = None) -> str | None:
        inline = _kid(el, "PlainTextContent")
        if el.get("plainTextPath"):
            text, why = r.read_internal(el.get("plainTextPath"))
        elif inline is not None:
            text, why = inline.text or "", ""
        else:
            text, why = None, "it has neither plainTextPath nor PlainTextContent"
        if text is None:
            n_sel = len(_kids(el, "PlainTextSelection")) + len(_kids(el, "TranscriptSelection"))
            r.issue("source", name, f"not imported: {why}" + (f"; its {n_sel} selections are lost" if n_sel else ""),
                    _g(el))
            return None
        base = name
        mcq = desc.startswith("mcqual-transcript ") if desc else False
        if mcq:
            try:
                base = json_safe(desc[len("mcqual-transcript "):]).get("id") or name  # type: ignore[index]
            except ValueError:
                pass
        elif Path(name).suffix.lower() in _TEXT_EXT:
            base = name[: -len(Path(name).suffix)]
        tid = unique_id(base or _g(el))
        t = _transcript(tid, text, desc, name, source)
        if media:
            t = Transcript(t.id, t.text, t.turns, metadata={**t.metadata, "media": media}, language=t.language,
                           source=t.source)
        transcripts.append(t)
        source_ids[_g(el)] = tid
        return tid

    sources = _kid(root, "Sources")
    for el in (list(sources) if sources is not None else []):
        kind = local(el.tag)
        name = el.get("name") or _g(el)
        desc_el = _kid(el, "Description")
        desc = desc_el.text if desc_el is not None else None
        if kind == "TextSource":
            tid = text_source(el, name, desc)
            if tid is None:
                continue
            text = transcripts[-1].text
            note_refs(el, "source", tid)
            for sel in _kids(el, "PlainTextSelection"):
                sname = sel.get("name") or _g(sel)
                try:
                    a, b = int(sel.get("startPosition")), int(sel.get("endPosition"))
                except (TypeError, ValueError):
                    r.issue("selection", sname, "start/end position is not a number", _g(sel))
                    continue
                if a > b:
                    a, b = b, a
                if not (0 <= a < b <= len(text)):
                    r.issue("selection", sname, f"span [{a}, {b}) is outside the text of {tid!r} "
                            f"({len(text)} characters)", _g(sel))
                    continue
                selection_at[_g(sel)] = (tid, a, b)
                add_codings(sel, tid, a, b, text, sname)
                note_refs(sel, "selection", (tid, a, b))
            for cod in _kids(el, "Coding"):
                r.issue("coding", name, "a coding of the whole source is not imported (code a span instead)",
                        _g(cod))
            for vv in _kids(el, "VariableValue"):
                r.issue("variable", name, "source-level variable values are not imported (use cases)", _g(vv))
        elif kind in _MEDIA:
            label = _MEDIA[kind]
            path = el.get("path") or ""
            sels = [s for s in el if local(s.tag).endswith("Selection")]
            present = path.startswith("internal://") and ("sources/" + path[11:]).lower() in r.names
            where = ("present" if present else
                     "missing from the archive" if path.startswith("internal://") else f"external: {path or '?'}")
            r.issue("source", name, f"{label} source not imported (mcqual codes text; file {where})", _g(el))
            for s in sels:
                r.issue("selection", s.get("name") or _g(s), f"{label} selection in {name!r} not imported", _g(s))
            for tr in _kids(el, "Transcript"):
                tname = tr.get("name") or f"{name} transcript"
                tdesc = _kid(tr, "Description")
                tid = text_source(tr, tname, tdesc.text if tdesc is not None else None, media=name)
                if tid is None:
                    continue
                text = transcripts[-1].text
                sync = {_g(sp): sp.get("position") for sp in _kids(tr, "SyncPoint")}
                for sel in _kids(tr, "TranscriptSelection"):
                    sname = sel.get("name") or _g(sel)
                    try:
                        a = int(sync[_g(sel, "fromSyncPoint")])
                        b = int(sync[_g(sel, "toSyncPoint")])
                    except (KeyError, TypeError, ValueError):
                        r.issue("selection", sname, "its sync points have no text position", _g(sel))
                        continue
                    if not (0 <= a < b <= len(text)):
                        r.issue("selection", sname, f"span [{a}, {b}) is outside the transcript text", _g(sel))
                        continue
                    selection_at[_g(sel)] = (tid, a, b)
                    add_codings(sel, tid, a, b, text, sname)
        else:
            r.issue("source", name, f"unknown source type <{kind}>", _g(el))

    # cases and variables
    variables: dict[str, tuple[str, str]] = {}
    vars_el = _kid(root, "Variables")
    for v in (_kids(vars_el, "Variable") if vars_el is not None else []):
        variables[_g(v)] = (v.get("name") or _g(v), v.get("typeOfVariable") or "Text")
    case_rows: dict[str, dict[str, Any]] = {}
    cases_map: dict[str, tuple[str, ...]] = {}
    cases_el = _kid(root, "Cases")
    for c in (_kids(cases_el, "Case") if cases_el is not None else []):
        base = c.get("name") or _g(c)
        cid, n = base, 2
        while cid in case_rows:
            cid, n = f"{base} ({n})", n + 1
        row: dict[str, Any] = {}
        for vv in _kids(c, "VariableValue"):
            ref = _kid(vv, "VariableRef")
            vg = _g(ref, "targetGUID") if ref is not None else ""
            if vg not in variables:
                r.issue("variable", cid, f"value of an undeclared variable ({vg})", vg or None)
                continue
            vname, vtype = variables[vg]
            val_el = next((x for x in vv if local(x.tag).endswith("Value") and local(x.tag) != "VariableValue"), None)
            if val_el is None or val_el.text is None:
                continue
            try:
                row[vname] = _typed(local(val_el.tag), val_el.text)
            except ValueError:
                r.issue("variable", f"{cid}/{vname}", f"value {val_el.text!r} is not a valid {vtype}", vg)
        case_rows[cid] = row
        cases_map[cid] = tuple(source_ids[_g(s, "targetGUID")] for s in _kids(c, "SourceRef")
                               if _g(s, "targetGUID") in source_ids)
        if _kid(c, "Description") is not None and (_kid(c, "Description").text or "").strip():
            row.setdefault("description", _kid(c, "Description").text)
        for cr in _kids(c, "CodeRef"):
            cg = _g(cr, "targetGUID")
            r.issue("case", cid, f"the case is coded as a whole with {code_ids.get(cg, cg)!r}; not imported", cg)
        for sr in _kids(c, "SelectionRef"):
            sg = _g(sr, "targetGUID")
            if sg not in selection_at:
                r.issue("case", cid, "refers to a selection that was not imported", sg)
    attrs = None
    if case_rows:
        attrs = pd.DataFrame.from_dict(case_rows, orient="index")
        attrs = attrs.reindex(columns=[v[0] for v in variables.values() if v[0] in attrs.columns]
                              + [c for c in attrs.columns if c not in {v[0] for v in variables.values()}])
        attrs = _type_columns(attrs, {v[0]: v[1] for v in variables.values()})
        attrs.index.name = "case_id"

    # notes
    memo_rows = []
    notes_el = _kid(root, "Notes")
    note_refs(root, "project", None)
    note_refs_codes(_kid(_kid(root, "CodeBook"), "Codes") if _kid(root, "CodeBook") is not None else None,
                    code_ids, note_targets)
    links = _kid(root, "Links")
    for link in (_kids(links, "Link") if links is not None else []):
        og, tg = _g(link, "originGUID"), _g(link, "targetGUID")
        if og and tg in selection_at:
            note_targets.setdefault(og, []).append(("selection", selection_at[tg]))
        r.issue("link", link.get("name") or _g(link), "links are not imported"
                + (" (the note it starts from keeps its target)" if tg in selection_at else ""), _g(link))
    for note in (_kids(notes_el, "Note") if notes_el is not None else []):
        ng = _g(note)
        inline = _kid(note, "PlainTextContent")
        if inline is not None:
            text = inline.text or ""
        else:
            text, why = r.read_internal(note.get("plainTextPath"))
            if text is None:
                r.issue("note", note.get("name") or ng, f"not imported: {why}", ng)
                continue
        desc = _kid(note, "Description")
        mid = ng
        if desc is not None and (desc.text or "").startswith("ID: "):
            mid = desc.text[4:].strip()
        row = {"memo_id": mid, "title": note.get("name") or mid, "text": text,
               "coder": coder(note) if note.get("creatingUser") else None,
               "transcript_id": None, "code": None, "start": None, "end": None, "target": "project",
               "created_at": note.get("creationDateTime")}
        ranked = sorted(note_targets.get(ng, []), key=lambda kv: _PRIORITY.get(kv[0], 9))
        for kind, value in (ranked or [("project", None)])[:1]:
            row["target"] = {"source": "transcript", "selection": "span"}.get(kind, kind)
            if kind == "source":
                row["transcript_id"] = value
            elif kind == "code":
                row["code"] = value
            elif kind in ("selection", "coding"):
                row["transcript_id"], row["start"], row["end"] = value[0], value[1], value[2]
                if kind == "coding":
                    row["code"] = value[3]
        memo_rows.append(row)

    sets_el = _kid(root, "Sets")
    if sets_el is not None:
        sets = parse_sets(sets_el, code_ids, ref_attr="targetGUID")
        for s in _kids(sets_el, "Set"):
            others = [m for m in s if local(m.tag) in ("MemberSource", "MemberNote")]
            if others:
                r.issue("set", s.get("name") or _g(s), f"{len(others)} source/note members not imported "
                        "(only code members are kept)", _g(s))
        if codebook is not None:
            codebook.sets = tuple(x for x in sets if x.codes)  # type: ignore[attr-defined]
    graphs = _kid(root, "Graphs")
    for gr in (_kids(graphs, "Graph") if graphs is not None else []):
        r.issue("graph", gr.get("name") or _g(gr), "graphs (network views) are not imported", _g(gr))

    codings = pd.DataFrame(coding_rows, columns=[*CODING_COLUMNS, "guid"])
    codings = codings.astype({"start": "int64", "end": "int64"})
    memos = pd.DataFrame(memo_rows, columns=MEMO_COLUMNS)
    corpus_attrs = _corpus_attributes(attrs, cases_map)
    corpus = Corpus(transcripts, attributes=corpus_attrs)
    return QdpxProject(corpus, codebook, codings, attrs, memos, name=root.get("name") or Path(source).stem,
                       cases={k: v for k, v in cases_map.items()}, report=tuple(r.report))


def note_refs_codes(codes_el, code_ids: dict[str, str], targets: dict[str, list]) -> None:
    if codes_el is None:
        return
    for code in codes_el.iter():
        if local(code.tag) != "Code":
            continue
        cid = code_ids.get(_g(code))
        for nr in _kids(code, "NoteRef"):
            targets.setdefault(_g(nr, "targetGUID"), []).append(("code", cid))


def _typed(tag: str, text: str) -> Any:
    import pandas as pd

    text = text.strip() if tag != "TextValue" else text
    if tag == "BooleanValue":
        if text.lower() in ("true", "1"):
            return True
        if text.lower() in ("false", "0"):
            return False
        raise ValueError(text)
    if tag == "IntegerValue":
        return int(text)
    if tag == "FloatValue":
        return float(text)
    if tag == "DateValue":
        return pd.Timestamp(text[:10])
    if tag == "DateTimeValue":
        return pd.Timestamp(text)
    return text


def _type_columns(attrs, types: dict[str, str]):
    import pandas as pd

    attrs = attrs.copy()
    for col in attrs.columns:
        kind = types.get(col, "Text")
        s = attrs[col]
        has_na = bool(s.isna().any())
        if kind == "Integer":
            attrs[col] = s.astype("Int64") if has_na else s.astype("int64")
        elif kind == "Float":
            attrs[col] = s.astype("float64")
        elif kind == "Boolean":
            attrs[col] = s.astype("boolean") if has_na else s.astype(bool)
        elif kind in ("Date", "DateTime"):
            attrs[col] = pd.to_datetime(s)
        else:
            attrs[col] = s.astype("string") if has_na else s.astype(str)
    return attrs


def _corpus_attributes(attrs, cases_map: dict[str, tuple[str, ...]]):
    """Case attributes re-indexed by transcript id (a case's values go to each of its sources)."""
    if attrs is None:
        return None
    rows, index = [], []
    for cid, row in zip(attrs.index, attrs.to_dict("records")):
        for tid in cases_map.get(cid) or ():
            if tid not in index:
                rows.append({**row, "case": cid} if tid != cid else row)
                index.append(tid)
    if not index:
        return None
    import pandas as pd

    return pd.DataFrame(rows, index=pd.Index(index, name="transcript_id"))


def read_qdpx(path: PathOrFile) -> QdpxProject:
    """Import a REFI-QDA project (``.qdpx`` zip, or a bare ``project.qde``) from any QDA tool.

    Returns a :class:`QdpxProject` (corpus, codebook, codings, attributes,
    memos) whose ``.report`` lists, item by item, what could not be imported
    and why (pictures, PDFs, audio/video selections, missing files, links...).

    Raises
    ------
    ExchangeError
        E601 if the file is not a REFI-QDA project.

    Examples
    --------
    >>> import io
    >>> from mcqual.exchange.qdpx import to_qdpx
    >>> from mcqual.corpus import Corpus
    >>> from mcqual.model import Transcript
    >>> buf = io.BytesIO(); to_qdpx(QdpxProject(Corpus([Transcript.from_turns("a", [("R", "Yes.")])])), buf)
    >>> read_qdpx(io.BytesIO(buf.getvalue())).corpus["a"].text
    'Yes.'
    """
    name = str(getattr(path, "name", path)) if not isinstance(path, (str, Path)) else str(path)
    if isinstance(path, (str, Path)) and not Path(path).is_file():
        raise ExchangeError("E601", "file not found", path=path, hint="Check the path to the .qdpx file.")
    zf = None
    try:
        if zipfile.is_zipfile(path):  # type: ignore[arg-type]
            zf = zipfile.ZipFile(path)  # type: ignore[arg-type]
            names = zf.namelist()
            qde = next((n for n in names if n.lower() == "project.qde"), None)
            report_name = None
            if qde is None:  # vendor quirk: another name, still at the root
                qde = next((n for n in names if n.lower().endswith(".qde") and "/" not in n), None)
                report_name = qde
            if qde is None:
                raise ExchangeError("E601", "the archive has no project.qde", path=name)
            data = read_member(zf, qde, name)
        else:
            if hasattr(path, "seek"):
                path.seek(0)  # type: ignore[union-attr]
            data = path.read() if hasattr(path, "read") else Path(path).read_bytes()  # type: ignore[union-attr]
            report_name = None
        root = parse_refusing_dtd(data, error=ExchangeError, code="E601", dtd_code="E640", what="project.qde",
                                  path=name, syntax_prefix="project.qde is ")
        project = parse_qdpx(root, zf, name)
    except zipfile.BadZipFile as exc:
        raise ExchangeError("E601", f"damaged zip archive ({exc})", path=name) from exc
    finally:
        if zf is not None:
            zf.close()
    if report_name:
        issue = ImportIssue("archive", report_name, "the project XML is not named project.qde (read it anyway)")
        object.__setattr__(project, "report", (issue, *project.report))
    return project
