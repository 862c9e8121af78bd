"""Read and write codebook files, choosing the format by extension.

============  ==========================================================
extension     format
============  ==========================================================
.yaml, .yml   mcqual's YAML codebook (primary; see the user guide, docs/guide/codebook.md)
.xlsx         one row per code (sheet ``codes``), see :mod:`.excel`
.qdc          REFI-QDA Codebook XML (ATLAS.ti, MAXQDA, NVivo, QDA Miner)
============  ==========================================================

Examples
--------
>>> import tempfile, pathlib
>>> from mcqual.codebook.model import Code, Codebook
>>> p = pathlib.Path(tempfile.mkdtemp()) / "demo.yml"
>>> _ = save_codebook(Codebook([Code("trust", "Trust")], name="demo"), p)
>>> load_codebook(p).ids
['trust']
"""
from __future__ import annotations

from pathlib import Path

from ..errors import CodebookError
from .model import Codebook

FORMATS = {".yaml": "yaml", ".yml": "yaml", ".xlsx": "excel", ".qdc": "qdc"}


def _format(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise CodebookError("E212", f"cannot tell the codebook format of {path.name!r} from its extension",
                            path=path)
    return fmt


def load_codebook(path: str | Path) -> Codebook:
    """Read a codebook from a ``.yaml``/``.yml``, ``.xlsx`` or REFI-QDA ``.qdc`` file.

    The file is validated completely: every problem (unknown key, duplicate id,
    missing parent, bad color or pattern, wrong type) is reported at once with
    its line (YAML) or row (Excel).

    Parameters
    ----------
    path : str or Path
        The codebook file.

    Returns
    -------
    Codebook

    Raises
    ------
    CodebookError
        E200 (no such file), E212 (unknown extension), or a list of problems in ``.problems``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "cb.yaml"
    >>> _ = p.write_text("codes:\\n  - id: trust\\n    codable: false\\n    children:\\n"
    ...                  "      - id: trust.quality_assurance\\n        keywords: [accreditation]\\n")
    >>> cb = load_codebook(p)
    >>> cb.path("trust.quality_assurance"), cb["trust.quality_assurance"].keywords
    ('trust/quality_assurance', ('accreditation',))
    """
    if isinstance(path, Codebook):
        return path
    path = Path(path)
    fmt = _format(path)
    if not path.exists():
        raise CodebookError("E200", f"no such file: {path}", path=path)
    if path.is_dir():
        raise CodebookError("E200", f"{path} is a folder; give the codebook file inside it", path=path)
    if fmt == "yaml":
        from .yaml_io import read_codebook_yaml

        return read_codebook_yaml(path)
    if fmt == "excel":
        from .excel import read_codebook_excel

        return read_codebook_excel(path)
    from .qdc import read_qdc

    return read_qdc(path)


def save_codebook(codebook: Codebook, path: str | Path) -> Path:
    """Write ``codebook`` to ``path`` in the format of its extension (atomically).

    YAML keeps everything, including ``history``; Excel keeps everything in three
    sheets (``codes``, ``codebook``, ``history``); ``.qdc`` keeps what REFI-QDA can
    hold (names, hierarchy, colors, descriptions).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from mcqual.codebook.model import Code, Codebook
    >>> p = save_codebook(Codebook([Code("a")]), pathlib.Path(tempfile.mkdtemp()) / "cb.yaml")
    >>> p.suffix
    '.yaml'
    """
    path = Path(path)
    fmt = _format(path)
    if fmt == "yaml":
        from .yaml_io import write_codebook_yaml

        return write_codebook_yaml(codebook, path)
    if fmt == "excel":
        from .excel import write_codebook_excel

        return write_codebook_excel(codebook, path)
    from .qdc import write_qdc

    write_qdc(codebook, path)
    return path
