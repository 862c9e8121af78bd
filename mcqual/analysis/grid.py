"""The question × respondent grid (structural coding) and themes × guide questions.

:func:`question_grid` turns structural codings (from :func:`mcqual.align_guide`, or the
accepted ``guide.<question>`` codings of a project) into the table researchers otherwise
build by hand: one row per guide question, one column per case, each cell what the
respondent said in answer (their turns inside the question's span), with the offsets kept
in the long form so every cell links back to the transcript. :func:`guide_crosstab` counts
which thematic codes come up under which question or topic.

Examples
--------
>>> import pandas as pd, mcqual as mq
>>> t = mq.Transcript.from_turns("a", [("I", "Why?", None, "interviewer"),
...                                    ("R", "Because it is checked.", None, "respondent")])
>>> sc = pd.DataFrame({"transcript_id": ["a"], "start": [0], "end": [len(t.text)], "code": ["guide.t.why"]})
>>> question_grid(sc, [t]).loc["t.why", "a"]
'Because it is checked.'
"""
from __future__ import annotations

from typing import Any, Sequence

import pandas as pd

from ..errors import AnalysisError
from ._inputs import code_rows, codings_frame, roll_up

PREFIX = "guide."


def _structural(codings: Any, guide: Any = None) -> pd.DataFrame:
    """Question codings only: ``guide.<question id>`` (topic codes ``guide.<topic id>`` dropped)."""
    if hasattr(codings, "to_codings") and hasattr(codings, "unasked"):  # an Alignment
        codings = codings.to_codings(topics=False)
    df = codings_frame(codings)
    if "question" in df.columns:
        q = df["question"].fillna("").astype(str)
    else:
        q = pd.Series([""] * len(df), index=df.index, dtype=object)
    from_code = df["code"].where(df["code"].str.startswith(PREFIX), "").str.slice(len(PREFIX))
    df = df.assign(question=q.where(q != "", from_code))
    df = df[df["question"] != ""]
    if guide is not None:
        df = df[df["question"].isin({x.id for x in guide})]
    else:  # a topic code is the dotted prefix of its questions' codes
        ids = set(df["question"])
        topics = {i for i in ids if any(j.startswith(i + ".") for j in ids)}
        df = df[~df["question"].isin(topics)]
    return df.reset_index(drop=True)


def question_spans(corpus: Any, coder: str = "survey") -> pd.DataFrame:
    """Structural codings of survey answers: each answer's span coded with its question.

    Survey corpora (:func:`mcqual.read_survey`) know which question each answer replies to
    (``metadata["question_ids"]``), so they need no alignment: this gives the same structural
    codings :meth:`Alignment.to_codings` gives for interviews, for :func:`question_grid`
    (questions × respondents) and :func:`guide_crosstab` (codes × questions).

    Examples
    --------
    >>> import mcqual as mq
    >>> t = mq.Transcript.from_turns("s:R1", [("R1", "Yes.")], metadata={"question_ids": ["q1"]})
    >>> question_spans([t])[["transcript_id", "start", "end", "code"]].to_dict("records")
    [{'transcript_id': 's:R1', 'start': 0, 'end': 4, 'code': 'guide.q1'}]
    """
    rows = []
    for t in corpus:
        qids = list((t.metadata or {}).get("question_ids") or [])
        for turn, q in zip(t.turns, qids):
            if q:
                rows.append({"transcript_id": t.id, "start": turn.start, "end": turn.end, "code": PREFIX + str(q),
                             "coder": coder, "question": str(q), "topic": ""})
    return pd.DataFrame(rows, columns=["transcript_id", "start", "end", "code", "coder", "question", "topic"])


def _corpus_map(corpus: Any) -> dict[str, Any]:
    if corpus is None:
        raise AnalysisError("E500", "question_grid needs the corpus (the transcripts) to show the answers")
    return {t.id: t for t in corpus}


def _answer(t: Any, start: int, end: int, roles: Sequence[str]) -> list[tuple[int, int, str]]:
    """The respondent's pieces of ``[start, end)``: overlapping turns whose role is not interviewer."""
    out = []
    for tt in t.turns:
        if tt.end <= start or tt.start >= end:
            continue
        role = getattr(tt, "role", None)
        if role is not None and role not in roles:
            continue
        a, b = max(tt.start, start), min(tt.end, end)
        if role is None and tt.start == start:  # unlabelled: the question turn itself is not the answer
            continue
        out.append((a, b, t.text[a:b]))
    return out


def _first_words(text: str, n: int | None) -> str:
    if not n:
        return text
    words = text.split()
    return text if len(words) <= n else " ".join(words[:n]) + " …"


