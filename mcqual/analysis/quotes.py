"""Quotes that represent: trimmed to the evidence, chosen for relevance *and* spread over cases and groups.

:func:`select_quotes` turns codings (hand codings, accepted or pending
suggestions) into the few quotes a report shows per theme. A researcher can
predict what it does:

1. **Candidates.** One per coded passage and theme (a passage coded with two
   sub-codes of one theme is one candidate). Interviewer turns inside a
   coded span are left out. Passages that are back-channels ("Mm-hm."),
   made mostly of transcription or redaction placeholders (``[redacted]``,
   ``[inaudible]``, ``[crosstalk]``, bracket-only text) or only of questions
   (where speaker roles are unknown, usually the interviewer's) are never
   quoted.
2. **Trimmed to the evidence.** The passage is split into sentences. A
   passage of at most ``max_words`` words is quoted whole; a longer one
   (typically a whole-turn coding) is cut to the run of sentences that carry
   the evidence: the suggestion's evidence spans where there are any, else
   the sentences sharing most words with the code (label, keywords,
   definition, inclusion criteria, examples) — no model is loaded. Cuts fall
   on sentence boundaries and are marked with an ellipsis (``…``).
3. **Relevance.** Evidence and code words in the quoted sentences, then
   agreement (how many coders applied it), then a length between
   ``min_words`` and ``max_words``.
4. **Spread** (maximal marginal relevance). Per theme the quotes are picked
   one at a time, each maximising ``λ · relevance − (1 − λ) · redundancy``;
   redundancy is high for a respondent group already quoted in the theme
   and for a case already quoted elsewhere in the report. At most one quote
   per case per theme; a passage (or any overlap of it) is never quoted
   twice in one report.

Examples
--------
>>> import pandas as pd
>>> from mcqual.model import Transcript
>>> from mcqual.corpus import Corpus
>>> a = Transcript.from_turns("int-01", [("R", "Employers trust what is accredited.", 0.0)],
...                          attributes={"respondent_group": "learner"})
>>> b = Transcript.from_turns("int-02", [("R", "[inaudible]", 5.0)], attributes={"respondent_group": "employer"})
>>> df = pd.DataFrame({"transcript_id": ["int-01", "int-02"], "start": [0, 0], "end": [35, 11],
...                    "code": ["trust", "trust"], "coder": ["AB", "AB"]})
>>> q = select_quotes(df, Corpus([a, b]), min_words=1)
>>> q[["theme", "case", "group", "text"]].values.tolist()
[['trust', 'int-01', 'learner', 'Employers trust what is accredited.']]
"""
from __future__ import annotations

import math
import re
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ..model import format_timestamp
from ..segment import is_backchannel
from ._inputs import case_attributes, codings_frame, roll_up

__all__ = ["select_quotes", "trim_quote", "is_placeholder", "split_sentences", "case_labels"]

_WORDS = re.compile(r"\S+")
_TOKEN = re.compile(r"[^\W\d_]{4,}", re.UNICODE)
_BRACKET = re.compile(r"\[[^\]\n]{0,40}\]|\((?:inaudible|unclear|crosstalk|laughs?|pause|redacted)[^)\n]{0,20}\)",
                      re.IGNORECASE)
# a sentence ends at . ! ? … (plus closing quotes/brackets) followed by space and a capital, digit or opening mark
_SENT_END = re.compile(r"(?<=[.!?…])[\"”’)\]]*\s+(?=[\"“‘(\[]?[A-ZÀ-ÖØ-Þ0-9])")
_STOP = frozenset("""
about above after again also because been before being below between both could does doing down during each
from further have having here itself just more most much once only other over same should some such than that
their theirs them then there these they this those through under until very what when where which while whom
with would your yours yourself really think know mean like thing things kind sort well yeah okay maybe""".split())
#: the default length cap of a quote, in words
MAX_WORDS = 60


