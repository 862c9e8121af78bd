"""Read a folder (or a list) of transcripts into a :class:`~mcqual.corpus.Corpus`.

Files that cannot be read do not stop the batch: they are listed in
``corpus.errors`` as :class:`~mcqual.corpus.ReadFailure` (path + numbered
error), and everything else is read.

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "int-01.txt").write_text("Interviewer: Why?\\nR: Because.\\n", encoding="utf-8")
>>> _ = (d / "broken.docx").write_bytes(b"not a zip")
>>> _ = (d / "notes.pdf").write_bytes(b"%PDF-1.4")
>>> c = read_transcripts(d)
>>> c.ids, [f.code for f in c.errors]
(['int-01'], ['E101'])
"""
from __future__ import annotations

import dataclasses
import os
import re
import warnings
from pathlib import Path
from typing import Any, Iterable, Sequence

from ..corpus import Corpus, ReadFailure
from ..errors import McqualError, TranscriptError
from ..model import Transcript

#: file types read as transcripts
SUFFIXES = (".docx", ".txt", ".vtt", ".srt")
#: sheets joined automatically when found in the folder
ATTRIBUTE_FILES = ("cases.csv", "cases.xlsx")


def read_transcripts(folder_or_paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
                     attributes: Any = None, *, speaker_pattern: str | re.Pattern[str] | None = None,
                     n_jobs: int = 1, recursive: bool = False, ids: Any = None,
                     id_pattern: str | re.Pattern[str] | None = None) -> Corpus:
    r"""Read every transcript in a folder (or a list of files).

    Parameters
    ----------
    folder_or_paths : str, Path or iterable of paths
        A folder (its ``.docx``, ``.txt``, ``.vtt`` and ``.srt`` files are read;
        hidden files, Word lock files ``~$x.docx``, CSV/XLSX sheets and other
        types are skipped), a single file, or a list of files.
    attributes : None, False, path or pandas.DataFrame
        Case attributes joined by transcript id. ``None`` joins ``cases.csv`` or
        ``cases.xlsx`` when the folder holds one; ``False`` joins nothing.
    speaker_pattern : str or re.Pattern, optional
        Passed to every reader (see :func:`mcqual.read_docx`).
    n_jobs : int
        Read files in a process pool of this size (``-1``: all cores); the
        order of the result does not depend on it.
    recursive : bool
        Also read sub-folders (hidden folders are skipped).
    ids : dict or callable, optional
        Transcript ids other than the file stems: ``{stem: id}`` (stems not listed keep
        their stem) or a function of the stem (``lambda s: s[:4]``). The stem stays in
        ``metadata["file_stem"]``. Choose ids once: the project and decisions refer to them.
    id_pattern : str or re.Pattern, optional
        A regular expression searched in each stem; its group ``id`` (or first group, or
        whole match) is the id: ``r"^[A-Z]{2}\d+"`` makes ``XX01_transcript_deidentified``
        ``XX01``. A stem it does not match is a failure E120 (the batch goes on).
        Without ``ids=``/``id_pattern=`` the ids are the file stems, and ``corpus.labels``
        gives short display labels (a ``label`` column in ``cases.csv`` wins over the
        automatic ones, which drop what all stems share, like ``_transcript_deidentified``).

    Returns
    -------
    Corpus
        Transcripts (a folder's sorted by path, a list's in the order given) and
        ``errors`` for the files that failed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "a.txt").write_text("Q: Trust?\nA: Yes.", encoding="utf-8")
    >>> _ = (d / "cases.csv").write_text("case_id,group\na,employer\n", encoding="utf-8")
    >>> read_transcripts(d)["a"].attributes["group"]
    'employer'
    """
    from .speakers import compile_pattern

    compile_pattern(speaker_pattern)  # fail fast (E112), before any file is read
    naming = _id_namer(ids, id_pattern)  # fail fast (E120)
    paths, folder, failures = _collect(folder_or_paths, recursive)
    results = _read_all(paths, speaker_pattern, n_jobs)
    transcripts: list[Transcript] = []
    seen: dict[str, str] = {}
    for path, res in zip(paths, results):
        if naming is not None and not isinstance(res, ReadFailure):
            res = _renamed(res, path, naming)
        if isinstance(res, ReadFailure):
            failures.append(res)
        elif res.id in seen:
            failures.append(ReadFailure(str(path), TranscriptError(
                "E114", f"transcript id {res.id!r} is already used by {seen[res.id]}", path=path)))
        else:
            seen[res.id] = str(path)
            transcripts.append(res)
    attrs = _attributes(attributes, folder)
    if attrs is not None:
        _check_ids(attrs, [t.id for t in transcripts])
    return Corpus(transcripts, failures, attrs)


