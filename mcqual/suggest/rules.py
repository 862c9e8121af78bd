"""Keyword and token-pattern rules from the codebook, with negation flags and exclusions.

Each code's ``keywords`` are matched on lower-case forms *and* on lower-case
lookup lemmas (so "Digital badges" matches the keyword "digital badge"); its
``patterns`` are spaCy ``Matcher`` patterns (``LEMMA`` is matched on the
lower-case lemma). A match preceded by a negation ("not recognised by
employers") still counts as evidence but is flagged ``negated``. Keyword-like
``exclude`` criteria (up to four words) veto the code for a segment.

Examples
--------
>>> import mcqual as mq
>>> cb = mq.Codebook([mq.Code("recognition", "Recognition", keywords=("recognise", "digital badge"))])
>>> t = mq.Transcript.from_turns("a", [("R", "Digital badges are not recognised by employers.")])
>>> segs = mq.segments([t])
>>> s = mq.RuleSuggester().fit(segs, cb).suggest(segs)
>>> s[0].code, s[0].flags, s[0].reason
('recognition', ('negated',), 'matched "Digital badges" at 0-14, "recognised" at 23-33 (negated by "not")')
"""
from __future__ import annotations

import os

from typing import Any, Sequence

import numpy as np

from ..errors import CodebookError
from ..model import Evidence, Segment
from .base import ScoreTable, Suggester

NEGATIONS: dict[str, frozenset[str]] = {
    "en": frozenset("not n't no never neither nor without hardly barely none nobody nothing cannot lack "
                    "lacking".split()),
    "de": frozenset("nicht kein keine keinen keiner nie niemals ohne weder".split()),
    "fr": frozenset("ne pas jamais sans aucun aucune ni".split()),
    "es": frozenset("no nunca sin ningún ninguna ni".split()),
    "it": frozenset("non mai senza nessun nessuna né".split()),
    "nl": frozenset("niet geen nooit zonder".split()),
}
_STOP_SCOPE = frozenset(".;:!?,") | {"but", "however", "although", "though", "aber", "mais", "pero", "ma", "maar"}


