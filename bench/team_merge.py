"""Merging two coders' files, their disagreements and the agreement report on the sample study (issue 19 B).

AK's codings are the sample study's gold codings (959); MB's are a seeded perturbation of them, the
kind of differences two trained coders produce: 10 % left out, 10 % given another code of the same
theme, 20 % with boundaries moved by up to 40 characters, 5 % extra codings. Each coder's project is
coded in one file; the bench times the merge, a second (idempotent) merge, the disagreements view,
its Excel sheet and the agreement report at three units, prints the figures and writes them to
``outputs/team_merge.json``.

Run: ``PYTHONPATH=$PWD python bench/team_merge.py`` (``--large``: also 2 coders x 10,200 random codings on
one 600-turn transcript, to see how merge, disagreements and the report scale).
"""
from __future__ import annotations

import json
import random
import sys
import tempfile
import time
from pathlib import Path

from _report import write_report  # noqa: E402  (bench/ is on sys.path when a script runs)

ROOT = Path(__file__).resolve().parents[1]


def perturb(gold, codebook, seed: int = 19):
    rng = random.Random(seed)
    by_theme: dict[str, list[str]] = {}
    for c in codebook.codable():
        by_theme.setdefault(c.id.split(".")[0], []).append(c.id)
    rows = []
    for r in gold.to_dict("records"):
        u = rng.random()
        if u < 0.10:
            continue
        r = dict(r, coder="MB")
        if u < 0.20:
            others = [c for c in by_theme.get(r["code"].split(".")[0], []) if c != r["code"]]
            if others:
                r["code"] = rng.choice(others)
        elif u < 0.40:
            r["start"] = max(0, r["start"] + rng.randint(-40, 40))
            r["end"] = max(r["start"] + 5, r["end"] + rng.randint(-40, 40))
        rows.append(r)
    extra = gold.sample(frac=0.05, random_state=seed).assign(coder="MB")
    extra["code"] = [rng.choice([c.id for c in codebook.codable()]) for _ in range(len(extra))]
    return rows + extra.to_dict("records")


def main() -> dict:
    import pandas as pd

    import mcqual as mq

    corpus = mq.read_transcripts(ROOT / "transcripts")
    cb = mq.load_codebook(ROOT / "codebook" / "microcredentials.yaml")
    gold = pd.read_csv(ROOT / "transcripts" / "gold_codings.csv")
    lengths = {t.id: len(t.text) for t in corpus}
    d = Path(tempfile.mkdtemp())
    out: dict = {"gold_codings": len(gold)}
    for who, rows in (("AK", gold.assign(coder="AK").to_dict("records")), ("MB", perturb(gold, cb))):
        rows = [dict(r, end=min(r["end"], lengths[r["transcript_id"]])) for r in rows]
        with mq.Project.create(d / f"{who}.mcqual", coder=who) as p:
            p.add_transcripts(corpus)
            p.set_codebook(cb)
            p.code_many(rows)
        out[f"codings_{who}"] = len(rows)
    t0 = time.perf_counter()
    rep = mq.merge_projects([d / "AK.mcqual", d / "MB.mcqual"], into=d / "team.mcqual")
    out["merge_s"] = round(time.perf_counter() - t0, 2)
    out["merge"] = {"events_added": rep.events_added, "transcripts_added": rep.transcripts_added}
    t0 = time.perf_counter()
    again = mq.merge_projects([d / "AK.mcqual", d / "MB.mcqual"], into=d / "team.mcqual")
    out["merge_again_s"] = round(time.perf_counter() - t0, 2)
    out["merge_again"] = {"events_added": again.events_added, "events_skipped": again.events_skipped}
    with mq.Project.open(d / "team.mcqual") as team:
        t0 = time.perf_counter()
        dis = team.disagreements(coders=["AK", "MB"])
        out["disagreements_s"] = round(time.perf_counter() - t0, 2)
        out["disagreements"] = dis.counts()
        t0 = time.perf_counter()
        dis.to_excel(d / "disagreements.xlsx")
        out["excel_s"] = round(time.perf_counter() - t0, 2)
        for unit in ("sentence", "turn", "character"):
            t0 = time.perf_counter()
            ar = mq.agreement_report(team, coders=["AK", "MB"], unit=unit)
            o = ar.overall
            out[f"report_{unit}"] = {
                "seconds": round(time.perf_counter() - t0, 2), "n_units": o["n_units"],
                "kappa_pooled": round(o["kappa"], 3),
                "kappa_95ci": [round(o["kappa_low"], 3), round(o["kappa_high"], 3)] if unit != "character" else None,
                "median_kappa": round(o["median_kappa"], 3),
                "mean_kappa": round(o["mean_kappa"], 3), "percent_agreement": round(o["percent_agreement"], 4),
                "segment_agreement_90": round(o["segment_agreement"], 3), "segments": o["segments"],
                "cu_alpha": round(o["cu_alpha"], 3), "codes": o["n_codes"], "codes_both": o["n_codes_both"]}
        out["methods_text_sentence"] = mq.agreement_report(team, coders=["AK", "MB"]).methods_text()
    for k, v in out.items():
        print(f"{k}: {v}")
    write_report(ROOT / "outputs" / "team_merge.json", json.dumps(out, indent=2, ensure_ascii=False))
    return out


def large() -> dict:
    """Two coders x 10,200 random codings (30 codes) on one transcript of 600 turns."""
    import mcqual as mq

    rng = random.Random(1)
    words = ["badges", "trust", "cost", "employers", "skills", "proof"]
    turns = [("R", f"Answer {i}: " + " ".join(rng.choice(words) for _ in range(40)) + ".") for i in range(600)]
    t = mq.Transcript.from_turns("big", turns)
    cb = mq.Codebook.from_codes([f"c{i}" for i in range(30)])
    d = Path(tempfile.mkdtemp())
    for who in ("AK", "MB"):
        rows = []
        for u in t.turns:
            for _ in range(17):
                a = rng.randint(u.start, u.end - 20)
                rows.append({"transcript_id": "big", "start": a, "end": min(u.end, a + rng.randint(10, 120)),
                             "code": f"c{rng.randint(0, 29)}"})
        with mq.Project.create(d / f"{who}.mcqual", coder=who) as p:
            p.add_transcripts([t])
            p.set_codebook(cb)
            p.code_many(rows)
    out: dict = {}
    src = [d / "AK.mcqual", d / "MB.mcqual"]
    t0 = time.perf_counter()
    out["events"] = mq.merge_projects(src, into=d / "team.mcqual").events_added
    out["merge_s"] = round(time.perf_counter() - t0, 2)
    t0 = time.perf_counter()
    out["skipped_again"] = mq.merge_projects(src, into=d / "team.mcqual").events_skipped
    out["merge_again_s"] = round(time.perf_counter() - t0, 2)
    with mq.Project.open(d / "team.mcqual") as team:
        t0 = time.perf_counter()
        out["passages"] = len(team.disagreements(coders=["AK", "MB"]))
        out["disagreements_s"] = round(time.perf_counter() - t0, 2)
        t0 = time.perf_counter()
        mq.agreement_report(team, coders=["AK", "MB"], unit="turn")
        out["report_turn_s"] = round(time.perf_counter() - t0, 2)
    print("large:", out)
    return out


if __name__ == "__main__":
    result = main()
    if "--large" in sys.argv:
        result["large"] = large()
        write_report(ROOT / "outputs" / "team_merge.json", json.dumps(result, indent=2, ensure_ascii=False))
    sys.exit(0 if result else 1)