def _id_namer(ids: Any, id_pattern: Any):
    """A function stem -> id (None: keep the stems), from ``ids=`` or ``id_pattern=``."""
    if ids is not None and id_pattern is not None:
        raise TranscriptError("E120", "give ids= or id_pattern=, not both")
    if ids is not None:
        if isinstance(ids, dict):
            table = {str(k): v for k, v in ids.items()}
            return lambda stem: table.get(stem, stem)
        if callable(ids):
            return ids
        raise TranscriptError("E120", f"ids= must be a dict {{stem: id}} or a function, not {type(ids).__name__}")
    if id_pattern is not None:
        try:
            rx = re.compile(id_pattern) if isinstance(id_pattern, str) else id_pattern
        except re.error as exc:
            raise TranscriptError("E120", f"id_pattern {id_pattern!r} is not a regular expression ({exc})") from None

        def by_pattern(stem: str) -> Any:
            m = rx.search(stem)
            if m is None:
                return None
            if "id" in rx.groupindex:
                return m.group("id")
            return m.group(1) if rx.groups else m.group(0)

        return by_pattern
    return None


def _renamed(t: Transcript, path: Path, naming: Any) -> Transcript | ReadFailure:
    stem = t.id
    try:
        new = naming(stem)
    except Exception as exc:  # noqa: BLE001 - a user's function; its failure is this file's failure
        return ReadFailure(str(path), TranscriptError("E120", f"ids= failed on {stem!r} ({type(exc).__name__}: "
                                                              f"{exc})", path=path))
    if new is None or not str(new).strip():
        return ReadFailure(str(path), TranscriptError("E120", f"ids=/id_pattern= gives no id for the stem {stem!r}",
                                                      path=path))
    new = str(new).strip()
    if new == stem:
        return t
    return dataclasses.replace(t, id=new, metadata={**dict(t.metadata), "file_stem": stem})


def _collect(source: Any, recursive: bool) -> tuple[list[Path], Path | None, list[ReadFailure]]:
    failures: list[ReadFailure] = []
    if isinstance(source, (str, os.PathLike)):
        p = Path(source)
        if p.is_dir():
            pattern = "**/*" if recursive else "*"
            paths = sorted(x for x in p.glob(pattern) if x.is_file() and _wanted(x, p))
            return paths, p, failures
        if not p.exists():
            raise TranscriptError("E100", "no such file or folder", path=p)
        items: list[Path] = [p]
        folder = None
    else:
        items = [Path(x) for x in source]
        folder = None
    paths = []
    for x in items:
        if not x.exists():
            failures.append(ReadFailure(str(x), TranscriptError("E100", "no such file", path=x)))
        elif x.is_dir():
            failures.append(ReadFailure(str(x), TranscriptError("E100", "is a folder; pass it alone to read it",
                                                                path=x)))
        elif x.suffix.lower() not in SUFFIXES:
            failures.append(ReadFailure(str(x), TranscriptError(
                "E110", f"{x.suffix or 'no extension'} is not a transcript type ({', '.join(SUFFIXES)})", path=x)))
        else:
            paths.append(x)
    return paths, folder, failures


def _wanted(path: Path, root: Path) -> bool:
    rel = path.relative_to(root).parts
    if any(part.startswith(".") for part in rel):
        return False
    name = path.name
    return not name.startswith("~$") and path.suffix.lower() in SUFFIXES