def _lemma_patterns(pattern: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rewrite ``LEMMA`` keys to ``NORM`` (our lower-case lemma), lower-casing their values."""
    out = []
    for tok in pattern:
        tok = dict(tok)
        if "LEMMA" in tok:
            v = tok.pop("LEMMA")
            if isinstance(v, str):
                v = v.lower()
            elif isinstance(v, dict):
                v = {k: [x.lower() for x in vals] if isinstance(vals, list) else vals for k, vals in v.items()}
            tok["NORM"] = v
        out.append(tok)
    return out


_LITERAL_KEYS = ("ORTH", "TEXT", "LOWER", "NORM")


def _anchor_values(pattern: Sequence[dict[str, Any]]) -> list[set[str]] | None:
    """For each required token of ``pattern`` with literal values, the values it accepts; None if none has.

    A text can only match when it holds one value of every set (a cheap filter before the slow Matcher).

    Examples
    --------
    >>> [sorted(g) for g in _anchor_values([{"LOWER": "quality", "OP": "?"}, {"NORM": {"IN": ["label", "seal"]}}])]
    [['label', 'seal']]
    >>> _anchor_values([{"POS": "NOUN"}]) is None
    True
    """
    out: list[set[str]] = []
    for tok in pattern:
        if tok.get("OP") in ("?", "*", "!"):
            continue
        for key in _LITERAL_KEYS:
            v = tok.get(key)
            if isinstance(v, str):
                out.append({v, v.lower()})
                break
            if isinstance(v, dict) and isinstance(v.get("IN"), list):
                out.append({str(x) for x in v["IN"]} | {str(x).lower() for x in v["IN"]})
                break
    return out or None


def _word_docs(nlp: Any, word: str) -> list | None:
    """Phrase docs that match a token whose lower-case form *or* lemma is ``word`` (NORM holds the
    lower-case lemma); None when the tokenizer splits ``word`` into several tokens."""
    exact = nlp.make_doc(word)
    if len(exact) != 1:
        return None
    exact[0].norm_ = word.lower()
    return [exact, nlp(word)]


def _windows(positions: list[int], reach: int, n: int) -> list[tuple[int, int]]:
    """Merged token windows ``[p - reach, p + reach]`` around positions, clipped to ``[0, n)``.

    Examples
    --------
    >>> _windows([5, 6, 20], 2, 22)
    [(3, 9), (18, 22)]
    """
    out: list[tuple[int, int]] = []
    for p in sorted(set(positions)):
        a, b = max(0, p - reach), min(n, p + reach + 1)
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def keyword_like(text: str, max_words: int = 4) -> bool:
    """True for a short phrase usable as a keyword ("public sector", "cost"), not a sentence.

    Examples
    --------
    >>> keyword_like("formal degrees"), keyword_like("General statements about quality of education.")
    (True, False)
    """
    t = text.strip().strip('"\u201c\u201d\'')
    return bool(t) and len(t.split()) <= max_words and not any(ch in t for ch in ".:;?!")


def match_score(spans: Sequence[tuple[int, int, str, Any]]) -> float:
    """Raw score of one code's matches ``(start, end, text, negation)``: one distinct match 0.6,
    two 0.76, three 0.86; times 0.9 when every match is negated.

    Examples
    --------
    >>> match_score([(0, 5, "audit", None)]), round(match_score([(0, 5, "audit", "not"), (9, 14, "Audit", "no")]), 3)
    (0.6, 0.54)
    """
    k = len({x[2].lower() for x in spans})
    score = 1.0 - 0.4 * 0.6 ** (k - 1)
    return score * 0.9 if all(x[3] for x in spans) else score


class RuleSuggester(Suggester):
    """spaCy PhraseMatcher/Matcher rules from each code's ``keywords`` and ``patterns``.

    Parameters
    ----------
    lang : str
        spaCy language of the tokenizer and lemma table.
    negation : bool
        Flag matches preceded (within ``negation_window`` tokens) by a negation.
    use_exclude : bool
        Veto a code when one of its keyword-like ``exclude`` criteria matches.
    use_labels : bool
        Also match each code's label (useful for codebooks without keywords).
    threshold : float
        Raw score a code needs (one match scores 0.6, two 0.76, three 0.86).
    top_k : int, optional
        At most this many codes per segment.
    batch_size : int
        Passed to ``nlp.pipe``.
    n_process : int
        Match in this many processes (texts split in contiguous chunks; each process tokenises
        and matches its chunk and returns only the matches). ``-1``: one per CPU. Worth it from a
        few thousand segments on; below ``parallel_min`` texts one process is used.
    """

    parallel_min = 2000

    source = "rules"

    def __init__(self, lang: str = "en", negation: bool = True, use_exclude: bool = True, use_labels: bool = False,
                 negation_window: int = 4, threshold: float = 0.5, top_k: int | None = None,
                 batch_size: int = 512, n_process: int = 1) -> None:
        self.lang = lang
        self.negation = negation
        self.use_exclude = use_exclude
        self.use_labels = use_labels
        self.negation_window = negation_window
        self.threshold = threshold
        self.top_k = top_k
        self.batch_size = batch_size
        self.n_process = n_process

    # spaCy objects (pipeline, matchers) are rebuilt from the codebook on unpickling: they hold
    # closures that do not pickle, and rebuilding them is cheap and exact
    _SPACY_STATE = ("nlp_", "lemma_", "matcher_", "exclude_", "anchor_keys_", "anchor_groups_", "always_match_",
                    "max_len_", "negation_key_")

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        for key in self._SPACY_STATE:
            state.pop(key, None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        if "codebook_" in state:
            kept = {k: state[k] for k in ("thresholds_", "n_rules_") if k in state}
            self._fit((), self.codebook_, None)
            self.__dict__.update(kept)

    def _fit(self, segments, codebook, codings) -> None:
        from spacy.matcher import Matcher, PhraseMatcher

        from ..text.nlp import rule_pipeline

        nlp = rule_pipeline(self.lang)
        self.nlp_ = nlp
        self.lemma_ = PhraseMatcher(nlp.vocab, attr="NORM")
        self.anchor_keys_: dict[int, tuple[int, int]] = {}  # phrase key -> (pattern, group)
        self.anchor_groups_: list[int] = []  # groups per pattern
        self.always_match_ = False
        self.max_len_: int | None = 0  # longest token pattern (None: unbounded, '*' or '+')
        self.matcher_ = Matcher(nlp.vocab)
        self.exclude_ = PhraseMatcher(nlp.vocab, attr="NORM")
        self.n_rules_ = {}
        for code_id in self.codes_:
            code = codebook[code_id] if hasattr(codebook, "get") and codebook.get(code_id) else None
            phrases = list(code.keywords) if code is not None else []
            if self.use_labels and code is not None:
                phrases.append(code.label)
            phrases = [p for p in dict.fromkeys(p.strip() for p in phrases) if p]
            n = 0
            if phrases:
                # NORM is the lower-case lemma, so one matcher covers lower-case forms and their inflections
                self.lemma_.add(code_id, list(nlp.pipe(phrases)))
                n += len(phrases)
            for k, pat in enumerate(code.patterns if code is not None else ()):
                try:
                    pattern = _lemma_patterns(pat)
                    self.matcher_.add(code_id, [pattern])
                    self._add_anchors(nlp, _anchor_values(pattern))
                    bound = None if any(t.get("OP") in ("*", "+") for t in pattern) else len(pattern)
                    self.max_len_ = None if bound is None or self.max_len_ is None else max(self.max_len_, bound)
                except Exception as exc:  # spaCy raises ValueError/MatchPatternError
                    raise CodebookError("E205", f"code {code_id!r} pattern {k + 1}: {exc}",
                                        path=getattr(codebook, "source", None)) from exc
                n += 1
            if self.use_exclude and code is not None:
                ex = [e.strip().strip('"\u201c\u201d\'') for e in code.exclude if keyword_like(e)]
                if ex:
                    self.exclude_.add(code_id, list(nlp.pipe(ex)))
            self.n_rules_[code_id] = n
        self.negations_ = NEGATIONS.get(self.lang, NEGATIONS["en"])
        # negation words are found by the same PhraseMatcher pass as the keywords: a token is a
        # negation when its lower-case form or its lemma is one of the words
        self.negation_key_ = nlp.vocab.strings.add("\x00negation")
        if self.negation:
            self.lemma_.add("\x00negation", [d for w in sorted(self.negations_) for d in _word_docs(nlp, w) or ()])

    def _add_anchors(self, nlp, groups) -> None:
        """Register a pattern's literal values as phrases, so one PhraseMatcher pass says if it can match."""
        if groups is None:
            self.always_match_ = True
            return
        p = len(self.anchor_groups_)
        self.anchor_groups_.append(len(groups))
        for g, values in enumerate(groups):
            key = f"\x00anchor:{p}:{g}"
            docs = []
            for v in sorted(values):
                pair = _word_docs(nlp, v)
                if pair is None:  # a literal the tokenizer splits: no cheap filter for this pattern
                    self.always_match_ = True
                    return
                docs += pair
            self.lemma_.add(key, docs)
            self.anchor_keys_[nlp.vocab.strings[key]] = (p, g)

    def match(self, texts: Sequence[str]) -> list[dict[str, list[tuple[int, int, str, str | None]]]]:
        """Per text: ``{code: [(start_char, end_char, matched text, negation word or None), ...]}``."""
        self._check_fitted()
        texts = list(texts)
        n = self.n_process if self.n_process and self.n_process > 0 else (os.cpu_count() or 1)
        if n > 1 and len(texts) >= self.parallel_min:
            return _match_parallel(self, texts, n)
        return self._match(texts)

    def _match(self, texts: Sequence[str]) -> list[dict[str, list[tuple[int, int, str, str | None]]]]:
        strings = self.nlp_.vocab.strings
        stop_h = {strings.add(w) for w in _STOP_SCOPE}
        window = self.negation_window
        neg_key = self.negation_key_ if self.negation else None

        use_phrases = len(self.lemma_) > 0
        use_matcher = len(self.matcher_) > 0
        always = self.always_match_
        akeys = self.anchor_keys_
        max_len = self.max_len_
        n_groups = self.anchor_groups_
        use_exclude = self.use_exclude and len(self.exclude_) > 0
        texts = list(texts)
        out: list[dict[str, list[tuple[int, int, str, str | None]]]] = []
        for text, doc in zip(texts, self.nlp_.pipe(texts, batch_size=self.batch_size)):
            raw = self.lemma_(doc) if use_phrases else []
            if not raw and not (use_matcher and always):
                out.append({})
                continue
            # one PhraseMatcher pass finds keywords, negation words and the literals patterns need
            hits: list[tuple[int, int, int]] = []
            negs: list[int] = []
            present: set[tuple[int, int]] = set()
            where: list[int] = []
            for h in raw:
                key = h[0]
                if key == neg_key:
                    negs.append(h[1])
                elif key in akeys:
                    present.add(akeys[key])
                    where.append(h[1])
                else:
                    hits.append(h)
            possible = always
            if present and not always:  # a pattern can match only if all its literals are here
                per: dict[int, int] = {}
                for p, _ in present:
                    per[p] = per.get(p, 0) + 1
                possible = any(c == n_groups[p] for p, c in per.items())
            if use_matcher and possible:  # the token Matcher is slow: only where it can match
                if always or max_len is None:
                    hits += self.matcher_(doc)
                else:  # only around the literals: a match cannot reach further than the longest pattern
                    seen_m: set[tuple[int, int, int]] = set()
                    for a0, b0 in _windows(where, max_len, len(doc)):
                        for m_id, s0, e0 in self.matcher_(doc[a0:b0]):
                            key3 = (m_id, s0 + a0, e0 + a0)
                            if key3 not in seen_m:
                                seen_m.add(key3)
                                hits.append(key3)
            if not hits:
                out.append({})
                continue
            vetoed = {strings[m] for m, _, _ in self.exclude_(doc)} if use_exclude else set()
            found: dict[str, dict[tuple[int, int], tuple[int, int, str, str | None]]] = {}
            for m_id, s, e in hits:
                code = strings[m_id]
                if code in vetoed:
                    continue
                last = doc[e - 1]
                a = doc[s].idx
                b = last.idx + len(last)
                neg = None
                if negs:  # the nearest negation word before the match, within the window, in scope
                    k = max((x for x in negs if s - window <= x < s), default=-1)
                    if k >= 0 and not any(doc[j].is_punct or doc[j].lower in stop_h for j in range(k + 1, s)):
                        neg = doc[k].text
                found.setdefault(code, {})[(a, b)] = (a, b, text[a:b], neg)
            # drop matches nested inside a longer match of the same code
            res = {}
            for code, spans in found.items():
                items = sorted(spans.values(), key=lambda x: (x[0], -(x[1] - x[0])))
                keep: list[tuple[int, int, str, str | None]] = []
                for it in items:
                    if keep and it[0] >= keep[-1][0] and it[1] <= keep[-1][1]:
                        continue
                    keep.append(it)
                res[code] = keep
            out.append(res)
        return out

    def _raw(self, segments: Sequence[Segment]) -> ScoreTable:
        matches = self.match([s.text for s in segments])
        col = {c: j for j, c in enumerate(self.codes_)}
        S = np.zeros((len(segments), len(self.codes_)), dtype=np.float64)
        for i, m in enumerate(matches):
            for code, spans in m.items():
                if code not in col:
                    continue
                S[i, col[code]] = match_score(spans)

        codes = self.codes_

        def explain(i: int, j: int):
            off = segments[i].start
            spans = matches[i].get(codes[j], ())
            parts, ev = [], []
            for a, b, text, neg in spans[:6]:
                parts.append(f'"{text}" at {a}-{b}' + (f' (negated by "{neg}")' if neg else ""))
                ev.append(Evidence(off + a, off + b, "negated" if neg else "keyword"))
            flags = ("negated",) if any(x[3] for x in spans) else ()
            more = f" and {len(spans) - 6} more" if len(spans) > 6 else ""
            return "matched " + ", ".join(parts) + more, tuple(ev), flags

        return ScoreTable(list(self.codes_), S, explain, self.source)

    def features(self, segments: Sequence[Segment]) -> np.ndarray:
        """Raw rule scores (segments x codes) as features for :class:`LearnedSuggester`."""
        return self._raw(segments).scores


_ACTIVE: "RuleSuggester | None" = None  # the suggester a forked worker matches with


def _match_chunk(bounds: tuple[int, int, list[str]]) -> list:
    assert _ACTIVE is not None
    return _ACTIVE._match(bounds[2])


def _match_parallel(est: "RuleSuggester", texts: list[str], n: int) -> list:
    """Split ``texts`` in ``n`` chunks and match them in forked processes (the fitted suggester is
    inherited, not pickled); elsewhere than Linux, or if forking fails, match in this process."""
    import multiprocessing as mp
    import sys

    global _ACTIVE
    if not sys.platform.startswith("linux"):
        return est._match(texts)
    size = -(-len(texts) // n)
    chunks = [(i, i + size, texts[i:i + size]) for i in range(0, len(texts), size)]
    _ACTIVE = est
    try:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=len(chunks), mp_context=mp.get_context("fork")) as pool:
            parts = list(pool.map(_match_chunk, chunks))
    except (OSError, RuntimeError):  # no fork allowed here: one process
        return est._match(texts)
    finally:
        _ACTIVE = None
    return [m for part in parts for m in part]
