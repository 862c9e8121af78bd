"""Speed of the suggesters against raw baselines, in one run.

| stage | what mcqual does | raw baseline | target |
|---|---|---|---|
| rules | ``RuleSuggester.suggest(segments)`` | ``list(nlp.pipe(texts))`` with the same spaCy pipeline | <= 1.3x |
| embedding (cold cache) | ``EmbeddingSuggester.fit(segments).suggest(segments)`` (codebook anchors embedded beforehand) | ``model.encode(texts)`` of the same segments | <= 1.1x |
| embedding (cold cache, same texts) | the same | ``model.encode`` of the sentence units and questions it embeds | <= 1.1x |
| embedding (warm cache) | the same again, new suggester, same cache folder | the cold run | <= 5% |
| real turns, cold, CPU time | ``EmbeddingSuggester.suggest`` on real respondent turns of 20-150 words | ``model.encode`` of the same turns | <= 1.3x |
| real turns, warm, CPU time | the same again, same cache folder | the cold run | <= 5% |

Real turns come from ``../shared/data/transcripts/docx`` (``MCQUAL_SHARED`` overrides ``../shared``);
their rows use ``time.process_time`` with torch on one thread, best of the rounds.

Run: ``.venv/bin/python bench/suggest.py [--repeat N]`` (HF_HUB_OFFLINE is set; nothing is downloaded).
The corpus is the sample study (``transcripts/*.docx`` through ``mq.read_transcripts``; when the
readers are not available, the same interviews from ``transcripts/src/*.md``).
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import mcqual as mq  # noqa: E402
from _report import write_report  # noqa: E402  (bench/ is on sys.path when a script runs)

_LINE = re.compile(r"^\[(?P<ts>[\d:]+)\]\s+(?P<speaker>[^:{]+?)\s*(\{[^}]*\})?:\s*(?P<text>.*)$")


def _seconds(ts: str) -> float:
    parts = [int(p) for p in ts.split(":")]
    s = 0
    for p in parts:
        s = s * 60 + p
    return float(s)


def _from_markdown(folder: Path) -> "mq.Corpus":
    """The sample interviews from their Markdown sources (front matter + ``[ts] Speaker: text`` lines)."""
    out = []
    for path in sorted(folder.glob("*.md")):
        raw = path.read_text(encoding="utf-8")
        meta: dict[str, str] = {}
        body = raw
        if raw.startswith("---"):
            head, _, body = raw[3:].partition("\n---")
            for line in head.strip().splitlines():
                k, _, v = line.partition(":")
                meta[k.strip()] = v.strip()
        interviewers = {meta.get("interviewer", ""), "Moderator", "Interviewer"}
        turns = []
        for line in body.splitlines():
            m = _LINE.match(line.strip())
            if not m:
                continue
            sp = m["speaker"].strip()
            turns.append((sp, m["text"].strip(), _seconds(m["ts"]),
                          "interviewer" if sp in interviewers else "respondent"))
        if turns:
            out.append(mq.Transcript.from_turns(meta.get("id", path.stem), turns, metadata=meta, language="en"))
    return mq.Corpus(out)


def load_corpus(folder: Path = ROOT / "transcripts"):
    """``mq.read_transcripts(folder)``, or the Markdown sources when the readers are not there yet."""
    try:
        corpus = mq.read_transcripts(folder)
        if len(corpus):
            return corpus, "docx (mq.read_transcripts)"
    except Exception as exc:  # readers not available yet
        print(f"(read_transcripts unavailable: {type(exc).__name__}: {exc}; using transcripts/src/*.md)")
    return _from_markdown(folder / "src"), "markdown sources"


def primary_study():
    """The sample study as the primary gold coder coded it: ``(corpus of their interviews, codebook, their codings,
    coder)``."""
    import pandas as pd

    corpus, _ = load_corpus()
    gold = pd.read_csv(ROOT / "transcripts" / "gold_codings.csv", dtype={"transcript_id": "string", "code": "string",
                                                                        "coder": "string"})
    primary = gold["coder"].dropna().iloc[0]
    g1 = gold[gold["coder"] == primary]
    corpus = corpus.filter(ids=[t.id for t in corpus if t.id in set(g1["transcript_id"])])
    return corpus, load_codebook(), g1, primary


def load_codebook(path: Path = ROOT / "codebook" / "microcredentials.yaml"):
    """``mq.load_codebook(path)``, or a minimal YAML reading when the loader is not there yet."""
    try:
        return mq.load_codebook(path)
    except Exception as exc:
        print(f"(load_codebook unavailable: {type(exc).__name__}: {exc}; reading the YAML directly)")
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    codes = []

    def walk(items, parent=None):
        for it in items or []:
            kw = {k: it[k] for k in ("label", "definition", "color", "memo") if it.get(k)}
            for k in ("include", "exclude", "examples", "counter_examples", "keywords"):
                if it.get(k):
                    kw[k] = tuple(it[k])
            if it.get("patterns"):
                kw["patterns"] = tuple(tuple(p) for p in it["patterns"])
            codes.append(mq.Code(it["id"], parent=parent, codable=it.get("codable", True), **kw))
            walk(it.get("children"), it["id"])

    walk(data.get("codes"))
    return mq.Codebook(codes, name=data.get("name", "codebook"))


def _time(fn, repeat: int = 1):
    best = float("inf")
    out = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def _time_pair(ours, raw, repeat: int = 7):
    """Best-of-``repeat`` times of two callables, interleaved (fair on a shared, noisy machine)."""
    t_ours, t_raw, out = float("inf"), float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        raw()
        t_raw = min(t_raw, time.perf_counter() - t0)
        t0 = time.perf_counter()
        out = ours()
        t_ours = min(t_ours, time.perf_counter() - t0)
    return t_ours, t_raw, out


def shared_dir() -> Path:
    """``$MCQUAL_SHARED``, else the first ``shared`` folder beside the checkout or one level up."""
    if os.environ.get("MCQUAL_SHARED"):
        return Path(os.environ["MCQUAL_SHARED"])
    for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared"):
        if p.exists():
            return p
    return ROOT.parent / "shared"


REAL = shared_dir() / "data" / "transcripts" / "docx"


def warm_anchors(cache_dir, cb) -> None:
    """Embed the codebook's anchors into ``cache_dir`` (a one-off per codebook), so timings count segments only."""
    from mcqual.text.embedders import SentenceTransformerEmbedder

    mq.EmbeddingSuggester(embedder=SentenceTransformerEmbedder(cache_dir=cache_dir)).fit([], cb)