def is_placeholder(text: str) -> bool:
    """True for text made only (or mostly) of transcription/redaction placeholders or back-channels.

    Examples
    --------
    >>> is_placeholder("[redacted]"), is_placeholder("[inaudible] [crosstalk] yes"), is_placeholder("Mm-hm.")
    (True, True, True)
    >>> is_placeholder("We hired her [laughs] because of the badge and the portfolio she showed us.")
    False
    """
    stripped = text.strip()
    if not stripped or is_backchannel(stripped):
        return True
    marks = _BRACKET.findall(stripped)
    rest = _BRACKET.sub(" ", stripped)
    words = [w for w in _WORDS.findall(rest) if any(ch.isalnum() for ch in w)]
    if not words:
        return True
    return bool(marks) and len(marks) / (len(marks) + len(words)) > 0.25


def split_sentences(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` of ``text`` (plus ``offset``), by punctuation; no model.

    Examples
    --------
    >>> t = "Yes. It was 16 weeks. Who checks that? Nobody."
    >>> [t[a:b] for a, b in split_sentences(t)]
    ['Yes.', 'It was 16 weeks.', 'Who checks that?', 'Nobody.']
    """
    out, pos = [], 0
    for m in _SENT_END.finditer(text):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, len(text.rstrip())))
    spans = []
    for a, b in out:
        while a < b and text[a].isspace():
            a += 1
        if b > a:
            spans.append((a + offset, b + offset))
    return spans


def _stems(text: str) -> list[str]:
    return [w[:6] for w in (t.lower() for t in _TOKEN.findall(text)) if w not in _STOP]


def code_terms(codebook: Any, code: str) -> dict[str, float]:
    """Word stems that speak for ``code``: label and keywords weigh 1, definition/criteria/examples 0.5."""
    terms: dict[str, float] = {}
    c = codebook.get(code) if codebook is not None and hasattr(codebook, "get") else None
    if c is None:
        for s in _stems(str(code).replace(".", " ").replace("_", " ")):
            terms[s] = 1.0
        return terms
    strong = [c.label, *c.keywords, c.id.rsplit(".", 1)[-1].replace("_", " ")]
    weak = [c.definition, *c.include, *c.examples]
    for text, w in [(t, 0.5) for t in weak] + [(t, 1.0) for t in strong]:
        for s in _stems(str(text)):
            terms[s] = max(terms.get(s, 0.0), w)
    return terms


def _sentence_scores(text: str, spans: Sequence[tuple[int, int]], base: int, terms: dict[str, float],
                     evidence: Sequence[tuple[int, int]]) -> np.ndarray:
    scores = np.zeros(len(spans))
    for i, (a, b) in enumerate(spans):
        s = text[a - base:b - base]
        stems = _stems(s)
        hit = sum(terms.get(x, 0.0) for x in set(stems))
        scores[i] = hit / math.sqrt(max(len(stems), 4))
        if any(ea < b and a < eb for ea, eb in evidence):
            scores[i] += 2.0
        if _BRACKET.search(s) and is_placeholder(s):
            scores[i] -= 5.0
        if s.rstrip("\"”’)] ").endswith("?"):  # a question is rarely the evidence (and may be the interviewer's)
            scores[i] -= 0.5
    return scores


def trim_quote(text: str, max_words: int = MAX_WORDS, *, scores: Sequence[float] | None = None,
               offset: int = 0) -> tuple[str, int, int]:
    """``text`` cut to at most ``max_words`` words at sentence boundaries, around its best sentences.

    Returns the quote (with ``…`` where text was left out) and its span
    (``offset``-based). ``scores`` rank the sentences (default: keep the
    start). A single sentence longer than the cap is cut at a word.

    Examples
    --------
    >>> trim_quote("One two. Three four five. Six.", 3, scores=[0, 1, 0])[0]
    '… Three four five. …'
    >>> trim_quote("Short enough.", 4)
    ('Short enough.', 0, 13)
    """
    spans = split_sentences(text, offset)
    if not spans:
        return "", offset, offset
    words = [len(_WORDS.findall(text[a - offset:b - offset])) for a, b in spans]
    sc = np.asarray(scores if scores is not None else [0.0] * len(spans), dtype=float)
    if sum(words) <= max_words:
        lo, hi = 0, len(spans) - 1
    else:
        best = int(np.argmax(sc))  # first best
        lo = hi = best
        total = words[best]
        while True:
            left = lo - 1 if lo > 0 and total + words[lo - 1] <= max_words else None
            right = hi + 1 if hi + 1 < len(spans) and total + words[hi + 1] <= max_words else None
            if left is None and right is None:
                break
            if right is not None and (left is None or sc[right] >= sc[left]):
                hi, total = right, total + words[right]
            else:
                lo, total = left, total + words[left]
    a, b = spans[lo][0], spans[hi][1]
    body = " ".join(text[a - offset:b - offset].split())
    ws = body.split(" ")
    cut_end = hi < len(spans) - 1
    if len(ws) > max_words:
        body, cut_end = " ".join(ws[:max_words]).rstrip(",;:"), True
    return ("… " if lo > 0 else "") + body + (" …" if cut_end else ""), a, b


def case_labels(corpus: Any = None, attributes: pd.DataFrame | None = None) -> dict[str, str]:
    """Case id -> short label for display: ``corpus.labels`` (or each transcript's ``label`` attribute), a
    ``label`` column of ``attributes`` winning; else the id."""
    out: dict[str, str] = {}
    auto = getattr(corpus, "labels", None) if corpus is not None else None
    if isinstance(auto, dict):  # the corpus's short labels (file stems without their common parts)
        out.update({str(k): str(v) for k, v in auto.items()})
    elif corpus is not None:
        for t in corpus:
            lab = (getattr(t, "attributes", None) or {}).get("label")
            out[t.id] = str(lab) if isinstance(lab, str) and lab.strip() else t.id
    attrs = case_attributes(corpus, attributes) if (corpus is not None or attributes is not None) else None
    if attrs is not None and "label" in attrs.columns:
        for cid, lab in attrs["label"].items():
            if isinstance(lab, str) and lab.strip():
                out[str(cid)] = lab.strip()
    return out


def _respondent_parts(t: Any, start: int, end: int) -> list[tuple[int, int]]:
    """The parts of [start, end) in non-interviewer turns (the whole span when roles are unknown; none when
    only the interviewer spoke)."""
    turns = getattr(t, "turns", None) or ()
    parts = []
    inside = [u for u in turns if u.start < end and start < u.end]
    if not inside or all(u.role is None for u in inside):
        return [(start, end)]
    for u in inside:
        if u.role != "interviewer":
            parts.append((max(start, u.start), min(end, u.end)))
    return parts  # only the interviewer spoke: nothing to quote


def _evidence_spans(value: Any) -> list[tuple[int, int]]:
    if value is None or isinstance(value, float) and math.isnan(value):
        return []
    if isinstance(value, str):
        import json

        try:
            value = json.loads(value)
        except ValueError:
            return []
    out = []
    for e in value if isinstance(value, Iterable) else ():
        try:
            a, b = (e.start, e.end) if hasattr(e, "start") else (int(e[0]), int(e[1]))
            out.append((int(a), int(b)))
        except (TypeError, ValueError, IndexError):
            continue
    return out


def select_quotes(codings: Any, corpus: Any = None, *, codebook: Any = None, attributes: pd.DataFrame | None = None,
                  per_theme: int = 3, max_words: int = MAX_WORDS, min_words: int = 8, level: int | None = 1,
                  group: str | None = "respondent_group", coders: Sequence[str] | str | None = None,
                  diversity: float = 0.4, exclude: Iterable[tuple[str, int, int]] = ()) -> pd.DataFrame:
    """The quotes a report shows per theme: trimmed, relevant, spread over cases and groups, never repeated.

    Parameters
    ----------
    codings : Project, DataFrame or list of Coding
        ``transcript_id, start, end, code`` (and ``coder``); an ``evidence``
        column (suggestions: ``[[start, end, label], ...]``) marks the
        sentences to keep; a ``text`` column stands in for ``corpus``.
    corpus : Corpus, optional
        The transcripts: quote text, speaker roles, timestamps, case attributes.
    codebook : Codebook, optional
        Theme order, roll-up (``level``) and the words that speak for each code.
    per_theme : int
        Quotes per theme (at most one per case).
    max_words, min_words : int
        The length cap (longer passages are cut at sentence boundaries with
        ``…``) and the length below which a quote counts as a fragment.
    level : int or None
        Roll codes up to this level (1 = themes; None: the codes as coded).
    group : str or None
        The case attribute to spread quotes over (skipped if absent).
    diversity : float
        ``1 − λ`` of maximal marginal relevance: 0 = relevance only.
    exclude : iterable of (transcript_id, start, end)
        Passages already quoted elsewhere (never quoted again).

    Returns
    -------
    DataFrame
        One row per quote, themes in codebook order, ``rank`` 1.. within a
        theme: theme, theme_label, code, transcript_id, case (short label),
        group, start, end (the quoted span), timestamp, time, speaker, text,
        words, trimmed, n_coders, relevance, rank.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"transcript_id": ["a", "b", "c"], "start": 0, "end": 9, "code": "cost",
    ...                    "text": ["Too expensive for us, honestly.", "Cost is the barrier here.", "[redacted]"]})
    >>> select_quotes(df, min_words=1, per_theme=5)["text"].tolist()
    ['Cost is the barrier here.', 'Too expensive for us, honestly.']
    """
    if per_theme < 1 or max_words < 3:
        raise AnalysisError("E503", f"per_theme={per_theme}, max_words={max_words}; give per_theme >= 1 and "
                                    "max_words >= 3")
    if isinstance(codings, pd.DataFrame) and "status" in codings.columns and \
            set(codings["status"].dropna().astype(str)) <= {"pending", "accepted", "rejected", "superseded"}:
        codings = codings[codings["status"].astype(str) != "rejected"].drop(columns="status")  # suggestions
    df = codings_frame(codings, coders)
    text_col = next((c for c in ("text", "snippet", "quote") if c in df.columns), None)
    df["_text"] = df[text_col] if text_col and corpus is None else None
    df["_evidence"] = df["evidence"] if "evidence" in df.columns else None
    df["theme"] = roll_up(df["code"], codebook, level) if level is not None and codebook is not None else df["code"]
    attrs = case_attributes(corpus, attributes)
    labels = case_labels(corpus, attrs)
    groups = (attrs[group].astype("object").where(attrs[group].notna(), None).to_dict()
              if group and attrs is not None and group in attrs.columns else {})
    texts = {t.id: t for t in corpus} if corpus is not None else {}
    cands = []
    for (theme, tid, s, e), rows in df.groupby(["theme", "transcript_id", "start", "end"], sort=False):
        cands.append(_candidate(theme, str(tid), int(s), int(e), rows, texts, codebook, max_words))
    cand = pd.DataFrame([c for c in cands if c is not None])
    cols = ["theme", "theme_label", "code", "transcript_id", "case", "group", "start", "end", "timestamp", "time",
            "speaker", "text", "words", "trimmed", "n_coders", "relevance", "rank"]
    if cand.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    cand = cand[[not is_placeholder(x) for x in cand["text"]]].reset_index(drop=True)
    w = cand["words"].to_numpy(dtype=float)
    fit = np.where(w < min_words, w / max(min_words, 1), 1.0)
    cand["relevance"] = (0.5 * np.tanh(cand["_rel"].to_numpy(dtype=float))
                         + 0.2 * np.minimum(cand["n_coders"].to_numpy(dtype=float), 3) / 3
                         + 0.3 * fit)
    cand["case"] = [labels.get(t, t) for t in cand["transcript_id"]]
    cand["group"] = [groups.get(t) for t in cand["transcript_id"]]
    themes = _theme_order(cand["theme"].unique(), codebook)
    used: dict[str, list[tuple[int, int]]] = {}
    for tid, a, b in exclude:
        used.setdefault(str(tid), []).append((int(a), int(b)))
    case_uses: dict[str, int] = {}
    picked = []
    for theme in themes:
        pool = cand[cand["theme"] == theme].sort_values(["relevance", "transcript_id", "start"],
                                                        ascending=[False, True, True], kind="stable")
        chosen_cases: set[str] = set()
        chosen_groups: dict[Any, int] = {}
        for rank in range(1, per_theme + 1):
            best, best_val = None, -np.inf
            for r in pool.itertuples(index=False):
                if r.transcript_id in chosen_cases or any(a < r.end and r.start < b for a, b in
                                                          used.get(r.transcript_id, ())):
                    continue
                red = 0.6 * min(chosen_groups.get(r.group, 0), 1) + 0.4 * min(case_uses.get(r.transcript_id, 0), 2) / 2
                val = (1 - diversity) * r.relevance - diversity * red
                if val > best_val + 1e-12:
                    best, best_val = r, val
            if best is None:
                break
            chosen_cases.add(best.transcript_id)
            chosen_groups[best.group] = chosen_groups.get(best.group, 0) + 1
            case_uses[best.transcript_id] = case_uses.get(best.transcript_id, 0) + 1
            used.setdefault(best.transcript_id, []).append((best.start, best.end))
            row = best._asdict()
            row["rank"] = rank
            picked.append(row)
    out = pd.DataFrame(picked)
    if out.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    out["theme_label"] = [codebook[t].label if codebook is not None and t in codebook else t for t in out["theme"]]
    out["time"] = [format_timestamp(None if x is None or x != x else float(x)) for x in out["timestamp"]]
    return out[cols].reset_index(drop=True)


def _theme_order(themes: Iterable[str], codebook: Any) -> list[str]:
    themes = list(themes)
    if codebook is None:
        return sorted(themes)
    order = {c: i for i, c in enumerate(codebook.ids)}
    return sorted(themes, key=lambda t: (order.get(t, len(order)), t))


def _candidate(theme: str, tid: str, s: int, e: int, rows: pd.DataFrame, texts: dict[str, Any], codebook: Any,
               max_words: int) -> dict[str, Any] | None:
    t = texts.get(tid)
    evidence = [sp for v in rows["_evidence"] for sp in _evidence_spans(v)]
    terms: dict[str, float] = {}
    for code in dict.fromkeys(rows["code"]):
        for k, v in code_terms(codebook, code).items():
            terms[k] = max(terms.get(k, 0.0), v)
    speaker, ts = None, float("nan")
    if t is None:
        raw = rows["_text"].iloc[0]
        if raw is None or (isinstance(raw, float) and math.isnan(raw)):
            if texts:
                raise AnalysisError("E503", f"codings refer to transcript {tid!r}, which is not in the corpus")
            raise AnalysisError("E503", "select_quotes needs corpus= (the transcripts) or a 'text' column")
        full, parts = str(raw), [(0, len(str(raw)))]
        base = 0
        evidence = []
    else:
        full, base = t.text, 0
        parts = _respondent_parts(t, s, e)
    pieces = []
    for a, b in parts:
        spans = split_sentences(full[a:b], a)
        if spans:
            pieces.append((a, b, spans))
    if not pieces:
        return None
    # the part (turn) with the best evidence, then trimmed around its best sentences
    best_part, best_sc, best_val = pieces[0], None, -np.inf
    for a, b, spans in pieces:
        sc = _sentence_scores(full, spans, base, terms, evidence)
        val = float(sc.max()) + 1e-3 * len(spans)
        if val > best_val:
            best_part, best_sc, best_val = (a, b, spans), sc, val
    a, b, spans = best_part
    text, qa, qb = trim_quote(full[a:b], max_words, scores=best_sc, offset=a)
    if not text or all(full[x:y].rstrip("\"”’)] ").endswith("?") for x, y in spans if x >= qa and y <= qb):
        return None  # only questions: the interviewer's words where roles are unknown
    kept = [i for i, (x, y) in enumerate(spans) if x >= qa and y <= qb]
    rel = float(best_sc[kept].mean()) if kept and best_sc is not None else 0.0
    if t is not None and t.turns:
        starts = [u.start for u in t.turns]
        k = max(int(np.searchsorted(starts, qa, "right")) - 1, 0)
        speaker, ts = t.turns[k].speaker, (t.turns[k].timestamp if t.turns[k].timestamp is not None else float("nan"))
    return {"theme": theme, "code": rows["code"].iloc[0], "transcript_id": tid, "start": qa, "end": qb,
            "span_start": s, "span_end": e, "timestamp": ts, "speaker": speaker, "text": text,
            "words": len(_WORDS.findall(text.replace("…", ""))), "trimmed": "…" in text and "…" not in full[a:b],
            "n_coders": int(rows["coder"].nunique()) if "coder" in rows.columns else 1, "_rel": rel}
