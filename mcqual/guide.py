"""The interview guide: topics and questions with stable ids, asked of respondent groups.

A guide is read from YAML (see docs/guide/codebook.md, "Interview guide format")::

    name: My study — interview guide
    version: "1.0"
    language: en
    groups: [learner, employer]          # respondent groups (optional)
    topics:
      - id: trust
        label: Conditions for trust
        questions:
          - id: trust.conditions
            text: What makes you trust a micro-credential?
            probes: [Does it matter who issued it?]
            groups: [learner]            # omit: asked of everyone
            codes: [trust.issuer_reputation]   # optional: codes the answers usually get

Every problem in the file is reported at once (E220, with its line); unsafe YAML is E211.

Examples
--------
>>> g = guide_from_yaml('''
... groups: [learner, employer]
... topics:
...   - id: trust
...     label: Trust
...     questions:
...       - {id: trust.q1, text: "What makes you trust it?"}
...       - {id: trust.q2, text: "Would you hire on it?", groups: [employer]}
... ''')
>>> [q.id for q in g.questions("learner")], len(g.questions())
(['trust.q1'], 2)
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping

from .errors import CodebookError, Problem

GUIDE_KEYS = ("name", "version", "language", "description", "groups", "topics")
TOPIC_KEYS = ("id", "label", "description", "questions")
QUESTION_KEYS = ("id", "text", "label", "probes", "groups", "codes", "memo")


@dataclass(frozen=True)
class Question:
    """One question of the guide.

    Parameters
    ----------
    id : str
        Stable id (``"trust.conditions"``); never reuse one.
    text : str
        The question as the interviewer asks it.
    topic : str
        Id of its topic.
    probes : tuple of str
        Follow-up prompts.
    groups : tuple of str
        Respondent groups it is asked of; empty: everyone.
    codes : tuple of str
        Codebook ids its answers usually get (a hint for alignment and matrices).
    label : str
        Short label for tables; defaults to the id.
    index : int
        0-based position in the guide.
    memo : str
        Free notes.
    """

    id: str
    text: str
    topic: str = ""
    probes: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    label: str = ""
    index: int = 0
    memo: str = ""

    def asked_of(self, group: str | None) -> bool:
        """True if the question is asked of ``group`` (or of everyone when ``group`` is None)."""
        return group is None or not self.groups or group in self.groups

    def __repr__(self) -> str:
        return f"Question({self.id!r}, {self.text[:40]!r})"


@dataclass(frozen=True)
class Topic:
    """A topic: a labelled, ordered group of questions."""

    id: str
    label: str = ""
    questions: tuple[Question, ...] = ()
    description: str = ""

    def __repr__(self) -> str:
        return f"Topic({self.id!r}, {len(self.questions)} questions)"


@dataclass(frozen=True)
class Guide:
    """An interview guide: ordered topics of questions, and the respondent groups.

    Examples
    --------
    >>> g = Guide([Topic("t", "Trust", (Question("t.q", "Why?", topic="t"),))])
    >>> g["t.q"].text, len(g)
    ('Why?', 1)
    """

    topics: tuple[Topic, ...] = ()
    name: str = "guide"
    version: str = "1"
    language: str = "en"
    groups: tuple[str, ...] = ()
    description: str = ""
    source: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "topics", tuple(self.topics))
        object.__setattr__(self, "groups", tuple(self.groups))

    def questions(self, group: str | None = None) -> list[Question]:
        """The questions in guide order; with ``group``, only those asked of that group.

        Raises E220 if ``group`` is not one of the guide's ``groups`` (when it lists any).
        """
        if group is not None and self.groups and group not in self.groups:
            raise CodebookError("E220", f"unknown respondent group {group!r}", path=self.source,
                                hint=f"Use one of: {', '.join(self.groups)}.")
        return [q for t in self.topics for q in t.questions if q.asked_of(group)]

    def topic(self, topic_id: str) -> Topic:
        """The topic with id ``topic_id``."""
        for t in self.topics:
            if t.id == topic_id:
                return t
        raise CodebookError("E220", f"no topic {topic_id!r} in the guide", path=self.source,
                            hint=f"Topics: {', '.join(t.id for t in self.topics)}.")

    def __getitem__(self, question_id: str) -> Question:
        for q in self.questions():
            if q.id == question_id:
                return q
        raise CodebookError("E220", f"no question {question_id!r} in the guide", path=self.source,
                            hint="List ids with guide.to_frame().")

    def __iter__(self) -> Iterator[Question]:
        return iter(self.questions())

    def __len__(self) -> int:
        return sum(len(t.questions) for t in self.topics)

    def to_frame(self):
        """One row per question: index, topic, topic_label, id, text, groups, probes, codes."""
        import pandas as pd

        rows = [{"index": q.index, "topic": t.id, "topic_label": t.label, "id": q.id, "label": q.label,
                 "text": q.text, "groups": ", ".join(q.groups), "probes": " | ".join(q.probes),
                 "codes": ", ".join(q.codes)} for t in self.topics for q in t.questions]
        return pd.DataFrame(rows, columns=["index", "topic", "topic_label", "id", "label", "text", "groups",
                                           "probes", "codes"])

    def __repr__(self) -> str:
        return f"Guide({self.name!r} v{self.version}, {len(self.topics)} topics, {len(self)} questions)"

    def _repr_html_(self) -> str:
        from html import escape

        from ._html import badge, color_for

        out = [f"<div style='font-family:sans-serif;font-size:90%'><b>{escape(self.name)}</b> "
               f"v{escape(str(self.version))} — {len(self.topics)} topics, {len(self)} questions"]
        if self.groups:
            out.append(" — groups: " + " ".join(badge(g, color_for(g)) for g in self.groups))
        out.append("<ol style='margin:0'>")
        for t in self.topics:
            out.append(f"<li><b>{escape(t.label or t.id)}</b> <code>{escape(t.id)}</code><ul style='margin:0'>")
            for q in t.questions:
                who = " ".join(badge(g, color_for(g)) for g in q.groups)
                probes = "".join(f"<li style='color:#666'>{escape(p)}</li>" for p in q.probes)
                out.append(f"<li><code>{escape(q.id)}</code> {escape(q.text)} {who}"
                           + (f"<ul style='margin:0'>{probes}</ul>" if probes else "") + "</li>")
            out.append("</ul></li>")
        out.append("</ol></div>")
        return "".join(out)


# -- reading -------------------------------------------------------------------

def _guide_from_data(data: Any, lines: Mapping[tuple, int], path: str | None) -> Guide:
    from .codebook.validate import closest

    problems: list[Problem] = []

    def line(loc: tuple) -> int | None:
        while loc not in lines and loc:
            loc = loc[:-1]
        return lines.get(loc)

    def add(msg: str, loc: tuple, field: str | None = None, hint: str | None = None) -> None:
        problems.append(Problem("E220", msg, path, line(loc), field, hint))

    def keys(m: Mapping, valid: tuple[str, ...], loc: tuple, what: str) -> None:
        for k in m:
            if k not in valid:
                near = closest(k, valid)
                add(f"unknown key {k!r} in {what}", loc + (k,), str(k),
                    (f"Did you mean {near!r}? " if near else "") + f"Valid keys: {', '.join(valid)}.")

    def text(value: Any, loc: tuple, field: str, who: str, required: bool = False) -> str:
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                add(f"{who} has no {field}", loc, field)
            return ""
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            add(f"{field} of {who} must be text", loc + (field,), field)
            return ""
        return str(value).strip()

    def texts(value: Any, loc: tuple, field: str, who: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) and not isinstance(v, bool)
                                                  for v in value):
            add(f"{field} of {who} must be a list of text", loc + (field,), field,
                "Write e.g. [learner, employer] or one '- item' per line.")
            return ()
        return tuple(str(v).strip() for v in value if str(v).strip())

    if data is None:
        add("the guide file is empty", (), "topics", "Write 'topics:' followed by a list of topics.")
        raise CodebookError(problems=problems)
    if not isinstance(data, dict):
        add("a guide must be a mapping with a 'topics:' key", ())
        raise CodebookError(problems=problems)
    keys(data, GUIDE_KEYS, (), "the guide")
    meta = {k: text(data.get(k), (), k, "the guide") for k in ("name", "language", "description")}
    version = text(data.get("version"), (), "version", "the guide") or "1"
    groups = texts(data.get("groups"), (), "groups", "the guide")
    topics_raw = data.get("topics")
    topics: list[Topic] = []
    seen: dict[str, tuple] = {}
    index = 0
    if not isinstance(topics_raw, list) or not topics_raw:
        add("the guide needs a non-empty 'topics:' list", ("topics",), "topics")
        topics_raw = []
    for i, traw in enumerate(topics_raw):
        tloc = ("topics", i)
        if not isinstance(traw, dict):
            add(f"topic {i + 1} must be a mapping with id, label and questions", tloc)
            continue
        keys(traw, TOPIC_KEYS, tloc, "a topic")
        tid = text(traw.get("id"), tloc, "id", f"topic {i + 1}", required=True)
        who = f"topic {tid!r}" if tid else f"topic {i + 1}"
        if tid:
            if ("topic", tid) in seen:
                add(f"duplicate topic id {tid!r} (first on line {line(seen[('topic', tid)])})", tloc + ("id",), "id")
            seen[("topic", tid)] = tloc + ("id",)
        qraw_list = traw.get("questions")
        if not isinstance(qraw_list, list) or not qraw_list:
            add(f"{who} needs a non-empty 'questions:' list", tloc + ("questions",), "questions")
            qraw_list = []
        questions = []
        for j, qraw in enumerate(qraw_list):
            qloc = tloc + ("questions", j)
            if not isinstance(qraw, dict):
                add(f"question {j + 1} of {who} must be a mapping with id and text", qloc)
                continue
            keys(qraw, QUESTION_KEYS, qloc, "a question")
            qid = text(qraw.get("id"), qloc, "id", f"question {j + 1} of {who}", required=True)
            qwho = f"question {qid!r}" if qid else f"question {j + 1} of {who}"
            qtext = text(qraw.get("text"), qloc, "text", qwho, required=True)
            qgroups = texts(qraw.get("groups"), qloc, "groups", qwho)
            for g in qgroups:
                if groups and g not in groups:
                    near = closest(g, groups)
                    add(f"{qwho} is asked of group {g!r}, which the guide's groups do not list", qloc + ("groups",),
                        "groups", (f"Did you mean {near!r}? " if near else "") + f"Groups: {', '.join(groups)}.")
            if qid:
                if ("q", qid) in seen:
                    add(f"duplicate question id {qid!r} (first on line {line(seen[('q', qid)])})", qloc + ("id",),
                        "id", "Question ids are stable, like code ids: give this one a new id.")
                seen[("q", qid)] = qloc + ("id",)
            questions.append(Question(qid, qtext, topic=tid, probes=texts(qraw.get("probes"), qloc, "probes", qwho),
                                      groups=qgroups, codes=texts(qraw.get("codes"), qloc, "codes", qwho),
                                      label=text(qraw.get("label"), qloc, "label", qwho) or qid, index=index,
                                      memo=text(qraw.get("memo"), qloc, "memo", qwho)))
            index += 1
        topics.append(Topic(tid, text(traw.get("label"), tloc, "label", who) or tid, tuple(questions),
                            text(traw.get("description"), tloc, "description", who)))
    if problems:
        raise CodebookError(problems=problems)
    return Guide(tuple(topics), name=meta["name"] or "guide", version=version, language=meta["language"] or "en",
                 groups=groups, description=meta["description"], source=path)


def guide_from_yaml(text: str, path: str | None = None) -> Guide:
    """A :class:`Guide` from YAML text (see the module docstring for the format)."""
    from .codebook.yaml_io import parse_yaml

    where = path or "<guide>"
    data, lines = parse_yaml(text, where, syntax_code="E220")
    return _guide_from_data(data, lines, where)


def load_guide(path: str | Path) -> Guide:
    """Read an interview guide YAML file, reporting every problem at once (E220, with lines).

    Parameters
    ----------
    path : str or Path
        The guide (``.yaml``/``.yml``).

    Returns
    -------
    Guide

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "guide.yaml"
    >>> _ = p.write_text("groups: [learner, employer]\\ntopics:\\n  - id: trust\\n    questions:\\n"
    ...                  "      - id: trust.hire\\n        text: Would you hire on it?\\n        groups: [employer]\\n")
    >>> g = load_guide(p)
    >>> [q.id for q in g.questions("employer")], g.questions("learner")
    (['trust.hire'], [])
    """
    from .codebook.yaml_io import read_yaml_file

    data, lines = read_yaml_file(path, syntax_code="E220", missing_code="E220")
    return _guide_from_data(data, lines, str(path))