def real_turns(cb, rounds: int = 3, folder: Path = REAL) -> list[tuple]:
    """CPU time (``time.process_time``) of the embedding suggester against a bare ``encode`` of real turns.

    The turns are the respondent turns of 20-150 words of the real transcripts under
    ``../shared/data/transcripts/docx`` (Teams-style interviews). Each round runs the bare
    encode, then cold suggesters on fresh cache folders, then a warm one; the best round counts.
    Torch runs on one thread here so CPU time is not inflated by idle threads spinning.
    """
    import torch

    from mcqual.text.embedders import SentenceTransformerEmbedder, load_model

    files = sorted(p for p in folder.glob("*/*.docx") if "interview" in p.name)
    if not files:
        print(f"(no real transcripts under {folder}: real-turn figures skipped)")
        return []
    corpus = mq.read_transcripts(files)
    segs = mq.Segments([s for s in mq.segments(corpus) if 20 <= len(s.text.split()) <= 150])
    texts = segs.texts
    words = sum(len(t.split()) for t in texts)
    q_words = sum(len(q.split()) for q in {s.context for s in segs if s.context})
    print(f"real turns: {len(corpus)} interviews, {len(segs)} respondent turns of 20-150 words ({words:,} words; "
          f"the questions they answer: {q_words:,} words)")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        model = load_model(None)
        model.encode(texts[:8])

        def cpu(fn):
            t0 = time.process_time()
            out = fn()
            return time.process_time() - t0, out

        variants = {"one pass + question (default)": {}, "one pass, no question": {"context_weight": 0},
                    "each sentence on its own + whole question (before)": {"one_pass": False, "question_only": False}}
        base = float("inf")
        cold = {k: float("inf") for k in variants}
        warm = float("inf")
        n_enc = {}
        for _ in range(rounds):
            base = min(base, cpu(lambda: model.encode(texts, batch_size=64, normalize_embeddings=True,
                                                      convert_to_numpy=True, show_progress_bar=False))[0])
            for name, kw in variants.items():
                with tempfile.TemporaryDirectory() as tmp:
                    warm_anchors(tmp, cb)
                    est = mq.EmbeddingSuggester(embedder=SentenceTransformerEmbedder(cache_dir=tmp), **kw)
                    cold[name] = min(cold[name], cpu(lambda: est.fit(segs, cb).suggest(segs))[0])
                    n_enc[name] = est.embedder_.n_encoded
                    if not kw:
                        again = mq.EmbeddingSuggester(embedder=SentenceTransformerEmbedder(cache_dir=tmp))
                        warm = min(warm, cpu(lambda: again.fit(segs, cb).suggest(segs))[0])
                        assert again.embedder_.n_encoded == 0, "warm run encoded texts again"
    finally:
        torch.set_num_threads(threads)
    rows = []
    for name in variants:
        rows.append((f"real turns, cold cache, CPU: {name}", f"{len(segs)} turns, {n_enc[name]} texts encoded "
                     "vs model.encode of the turns", cold[name], base, cold[name] / base, 1.3))
    default = next(iter(variants))
    rows.append(("real turns, warm cache, CPU", "same turns, new suggester, same cache folder", warm, cold[default],
                 warm / cold[default], 0.05))
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=1, help="replicate the corpus N times (more work per stage)")
    ap.add_argument("--rounds", type=int, default=2, help="interleaved rounds of the embedding stages (best counts)")
    ap.add_argument("--out", default=str(ROOT / "outputs" / "bench_suggest.md"))
    args = ap.parse_args(argv)

    corpus, how = load_corpus()
    cb = load_codebook()
    segs = mq.segments(corpus)
    if args.repeat > 1:
        segs = mq.Segments([s for _ in range(args.repeat) for s in segs])
    texts = segs.texts
    words = sum(len(t.split()) for t in texts)
    print(f"corpus: {len(corpus)} interviews ({how}), {len(segs)} turn segments, {words:,} words; "
          f"codebook: {len(cb.codable())} codable codes")
    rows = []

    # -- rules vs nlp.pipe ----------------------------------------------------
    from mcqual.text.nlp import rule_pipeline

    rules = mq.RuleSuggester().fit(segs, cb)
    nlp = rule_pipeline("en")
    list(nlp.pipe(texts[:50]))  # warm the lemma cache for both
    ours_t, raw_t, sug = _time_pair(lambda: rules.suggest(segs), lambda: list(nlp.pipe(texts, batch_size=512)))
    rows.append(("rules", f"{len(segs)} segments, {len(sug)} suggestions", ours_t, raw_t, ours_t / raw_t, 1.3))

    # -- embeddings vs model.encode ------------------------------------------
    from mcqual.text.embedders import SentenceTransformerEmbedder, load_model

    model = load_model(None)
    model.encode(texts[:32], batch_size=64, normalize_embeddings=True)  # first-call warm-up
    encode = lambda: model.encode(texts, batch_size=64, normalize_embeddings=True,  # noqa: E731
                                  convert_to_numpy=True, show_progress_bar=False)
    # what the suggester itself embeds: each segment's sentence units and each distinct question
    from mcqual.suggest.units import sentence_units

    own = sentence_units(segs).texts + sorted({s.context for s in segs if s.context})
    encode_own = lambda: model.encode(own, batch_size=64, normalize_embeddings=True,  # noqa: E731
                                      convert_to_numpy=True, show_progress_bar=False)
    base_t = cold_t = warm_t = own_t = float("inf")
    for _ in range(args.rounds):  # interleaved rounds, each cold run on a fresh cache folder
        base_t = min(base_t, _time(encode)[0])
        own_t = min(own_t, _time(encode_own)[0])
        with tempfile.TemporaryDirectory() as tmp:
            warm_anchors(tmp, cb)  # the codebook's anchors: a one-off per codebook, not per segment
            emb = mq.EmbeddingSuggester(embedder=SentenceTransformerEmbedder(cache_dir=tmp))
            t, sug_e = _time(lambda: emb.fit(segs, cb).suggest(segs))  # fit reads the segments (per-code cuts)
            cold_t = min(cold_t, t)
            n_chunks = emb.embedder_.n_encoded  # the anchors were embedded beforehand
            warm = mq.EmbeddingSuggester(embedder=SentenceTransformerEmbedder(cache_dir=tmp))
            warm_t = min(warm_t, _time(lambda: warm.fit(segs, cb).suggest(segs))[0])
            assert warm.embedder_.n_encoded == 0, "warm run encoded texts again"
    rows.append(("embedding, cold cache", f"{len(segs)} segments -> {n_chunks} chunks encoded, "
                 f"{len(sug_e)} suggestions", cold_t, base_t, cold_t / base_t, 1.1))
    rows.append(("embedding, cold cache (same texts)", f"vs model.encode of the {len(own)} sentence units and "
                 "questions it embeds", cold_t, own_t, cold_t / own_t, 1.1))
    rows.append(("embedding, warm cache", "same segments, new suggester, same cache folder", warm_t, cold_t,
                 warm_t / cold_t, 0.05))

    rows += real_turns(cb, args.rounds + 1)

    lines = ["| stage | work | mcqual | raw baseline | ratio | target |", "|---|---|---:|---:|---:|---:|"]
    for stage, work, ours, raw, ratio, target in rows:
        ok = "ok" if ratio <= target else "MISSED"
        lines.append(f"| {stage} | {work} | {ours:.3f} s | {raw:.3f} s | {ratio:.2f}x | <= {target}x ({ok}) |")
    table = "\n".join(lines)
    print(table)
    write_report(args.out, "# Suggester speed\n\n" + table + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
