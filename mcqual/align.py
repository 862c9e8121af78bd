"""Align interviews to their interview guide: which interviewer turn asks which guide question.

Interviewers follow a guide loosely: they skip questions, change the order, ask follow-ups
and come back to a question later. :func:`align_guide` scores every candidate turn (the
interviewer's turns) against every guide question asked of the respondent's group by
embedding similarity (sentence by sentence, so a question hidden after small talk in the
same turn is found), then chooses one monotone path through the guide by dynamic
programming: a turn either asks a question or is a follow-up; moving forward in the guide
is free apart from a small cost per skipped question, moving back (reordering, a repeated
question) pays ``jump_penalty``. The result is structural coding: the span from an aligned
question to the next aligned question is coded with the question and its topic.

Examples
--------
>>> import mcqual as mq
>>> from mcqual.guide import Guide, Topic, Question
>>> from mcqual.text.embedders import HashingEmbedder
>>> g = Guide([Topic("t", "Trust", (Question("t.why", "Why do you trust badges?", topic="t"),
...                                 Question("t.who", "Who issued your certificate?", topic="t")))])
>>> tr = mq.Transcript.from_turns("a", [("I", "Who issued your certificate?", None, "interviewer"),
...     ("R", "A university.", None, "respondent"), ("I", "And why do you trust badges?", None, "interviewer"),
...     ("R", "They are checked.", None, "respondent")])
>>> al = align_guide([tr], g, embedder=HashingEmbedder())
>>> [(x.question, x.turn) for x in al]
[('t.who', 0), ('t.why', 2)]
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Iterator, Mapping

import numpy as np

from .errors import GuideError

PREFIX = "guide."
_SENT = re.compile(r"(?<=[.?!…])\s+")


@dataclass(frozen=True)
class AlignedQuestion:
    """One guide question found in a transcript.

    ``turn`` is the index of the turn that asks it; ``[q_start, q_end)`` that turn's span;
    ``[start, end)`` the structural span (from the question to the next aligned question).
    ``similarity`` is the best cosine similarity between a sentence of the turn and the
    question; ``confidence`` the share of the turn's similarity mass that goes to this
    question (a softmax over all the guide's questions, in [0, 1]); ``corrected`` marks a
    researcher's correction.
    """

    transcript_id: str
    question: str
    topic: str
    turn: int
    q_start: int
    q_end: int
    start: int
    end: int
    similarity: float
    confidence: float
    corrected: bool = False

    @property
    def code(self) -> str:
        """The structural code id, ``"guide.<question id>"``."""
        return PREFIX + self.question


@dataclass(frozen=True)
class Alignment:
    """The alignment of a corpus to a guide (see :func:`align_guide`).

    Attributes
    ----------
    items : tuple of AlignedQuestion
        In transcript order.
    unasked : dict
        ``transcript_id -> [question ids]`` of the group's questions that were never found.
    notes : dict
        ``transcript_id -> text``: why a transcript was not aligned, or how it was.
    guide : Guide
    """

    items: tuple[AlignedQuestion, ...]
    unasked: Mapping[str, tuple[str, ...]]
    notes: Mapping[str, str]
    guide: Any = field(repr=False, default=None)
    texts: Mapping[str, str] = field(repr=False, default_factory=dict)
    turns: Mapping[str, tuple[tuple[int, int], ...]] = field(repr=False, default_factory=dict)

    def __iter__(self) -> Iterator[AlignedQuestion]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def transcript(self, transcript_id: str) -> list[AlignedQuestion]:
        """The aligned questions of one transcript, in order."""
        return [x for x in self.items if x.transcript_id == transcript_id]

    def to_frame(self):
        """One row per aligned question: transcript_id, question, topic, turn, q_start, q_end, start, end,
        similarity, confidence, corrected, question_text."""
        import pandas as pd

        cols = ["transcript_id", "question", "topic", "turn", "q_start", "q_end", "start", "end", "similarity",
                "confidence", "corrected"]
        df = pd.DataFrame([{c: getattr(x, c) for c in cols} for x in self.items], columns=cols)
        texts = {q.id: q.text for q in self.guide} if self.guide is not None else {}
        df["question_text"] = [texts.get(q, "") for q in df["question"]]
        return df

    def to_codings(self, coder: str = "align_guide", topics: bool = True):
        """Structural codings: ``transcript_id, start, end, code, coder, question, topic``.

        ``code`` is ``"guide.<question id>"``; with ``topics=True`` each span is also coded
        ``"guide.<topic id>"`` (adjacent spans of one topic merged), the codes of
        :func:`guide_codebook`.
        """
        import pandas as pd

        rows = [{"transcript_id": x.transcript_id, "start": x.start, "end": x.end, "code": x.code, "coder": coder,
                 "question": x.question, "topic": x.topic} for x in self.items]
        if topics:
            for tid in dict.fromkeys(x.transcript_id for x in self.items):
                spans = sorted((x.start, x.end, x.topic) for x in self.transcript(tid))
                merged: list[list] = []
                for s, e, t in spans:
                    if merged and merged[-1][2] == t and s <= merged[-1][1]:
                        merged[-1][1] = max(merged[-1][1], e)
                    else:
                        merged.append([s, e, t])
                rows += [{"transcript_id": tid, "start": s, "end": e, "code": PREFIX + t, "coder": coder,
                          "question": "", "topic": t} for s, e, t in merged]
        cols = ["transcript_id", "start", "end", "code", "coder", "question", "topic"]
        return pd.DataFrame(rows, columns=cols)

    def correct(self, transcript_id: str, turn: int, question: str | None) -> "Alignment":
        """A new alignment where ``turn`` of ``transcript_id`` asks ``question`` (None: asks none).

        Spans of the transcript are recomputed; the corrected item has ``corrected=True`` and
        confidence 1. In a :class:`~mcqual.Project`, record corrections as decisions instead
        (reject the suggestion, code the right span: see :func:`to_project`).

        Examples
        --------
        >>> import mcqual as mq
        >>> from mcqual.guide import Guide, Topic, Question
        >>> from mcqual.text.embedders import HashingEmbedder
        >>> g = Guide([Topic("t", "T", (Question("t.a", "Why?", topic="t"), Question("t.b", "Who?", topic="t")))])
        >>> tr = mq.Transcript.from_turns("x", [("I", "Who?", None, "interviewer"), ("R", "Me.", None, "respondent")])
        >>> al = align_guide([tr], g, embedder=HashingEmbedder())
        >>> al2 = al.correct("x", 0, "t.a")
        >>> [(x.question, x.corrected) for x in al2], al2.unasked["x"]
        ([('t.a', True)], ('t.b',))
        """
        if self.guide is None:
            raise GuideError("E701", "this alignment has no guide; align again with mq.align_guide")
        spans = self.turns.get(transcript_id)
        if spans is None:
            raise GuideError("E701", f"transcript {transcript_id!r} is not in this alignment",
                             hint=f"Aligned transcripts: {', '.join(list(self.turns)[:8])}.")
        if not 0 <= turn < len(spans):
            raise GuideError("E701", f"{transcript_id}: no turn {turn} (it has {len(spans)} turns)")
        if question is not None:
            self.guide[question]  # raises E220 for an unknown id
        keep = [x for x in self.transcript(transcript_id) if x.turn != turn]
        if question is not None:
            q = self.guide[question]
            s, e = spans[turn]
            old = next((x for x in self.transcript(transcript_id) if x.turn == turn), None)
            keep.append(AlignedQuestion(transcript_id, q.id, q.topic, turn, s, e, s, e,
                                        old.similarity if old else float("nan"), 1.0, True))
        fixed = _spans(sorted(keep, key=lambda x: x.turn), len(self.texts.get(transcript_id, "")),
                       self.texts.get(transcript_id, ""))
        items = tuple(x for x in self.items if x.transcript_id != transcript_id)
        order = {tid: i for i, tid in enumerate(self.turns)}
        items = tuple(sorted(items + tuple(fixed), key=lambda x: (order.get(x.transcript_id, 0), x.turn)))
        unasked = dict(self.unasked)
        asked = {x.question for x in fixed}
        group_qs = self._group_questions(transcript_id)
        unasked[transcript_id] = tuple(q for q in group_qs if q not in asked)
        return replace(self, items=items, unasked=unasked)

    def _group_questions(self, transcript_id: str) -> list[str]:
        asked = {x.question for x in self.transcript(transcript_id)}
        prior = list(self.unasked.get(transcript_id, ()))
        return [q.id for q in self.guide if q.id in asked or q.id in prior]

    def to_suggestions(self) -> list:
        """The aligned questions as :class:`~mcqual.Suggestion` objects on the question spans
        (source ``"align_guide"``, score = confidence), for review in a project."""
        from .model import Suggestion, make_segment_id

        texts = {q.id: q.text for q in self.guide} if self.guide is not None else {}
        return [Suggestion(make_segment_id(x.transcript_id, x.start, x.end), x.code, float(x.confidence),
                           "align_guide",
                           f"turn {x.turn} asks {texts.get(x.question, x.question)!r} "
                           f"(similarity {x.similarity:.2f}, confidence {x.confidence:.2f})")
                for x in self.items]

    def to_project(self, project: Any, *, note: str = "interview guide alignment") -> Any:
        """Store the alignment in ``project`` as pending suggestions of the guide's structural codes.

        The codes of :func:`guide_codebook` are added to the project's codebook when missing (a
        new codebook version). Reviewing them is the correction: ``project.accept(ids)`` keeps an
        alignment, ``project.reject(id)`` drops a wrong one, and ``project.code(transcript, start,
        end, "guide.<question id>")`` records the right one; all are decisions with coder and time,
        and :func:`question_grid` reads the accepted ones from ``project.codings()``.
        Returns the project's ``SuggestReport``.
        """
        from .codebook.model import Codebook
        from .model import Segment

        cb = project.codebook()
        extra = [c for c in guide_codebook(self.guide) if c.id not in cb]
        if extra:
            merged = Codebook(list(cb) + extra, name=cb.name, version=cb.version, language=cb.language,
                              description=cb.description, history=cb.history, source=cb.source)
            project.set_codebook(merged, note=note)
        sugg = self.to_suggestions()

        class _Fixed:
            def fit(self, segments, codebook, codings=None):
                return self

            def suggest(self, segments):
                return sugg

            def __repr__(self) -> str:
                return "align_guide"

        segs = [Segment(x.transcript_id, x.start, x.end, "", unit="guide") for x in self.items]
        return project.suggest(_Fixed(), unit="guide", segments=segs, fit=False)

    def accuracy(self, truth: Mapping[tuple[str, int], str]) -> float:
        """Share of ``truth`` (``(transcript_id, turn) -> question id``) this alignment gets right."""
        got = {(x.transcript_id, x.turn): x.question for x in self.items}
        if not truth:
            return float("nan")
        return sum(got.get(k) == v for k, v in truth.items()) / len(truth)

    def __repr__(self) -> str:
        n = len(self.turns)
        return (f"Alignment({len(self.items)} questions in {n} transcripts, "
                f"{sum(len(v) for v in self.unasked.values())} unasked, {len(self.notes)} notes)")

    def _repr_html_(self) -> str:
        from html import escape

        from ._html import badge, color_for

        texts = {q.id: q.text for q in self.guide} if self.guide is not None else {}
        out = [f"<div style='font-family:sans-serif;font-size:90%'><b>{escape(repr(self))}</b>"]
        for tid in self.turns:
            out.append(f"<details><summary><b>{escape(tid)}</b>: {len(self.transcript(tid))} aligned"
                       + (f", {len(self.unasked.get(tid, ()))} unasked" if self.unasked.get(tid) else "")
                       + (f" — <i>{escape(self.notes[tid])}</i>" if tid in self.notes else "")
                       + "</summary><table><tr><th>turn</th><th>question</th><th>asked as</th>"
                         "<th>sim</th><th>conf</th></tr>")
            text = self.texts.get(tid, "")
            for x in self.transcript(tid):
                asked = text[x.q_start:x.q_end]
                asked = asked if len(asked) < 160 else asked[:157] + "…"
                conf = x.confidence
                style = "" if conf >= 0.5 else " style='background:#fff3cd'"
                out.append(f"<tr{style}><td>{x.turn}</td><td>{badge(x.topic, color_for(x.topic))} "
                           f"<code>{escape(x.question)}</code> {escape(texts.get(x.question, ''))}"
                           f"{' ✎' if x.corrected else ''}</td><td>{escape(asked)}</td>"
                           f"<td>{x.similarity:.2f}</td><td>{conf:.2f}</td></tr>")
            out.append("</table>")
            if self.unasked.get(tid):
                out.append("<p>Not asked: " + ", ".join(f"<code>{escape(q)}</code>" for q in self.unasked[tid])
                           + "</p>")
            out.append("</details>")
        return "".join(out) + "</div>"


def guide_codebook(guide: Any) -> list:
    """The structural codes of a guide: ``guide`` (a grouping node), one code per topic
    (``guide.<topic id>``) and one per question (``guide.<question id>``, child of its topic).

    Examples
    --------
    >>> from mcqual.guide import Guide, Topic, Question
    >>> g = Guide([Topic("t", "Trust", (Question("t.a", "Why?", topic="t"),))])
    >>> [(c.id, c.parent) for c in guide_codebook(g)]
    [('guide', None), ('guide.t', 'guide'), ('guide.t.a', 'guide.t')]
    """
    from .codebook.model import Code

    codes = [Code("guide", "Interview guide", codable=False,
                  definition="Structural codes: which guide question each passage answers.")]
    for t in guide.topics:
        codes.append(Code(PREFIX + t.id, t.label or t.id, parent="guide", name=t.id,
                          definition=t.description or f"Answers to the questions of the topic {t.label or t.id!r}."))
        for q in t.questions:
            codes.append(Code(PREFIX + q.id, q.label if q.label and q.label != q.id else q.text, parent=PREFIX + t.id,
                              name=q.id.split(".")[-1], definition=q.text, include=tuple(q.probes)))
    return codes


# -- alignment -----------------------------------------------------------------------------

def _sentences(text: str) -> list[str]:
    parts = [p.strip() for p in _SENT.split(text) if p.strip()]
    return parts or [text.strip() or " "]


def _candidates(t: Any) -> tuple[list[int], str | None]:
    """Indices of the turns that may ask guide questions, and a note."""
    roles = [getattr(tt, "role", None) for tt in t.turns]
    inter = [i for i, r in enumerate(roles) if r == "interviewer"]
    if inter:
        return inter, None
    if any(r for r in roles):
        return [], "no interviewer turns (a monologue or written answers): nothing to align"
    asks = [i for i, tt in enumerate(t.turns) if "?" in tt.text]
    if not asks:
        return [], "no speaker labels and no questions: nothing to align"
    return asks, "no speaker labels: turns with a question mark were taken as the interviewer's"


def _group_of(t: Any, attributes: Any, group_by: str) -> str | None:
    if attributes is not None and group_by in getattr(attributes, "columns", ()) and t.id in attributes.index:
        v = attributes.loc[t.id, group_by]
        if isinstance(v, str) and v:
            return v
    v = (t.metadata or {}).get(group_by)
    return str(v) if v else None


def _path(S: np.ndarray, tau: float, skip_cost: float, jump_penalty: float,
          repeat_penalty: float = 0.5, follow_weight: float = 0.0) -> list[tuple[int, int]]:
    """Best assignment of turns (rows) to guide questions (columns) by dynamic programming.

    The state is ``(last, furthest)``: the question under discussion and the furthest guide
    position reached (0 = none yet, j + 1 = question j). A turn either follows up on the
    question under discussion (gain ``follow_weight * max(S - tau, 0)``) or asks question j
    (gain ``S[i, j] - tau``) at a cost: ``skip_cost`` per question jumped over when j lies
    beyond the furthest position, ``repeat_penalty`` when j is the question under discussion,
    ``jump_penalty`` when j lies behind the furthest position (reordered or asked again).
    """
    n, m = S.shape
    NEG = -1e18
    k = m + 1
    best = np.full((k, k), NEG)  # [last, furthest]
    best[0, 0] = 0.0
    L = np.arange(k)[:, None, None]
    F = np.arange(k)[None, :, None]
    J = np.arange(1, k)[None, None, :]  # state value of question j is j + 1
    cost = np.where(J > F, skip_cost * (J - F - 1), np.where(J == L, repeat_penalty, jump_penalty))
    fidx = np.arange(k)[:, None]
    jst = np.arange(1, k)[None, :]
    below = fidx <= jst  # [f, j]: reaching question j from furthest f <= j makes j the furthest
    back: list[np.ndarray] = []
    for i in range(n):
        gain = S[i] - tau
        new = best.copy()
        new[1:, :] += follow_weight * np.maximum(gain, 0.0)[:, None]
        src = np.full((k, k), -1, dtype=np.int64)
        cand = best[:, :, None] - cost + gain[None, None, :]  # [l, f, j]
        lbest = cand.argmax(axis=0)  # [f, j]
        M = np.take_along_axis(cand, lbest[None], axis=0)[0]  # [f, j]
        # targets (j+1, j+1): the best over f <= j+1
        Mb = np.where(below, M, NEG)
        fb = Mb.argmax(axis=0)
        for j in range(m):
            t = j + 1
            v = Mb[fb[j], j]
            if v > new[t, t]:
                new[t, t] = v
                src[t, t] = lbest[fb[j], j] * k + fb[j]
            # targets (j+1, f) with f > j+1: the furthest position stays
            fs = np.arange(t + 1, k)
            if len(fs):
                v = M[fs, j]
                upd = v > new[t, fs]
                new[t, fs[upd]] = v[upd]
                src[t, fs[upd]] = lbest[fs[upd], j] * k + fs[upd]
        best = new
        back.append(src)
    state = int(best.argmax())
    out = []
    for i in range(n - 1, -1, -1):
        p = int(back[i].reshape(-1)[state])
        if p >= 0:
            out.append((i, state // k - 1))
            state = p
    return out[::-1]


def _unique_path(S: np.ndarray, tau: float, skip_cost: float, jump_penalty: float, repeat_penalty: float,
                 follow_weight: float, repeat_min: float, max_rounds: int = 8,
                 fill_threshold: float | None = None) -> list[tuple[int, int]]:
    """:func:`_path`, then a guide question found at several turns keeps its best-scoring turn; the
    others are ruled out (and the path recomputed) unless their own score reaches ``repeat_min``:
    interviewers ask a question once, and a real repeat ("coming back to …") says so clearly."""
    S = S.copy()
    path: list[tuple[int, int]] = []
    for _ in range(max_rounds):
        path = _path(S, tau, skip_cost, jump_penalty, repeat_penalty, follow_weight)
        by_q: dict[int, list[int]] = {}
        for k, j in path:
            by_q.setdefault(j, []).append(k)
        banned = False
        for j, ks in by_q.items():
            if len(ks) < 2:
                continue
            best = max(ks, key=lambda k: S[k, j])
            for k in ks:
                if k != best and S[k, j] < repeat_min:
                    S[k, j] = -1.0
                    banned = True
        if not banned:
            break
    if fill_threshold is not None and fill_threshold < tau and path:
        # second pass: the questions still unasked may be found at a lower score, with the asked ones
        # pinned to their turns (guides are followed: an unasked question was probably asked somewhere)
        asked = {j for _, j in path}
        at = {k: j for k, j in path}
        S2 = S.copy()
        for j in asked:
            S2[:, j] = -1.0
        for k, j in at.items():
            S2[k, j] = max(S[k, j], tau + 0.5)
        path = _unique_path(S2, fill_threshold, skip_cost, jump_penalty, repeat_penalty, follow_weight,
                            repeat_min, max_rounds)
    return path


def _scores(sv: np.ndarray, owners: np.ndarray, is_q: np.ndarray, av: np.ndarray, ans_owner: np.ndarray,
            n: int, qv: np.ndarray, pvec: np.ndarray | None, probe_owner: list[int], qidx: np.ndarray,
            statement_penalty: float, probe_discount: float, answer_weight: float,
            lq: np.ndarray | None = None, lp: np.ndarray | None = None, lexical_weight: float = 0.0) -> np.ndarray:
    """Turn x question scores: best sentence (questions over statements; probes at a discount),
    blended with how well the answer that follows fits the question."""
    m = len(qidx)
    sent = sv @ qv.T if len(sv) else np.zeros((0, m))
    ps = sv @ pvec.T if pvec is not None and len(sv) else None
    if lq is not None and lexical_weight > 0:
        sent = (1 - lexical_weight) * sent + lexical_weight * lq[:, qidx]
        if ps is not None and lp is not None:
            ps = (1 - lexical_weight) * ps + lexical_weight * lp
    if ps is not None:
        col = {int(j): c for c, j in enumerate(qidx)}
        ps = ps - probe_discount
        for p, j in enumerate(probe_owner):
            if j in col:
                sent[:, col[j]] = np.maximum(sent[:, col[j]], ps[:, p])
    sent = sent - np.where(is_q, 0.0, statement_penalty)[:, None]
    S = np.full((n, m), -1.0)
    for k in range(n):
        rows = sent[owners == k]
        if len(rows):
            S[k] = rows.max(axis=0)
    if answer_weight > 0 and len(av):
        A = np.zeros((n, m))
        for k in range(n):
            rows = av[ans_owner == k]
            if len(rows):
                v = rows.mean(axis=0)
                v = v / (np.linalg.norm(v) or 1.0)
                A[k] = v @ qv.T
        has = np.isin(np.arange(n), ans_owner)[:, None]
        S = np.where(has, (1 - answer_weight) * S + answer_weight * A, S)
    return S


def _lexical(sents: list[str], qtexts: list[str], ptexts: list[str], language: str = "en"):
    """TF-IDF cosine (word uni- and bigrams) of each sentence with each question and probe."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1,
                          stop_words="english" if (language or "en").startswith("en") else None)
    try:
        vec.fit(list(qtexts) + list(ptexts) + list(sents))
    except ValueError:  # nothing but stop words
        return None, None
    S = vec.transform(sents)
    lq = (S @ vec.transform(qtexts).T).toarray()
    lp = (S @ vec.transform(ptexts).T).toarray() if ptexts else None
    return lq, lp