def question_grid(codings: Any, corpus: Any, *, guide: Any = None, words: int | None = None,
                  by: str | Sequence[str] | None = None, attributes: pd.DataFrame | None = None,
                  roles: Sequence[str] = ("respondent",), long: bool = False, empty: str = "") -> pd.DataFrame:
    """Questions × cases: what each respondent said in answer to each guide question.

    Parameters
    ----------
    codings : Alignment, DataFrame or Project
        Structural codings: codes ``"guide.<question id>"`` (or a ``question`` column), as
        :meth:`Alignment.to_codings` writes them and a project keeps them once accepted.
        Other codes are ignored.
    corpus : Corpus or iterable of Transcript
    guide : Guide, optional
        Orders the rows as in the guide, keeps unasked questions as empty rows, and adds
        the question text to the long form.
    words : int, optional
        Keep the first ``words`` words of each answer (``" …"`` marks a cut).
    by : str or list of str, optional
        Case attribute(s) to group the columns by (a column MultiIndex: attribute value, case).
    attributes : DataFrame, optional
        Case attributes indexed by transcript id (default: ``corpus.attributes``).
    roles : sequence of str
        Turn roles that count as the answer (turns with no role are kept, except the question itself).
    long : bool
        One row per (case, question) with ``transcript_id, question, start, end, answer_starts,
        answer_ends, text, words`` (+ ``question_text``, ``by`` attributes): the offsets link each
        cell back to the transcript.
    empty : str
        Cell value of a question not asked in a case.

    Returns
    -------
    DataFrame

    Examples
    --------
    >>> import pandas as pd, mcqual as mq
    >>> t = mq.Transcript.from_turns("a", [("I", "Why?", None, "interviewer"),
    ...     ("R", "Because it is checked by a university.", None, "respondent")])
    >>> sc = pd.DataFrame({"transcript_id": ["a"], "start": [0], "end": [len(t.text)], "code": ["guide.t.why"]})
    >>> question_grid(sc, [t], words=3).loc["t.why", "a"]
    'Because it is …'
    >>> question_grid(sc, [t], long=True)[["question", "start", "words"]].to_dict("records")
    [{'question': 't.why', 'start': 0, 'words': 7}]
    """
    df = _structural(codings, guide)
    cmap = _corpus_map(corpus)
    if attributes is None:
        attributes = getattr(corpus, "attributes", None)
    unknown = sorted(set(df["transcript_id"]) - set(cmap))
    if unknown:
        raise AnalysisError("E500", f"structural codings refer to transcripts not in the corpus: {', '.join(unknown[:5])}")
    rows = []
    for r in df.sort_values(["transcript_id", "start"]).itertuples(index=False):
        pieces = _answer(cmap[r.transcript_id], int(r.start), int(r.end), roles)
        text = " ".join(p[2] for p in pieces)
        rows.append({"transcript_id": r.transcript_id, "question": r.question, "start": int(r.start),
                     "end": int(r.end), "answer_starts": [p[0] for p in pieces],
                     "answer_ends": [p[1] for p in pieces], "text": text, "words": len(text.split())})
    cols = ["transcript_id", "question", "start", "end", "answer_starts", "answer_ends", "text", "words"]
    lf = pd.DataFrame(rows, columns=cols)
    if len(lf):  # a question answered in two places: one cell, the parts joined
        lf = (lf.groupby(["transcript_id", "question"], sort=False)
              .agg(start=("start", "min"), end=("end", "max"), answer_starts=("answer_starts", "sum"),
                   answer_ends=("answer_ends", "sum"), text=("text", lambda s: " […] ".join(x for x in s if x)),
                   words=("words", "sum")).reset_index())
    order = [q.id for q in guide] if guide is not None else list(dict.fromkeys(lf["question"]))
    order += [q for q in dict.fromkeys(lf["question"]) if q not in order]
    cases = [tid for tid in cmap]
    groups: list[str] = [by] if isinstance(by, str) else list(by or [])
    if groups:
        if attributes is None:
            raise AnalysisError("E500", f"by={by!r} needs case attributes (corpus.attributes or attributes=)")
        missing = [g for g in groups if g not in attributes.columns]
        if missing:
            raise AnalysisError("E500", f"unknown case attribute(s) {', '.join(missing)} "
                                        f"(have: {', '.join(map(str, attributes.columns))})")
    if long:
        if guide is not None:
            texts = {q.id: q.text for q in guide}
            lf["question_text"] = [texts.get(q, "") for q in lf["question"]]
        for g in groups:
            lf[g] = [attributes[g].get(t, None) if t in attributes.index else None for t in lf["transcript_id"]]
        pos = {q: i for i, q in enumerate(order)}
        return lf.sort_values(["transcript_id", "question"], key=lambda s: s.map(pos) if s.name == "question"
                              else s.map({c: i for i, c in enumerate(cases)})).reset_index(drop=True)
    grid = pd.DataFrame(empty, index=pd.Index(order, name="question"), columns=pd.Index(cases, name="case"),
                        dtype=object)
    for r in lf.itertuples(index=False):
        grid.loc[r.question, r.transcript_id] = _first_words(r.text, words)
    if groups:
        keys = [tuple(str(attributes[g].get(c, "")) if c in attributes.index else "" for g in groups)
                for c in cases]
        tuples = [k + (c,) for k, c in zip(keys, cases)]
        order_cols = sorted(range(len(cases)), key=lambda i: tuples[i][:-1])
        grid = grid.iloc[:, order_cols]
        grid.columns = pd.MultiIndex.from_tuples([tuples[i] for i in order_cols], names=[*groups, "case"])
    return grid


