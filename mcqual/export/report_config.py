"""``report.yaml``: the report's title, author, paper, template and quote settings, kept beside the codebook.

A study states once how its Word report looks; ``mcqual run`` and
``to_docx(**load_report_config(...))`` read it. Every key is optional::

    title: "Micro-credentials in labour-market training"
    subtitle: "Interview findings, first wave"
    author: "Cedefop study team"
    paper: a4                 # a4 | letter
    template: house.docx      # relative to this file
    quotes_per_theme: 3
    max_quote_words: 60
    attribution: [respondent_group, country]

Command-line flags (``--title`` ...) win over the file.

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "report.yaml").write_text("title: My study\\npaper: letter\\n", encoding="utf-8")
>>> load_report_config(d / "codebook.yaml")
{'title': 'My study', 'paper': 'letter'}
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import ExchangeError

__all__ = ["load_report_config", "REPORT_KEYS", "PAPERS"]

#: report.yaml key -> the type it must have
REPORT_KEYS: dict[str, type | tuple[type, ...]] = {
    "title": str, "subtitle": str, "author": str, "paper": str, "template": str,
    "quotes_per_theme": int, "max_quote_words": int, "attribution": (list, str), "date": str,
}
#: paper sizes (width, height) in cm
PAPERS = {"a4": (21.0, 29.7), "letter": (21.59, 27.94)}


def load_report_config(path: str | Path | None) -> dict[str, Any]:
    """The settings of ``report.yaml``: ``path`` itself, or the ``report.yaml`` beside it (a codebook file).

    Returns ``{}`` when there is no such file. A relative ``template`` is
    resolved against the folder of ``report.yaml``. Unknown keys, wrong types,
    an unknown ``paper`` or a missing template raise E621.
    """
    if path is None:
        return {}
    p = Path(path)
    if p.is_dir():
        p = p / "report.yaml"
    elif p.name not in ("report.yaml", "report.yml"):
        p = p.with_name("report.yaml")
        if not p.exists() and p.with_suffix(".yml").exists():
            p = p.with_suffix(".yml")
    if not p.is_file():
        return {}
    import yaml

    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ExchangeError("E621", f"{p}: not readable YAML ({exc})", path=p,
                            hint="Write key: value lines, e.g. title: \"My study\".") from None
    if not isinstance(data, dict):
        raise ExchangeError("E621", f"{p}: expected key: value pairs, got {type(data).__name__}", path=p)
    unknown = sorted(set(map(str, data)) - set(REPORT_KEYS))
    if unknown:
        raise ExchangeError("E621", f"{p}: unknown key(s) {', '.join(unknown)}", path=p,
                            hint=f"Use {', '.join(REPORT_KEYS)}.")
    out: dict[str, Any] = {}
    for key, value in data.items():
        if value is None:
            continue
        want = REPORT_KEYS[key]
        if key == "date" and not isinstance(value, str):
            value = str(value)
        if not isinstance(value, want) or isinstance(value, bool):
            raise ExchangeError("E621", f"{p}: {key} must be {getattr(want, '__name__', 'a list')}, "
                                        f"not {value!r}", path=p)
        out[key] = value
    if "paper" in out:
        out["paper"] = out["paper"].strip().lower()
        if out["paper"] not in PAPERS:
            raise ExchangeError("E621", f"{p}: paper {out['paper']!r} is not one of {', '.join(PAPERS)}", path=p)
    if isinstance(out.get("attribution"), str):
        out["attribution"] = [s.strip() for s in out["attribution"].split(",") if s.strip()]
    if "template" in out:
        t = Path(out["template"]).expanduser()
        t = t if t.is_absolute() else p.parent / t
        if not t.is_file():
            raise ExchangeError("E621", f"{p}: template {t} not found", path=p,
                                hint="Give a .docx file (relative paths start at the folder of report.yaml).")
        out["template"] = str(t)
    return out