def _spans(items: list[AlignedQuestion], n_chars: int, text: str) -> list[AlignedQuestion]:
    out = []
    for k, x in enumerate(items):
        end = items[k + 1].q_start if k + 1 < len(items) else n_chars
        while end > x.q_end and text[end - 1:end].isspace():
            end -= 1
        out.append(replace(x, start=x.q_start, end=max(end, x.q_end)))
    return out


def align_guide(corpus: Iterable[Any], guide: Any, *, embedder: Any = None, model: str | None = None,
                cache_dir: Any = None, group_by: str = "respondent_group", threshold: float = 0.2,
                skip_cost: float = 0.01, jump_penalty: float = 0.02, repeat_penalty: float = 0.5,
                follow_weight: float = 0.5, statement_penalty: float = 0.2, probe_discount: float = 0.05,
                lexical_weight: float = 0.5, answer_weight: float = 0.3, answer_sentences: int = 0,
                centre: float = 1.0, repeat_min: float = 0.4, fill_threshold: float | None = 0.15,
                temperature: float = 0.05) -> Alignment:
    """Find, in each transcript, which turn asks which guide question; structural codings follow.

    Parameters
    ----------
    corpus : Corpus or iterable of Transcript
    guide : Guide or path
        From :func:`mcqual.load_guide`.
    embedder : object with ``embed(texts) -> array``, optional
        Default: the sentence-transformers model (``model=``, default all-MiniLM-L6-v2) with the
        shared embedding cache, so re-aligning re-embeds nothing.
    group_by : str
        Case attribute (or transcript metadata key) naming the respondent group; only questions
        asked of that group are candidates (all questions when the group is unknown).
    threshold : float
        Score a turn needs to count as asking a question (below: small talk or a follow-up).
    skip_cost, jump_penalty, repeat_penalty : float
        Cost per guide question skipped going forward; cost of going back behind the furthest
        question reached (reordering, coming back to a question); cost of asking the question
        under discussion again (a follow-up is no new question).
    follow_weight : float
        Weight of a turn's fit to the question under discussion when it asks nothing new, so a
        follow-up strengthens its question instead of stealing it.
    statement_penalty : float
        Subtracted from sentences without a question mark (interviewers' comments, summaries).
    probe_discount : float
        A question's probes also match it, at this discount.
    lexical_weight : float
        Share of TF-IDF word overlap in a sentence's score (the rest is embedding similarity):
        interviewers paraphrase the guide but keep its key words.
    answer_weight, answer_sentences : float, int
        Share of the score that comes from how well the reply fits the question (a terse "Tell me
        more?" is recognised by its answer). ``answer_sentences=0``: the reply turn's opening chunk,
        whose embedding the suggesters reuse from the cache; ``n > 0``: its first n sentences.
    centre : float
        Subtract this share of each question's mean score over the transcript's turns, so a
        question whose wording fits everything (e.g. "what courses have you taken") does not
        attract every turn.
    repeat_min : float
        A question found at several turns keeps its best turn; another turn keeps it only with at
        least this score (an interviewer who comes back to a question says so clearly).
    fill_threshold : float or None
        After the first pass, the questions still unasked are looked for again among the turns
        that ask nothing, at this lower score (the asked questions stay where they are): guides
        are followed, so an unasked question was more likely asked in other words. None: no
        second pass.
    temperature : float
        Softmax temperature of the confidence.

    Returns
    -------
    Alignment
        ``.items`` (the aligned questions with similarity and confidence), ``.unasked``
        (per transcript), ``.notes`` (transcripts with nothing to align, and why),
        ``.to_codings()``, ``.correct()``, ``.to_project()``.

    Examples
    --------
    >>> import mcqual as mq
    >>> from mcqual.guide import Guide, Topic, Question
    >>> from mcqual.text.embedders import HashingEmbedder
    >>> g = Guide([Topic("t", "T", (Question("t.a", "What is your role?", topic="t"),))])
    >>> mono = mq.Transcript.from_turns("m", [("R", "I wrote this answer.", None, "respondent")])
    >>> al = align_guide([mono], g, embedder=HashingEmbedder())
    >>> len(al), al.notes["m"]
    (0, 'no interviewer turns (a monologue or written answers): nothing to align')
    """
    from .guide import Guide, load_guide

    if not isinstance(guide, Guide):
        guide = load_guide(guide)
    if not len(guide):
        raise GuideError("E700", "the guide has no questions", path=guide.source)
    if embedder is None:
        from .text.embedders import resolve_embedder

        embedder = resolve_embedder(None, model=model, cache_dir=cache_dir)
    attributes = getattr(corpus, "attributes", None)
    transcripts = list(corpus)
    questions = guide.questions()
    qvec = np.asarray(embedder.embed([q.text for q in questions]), dtype=np.float32)
    probe_owner = [j for j, q in enumerate(questions) for _ in q.probes]
    pvec = (np.asarray(embedder.embed([p for q in questions for p in q.probes]), dtype=np.float32)
            if probe_owner else None)

    plan = []
    sents: list[str] = []      # sentences of candidate turns
    answers: list[str] = []    # opening sentences of the answer that follows each candidate turn
    notes: dict[str, str] = {}
    for t in transcripts:
        cands, note = _candidates(t)
        if note:
            notes[t.id] = note
        group = _group_of(t, attributes, group_by)
        known = group and (not guide.groups or group in guide.groups)
        qmask = np.array([q.asked_of(group) if known else True for q in questions])
        owners, is_q, ans_owner = [], [], []
        cset = set(cands)
        for k, i in enumerate(cands):
            for sent in _sentences(t.turns[i].text):
                owners.append(k)
                is_q.append("?" in sent)
                sents.append(sent)
            nxt = i + 1
            reply: list[str] = []
            if answer_sentences <= 0:  # the whole reply turn: its embedding is shared with the suggesters'
                if nxt < len(t.turns) and nxt not in cset and t.turns[nxt].text.strip():
                    reply = [t.turns[nxt].text.strip()]
            while answer_sentences > 0 and nxt < len(t.turns) and nxt not in cset and len(reply) < answer_sentences:
                reply += _sentences(t.turns[nxt].text)[:answer_sentences - len(reply)]
                nxt += 1
            for sent in reply:
                ans_owner.append(k)
                answers.append(sent)
        plan.append((t, cands, qmask, owners, is_q, ans_owner))
    dim = qvec.shape[1]
    svec = np.asarray(embedder.embed(sents), dtype=np.float32) if sents else np.zeros((0, dim), np.float32)
    if answers and answer_weight > 0 and answer_sentences <= 0:
        from .text.embedders import chunk_texts

        chunks, owner, _ = chunk_texts(answers, embedder)
        first = np.unique(np.asarray(owner), return_index=True)[1]  # each reply's opening chunk
        avec = np.asarray(embedder.embed([chunks[j] for j in first]), dtype=np.float32)
    elif answers and answer_weight > 0:
        avec = np.asarray(embedder.embed(answers), dtype=np.float32)
    else:
        avec = np.zeros((0, dim), np.float32)
    lex_q = lex_p = None
    if lexical_weight > 0 and sents:
        lex_q, lex_p = _lexical(sents, [q.text for q in questions], [p for q in questions for p in q.probes],
                                guide.language)

    items: list[AlignedQuestion] = []
    unasked: dict[str, tuple[str, ...]] = {}
    texts: dict[str, str] = {}
    turns: dict[str, tuple[tuple[int, int], ...]] = {}
    pos = apos = 0
    for t, cands, qmask, owners, is_q, ans_owner in plan:
        texts[t.id] = t.text
        turns[t.id] = tuple((tt.start, tt.end) for tt in t.turns)
        sv = svec[pos:pos + len(owners)]
        if lex_q is not None:
            lq = lex_q[pos:pos + len(owners)]
            lp = lex_p[pos:pos + len(owners)] if lex_p is not None else None
        else:
            lq = lp = None
        pos += len(owners)
        av = avec[apos:apos + len(ans_owner)] if len(avec) else avec
        apos += len(ans_owner)
        qidx = np.flatnonzero(qmask)
        group_q = [questions[j].id for j in qidx]
        if not cands:
            unasked[t.id] = tuple(group_q)
            continue
        S = _scores(sv, np.asarray(owners), np.asarray(is_q, bool), av, np.asarray(ans_owner, int), len(cands),
                    qvec[qidx], pvec, probe_owner, qidx, statement_penalty, probe_discount, answer_weight,
                    lq, lp, lexical_weight)
        if centre and len(S) > 1:
            S = S - centre * (S.mean(axis=0, keepdims=True) - S.mean())
        path = _unique_path(S, threshold, skip_cost, jump_penalty, repeat_penalty, follow_weight, repeat_min,
                            fill_threshold=fill_threshold)
        found = []
        for k, j in path:
            z = (S[k] - S[k].max()) / temperature
            p = np.exp(z) / np.exp(z).sum()
            q = questions[qidx[j]]
            tt = t.turns[cands[k]]
            found.append(AlignedQuestion(t.id, q.id, q.topic, cands[k], tt.start, tt.end, tt.start, tt.end,
                                         round(float(S[k, j]), 4), round(float(p[j]), 4)))
        found = _spans(found, len(t.text), t.text)
        items += found
        asked = {x.question for x in found}
        unasked[t.id] = tuple(q for q in group_q if q not in asked)
        if not found and t.id not in notes:
            notes[t.id] = "no interviewer turn is similar enough to any guide question"
    return Alignment(tuple(items), unasked, notes, guide, texts, turns)