def guide_crosstab(codings: Any, structural: Any, *, codebook: Any = None, level: int | None = None,
                   cols: str = "question", value: str = "count", guide: Any = None) -> pd.DataFrame:
    """Thematic codes × guide questions (or topics): which themes come up under which question.

    A thematic coding counts under a question when its midpoint lies inside the question's
    structural span in the same transcript.

    Parameters
    ----------
    codings : DataFrame, Project or list
        Thematic codings (structural ``guide.*`` codes in it are ignored).
    structural : Alignment or DataFrame
        Structural codings (see :func:`question_grid`).
    codebook : Codebook, optional
        With ``level``, roll codes up to that depth (1 = themes).
    cols : {"question", "topic"}
    value : {"count", "cases"}
        Codings, or cases in which the code occurs under the question.
    guide : Guide, optional
        Orders the columns as in the guide and maps questions to topics.

    Examples
    --------
    >>> import pandas as pd
    >>> sc = pd.DataFrame({"transcript_id": ["a", "a"], "start": [0, 50], "end": [50, 99],
    ...                    "code": ["guide.t.why", "guide.t.who"]})
    >>> th = pd.DataFrame({"transcript_id": ["a", "a"], "start": [5, 60], "end": [20, 70],
    ...                    "code": ["trust", "trust"]})
    >>> guide_crosstab(th, sc).to_dict()
    {'t.why': {'trust': 1}, 't.who': {'trust': 1}}
    """
    if cols not in ("question", "topic"):
        raise AnalysisError("E500", f"cols must be 'question' or 'topic', not {cols!r}")
    if value not in ("count", "cases"):
        raise AnalysisError("E500", f"value must be 'count' or 'cases', not {value!r}")
    st = _structural(structural, guide)
    if cols == "topic":
        if "topic" in st.columns and (st["topic"].astype(str) != "").all():
            st = st.assign(col=st["topic"].astype(str))
        elif guide is not None:
            topic = {q.id: q.topic for q in guide}
            st = st.assign(col=st["question"].map(lambda q: topic.get(q, q.split(".")[0])))
        else:
            st = st.assign(col=st["question"].str.split(".").str[0])
    else:
        st = st.assign(col=st["question"])
    th = codings_frame(codings)
    th = th[~th["code"].str.startswith(PREFIX) & (th["code"] != "guide")]
    th = th.assign(code=roll_up(th["code"], codebook, level))
    mid = (th["start"] + th["end"]) // 2
    th = th.assign(mid=mid)
    rows = []
    for tid, grp in th.groupby("transcript_id", sort=False):
        spans = st[st["transcript_id"] == tid]
        for s in spans.itertuples(index=False):
            hit = grp[(grp["mid"] >= s.start) & (grp["mid"] < s.end)]
            rows += [{"code": c, "col": s.col, "transcript_id": tid} for c in hit["code"]]
    hits = pd.DataFrame(rows, columns=["code", "col", "transcript_id"])
    if value == "cases":
        hits = hits.drop_duplicates()
    table = pd.crosstab(hits["code"], hits["col"]) if len(hits) else pd.DataFrame(dtype="int64")
    if guide is not None:
        order = ([q.id for q in guide] if cols == "question"
                 else list(dict.fromkeys(q.topic for q in guide)))
        table = table.reindex(columns=order, fill_value=0)
    else:
        table = table.reindex(columns=list(dict.fromkeys(st.sort_values(["transcript_id", "start"])["col"])),
                              fill_value=0)
    if codebook is not None:
        rows = [c for c in code_rows(set(th["code"]), codebook, level) if not c.startswith(PREFIX) and c != "guide"]
        table = table.reindex(index=rows, fill_value=0)
    table.index.name, table.columns.name = "code", cols
    return table.astype("int64")