def read_one(path: str | os.PathLike[str], speaker_pattern: Any = None) -> Transcript:
    """Read one transcript with the reader for its type.

    Examples
    --------
    >>> read_one("x.pdf")
    Traceback (most recent call last):
    ...
    mcqual.errors.TranscriptError: [E110] x.pdf: .pdf is not a transcript type (.docx, .txt, .vtt, .srt) — mcqual reads .docx, .txt, .vtt, .srt, .csv, .xlsx; convert other formats first.
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".docx":
        from .docx import read_docx

        return read_docx(p, speaker_pattern=speaker_pattern)
    if suffix in (".txt", ".vtt", ".srt"):
        from .text import read_text

        return read_text(p, speaker_pattern=speaker_pattern)
    raise TranscriptError("E110", f"{suffix or 'no extension'} is not a transcript type ({', '.join(SUFFIXES)})",
                          path=p)


def _read_safe(path: Path, speaker_pattern: Any) -> Transcript | ReadFailure:
    try:
        return read_one(path, speaker_pattern)
    except McqualError as exc:
        return ReadFailure(str(path), exc)
    except OSError as exc:
        return ReadFailure(str(path), TranscriptError("E100", f"cannot read the file ({exc})", path=path))
    except Exception as exc:  # noqa: BLE001 - one odd file must not stop a batch
        return ReadFailure(str(path), TranscriptError(
            "E117", f"unexpected {type(exc).__name__}: {exc}", path=path))


def _worker(path: str, speaker_pattern: Any) -> Any:
    """Process-pool entry: a picklable result (Transcript's mapping proxies become dicts)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # re-emitted in the parent from Transcript.warnings
        res = _read_safe(Path(path), speaker_pattern)
    if isinstance(res, ReadFailure):
        return res
    fields = {f.name: getattr(res, f.name) for f in dataclasses.fields(res)}
    fields["metadata"] = dict(res.metadata)
    fields["attributes"] = dict(res.attributes)
    return fields


def _read_all(paths: Sequence[Path], speaker_pattern: Any, n_jobs: int) -> list[Transcript | ReadFailure]:
    if n_jobs is not None and n_jobs < 0:
        n_jobs = os.cpu_count() or 1
    n_jobs = max(1, min(int(n_jobs or 1), len(paths)))
    if n_jobs == 1:
        import gc

        was = gc.isenabled()
        gc.disable()  # reading builds many small objects and no cycles: the cyclic GC only re-scans them
        try:
            return [_read_safe(p, speaker_pattern) for p in paths]
        finally:
            if was:
                gc.enable()
    from concurrent.futures import ProcessPoolExecutor

    pat = speaker_pattern.pattern if isinstance(speaker_pattern, re.Pattern) else speaker_pattern
    with ProcessPoolExecutor(max_workers=n_jobs) as pool:
        raw = list(pool.map(_worker, [str(p) for p in paths], [pat] * len(paths), chunksize=4))
    out: list[Transcript | ReadFailure] = []
    for item in raw:
        if isinstance(item, ReadFailure):
            out.append(item)
            continue
        t = Transcript(**item)
        for w in t.warnings:
            warnings.warn(w, UserWarning, stacklevel=3)
        out.append(t)
    return out


def _attributes(attributes: Any, folder: Path | None) -> Any:
    if attributes is False:
        return None
    if attributes is None:
        if folder is None:
            return None
        for name in ATTRIBUTE_FILES:
            if (folder / name).is_file():
                attributes = folder / name
                break
        else:
            return None
    if isinstance(attributes, (str, os.PathLike)):
        from .attributes import read_attributes

        return read_attributes(attributes)
    if hasattr(attributes, "loc") and hasattr(attributes, "index"):
        df = attributes
        if df.index.name not in ("case_id", "case", "id", "transcript_id"):
            cols = [c for c in ("case_id", "case", "id", "transcript_id") if c in df.columns]
            if cols:
                df = df.set_index(cols[0])
        df = df.copy()
        df.index = df.index.map(str)
        return df
    raise TranscriptError("E113", f"attributes must be a path, a DataFrame, None or False, not {type(attributes).__name__}")


def _check_ids(attrs: Any, ids: list[str]) -> None:
    known = set(map(str, attrs.index))
    missing = [i for i in ids if i not in known]
    if missing:
        warnings.warn(f"{len(missing)} transcript(s) have no row in the case sheet: {', '.join(missing[:8])}"
                      f"{'…' if len(missing) > 8 else ''}", UserWarning, stacklevel=3)
