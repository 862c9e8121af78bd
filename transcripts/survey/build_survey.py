"""Build the sample survey export from its reviewable sources.

Sources (``transcripts/survey/src/``): ``respondents_*.csv`` (one row per respondent:
``respondent_id, submitted, country, respondent_group, age_band, holds_microcredential, q1..q4``)
and ``coded_*.csv`` (the hand coding: ``respondent_id, question, code``; an empty code = read and
coded "nothing"). Writes, byte-reproducibly:

* ``microcredentials_survey.csv``: the export as LimeSurvey/EUSurvey write it with "question code &
  question text" headings, ``;``-separated, UTF-8 with BOM;
* ``coded_answers.csv``: ``respondent_id, question, code, coder`` (coder ``coder1``), the codes
  checked against the codebook and every coded answer checked to be non-empty.

Run: ``.venv/bin/python transcripts/survey/build_survey.py`` (``--check``: compare, write nothing).
"""
from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
QUESTIONS = {
    "q1": "What makes you trust, or distrust, a micro-credential?",
    "q2": "How has a micro-credential affected your work or career, or the people you hire, train or advise?",
    "q3": "What would help micro-credentials to be recognised, transferred or combined into larger qualifications?",
    "q4": "Is there anything else you would like to tell us?",
}
CLOSED = [("respondent_id", "Respondent ID"), ("submitted", "Date of submission"),
          ("country", "Country of residence"), ("respondent_group", "You are answering as"),
          ("age_band", "Age"), ("holds_microcredential", "Do you hold a micro-credential?")]


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        return [{k.strip(): (v or "").strip() for k, v in row.items()} for row in csv.DictReader(f)]


def build() -> dict[str, bytes]:
    respondents = [r for p in sorted((HERE / "src").glob("respondents_*.csv")) for r in _read(p)]
    respondents.sort(key=lambda r: r["respondent_id"])
    ids = [r["respondent_id"] for r in respondents]
    if len(set(ids)) != len(ids):
        raise SystemExit(f"duplicate respondent ids: {sorted({i for i in ids if ids.count(i) > 1})}")
    out = io.StringIO()
    w = csv.writer(out, delimiter=";", lineterminator="\r\n")
    w.writerow([f"{c}. {t}" if c != "respondent_id" else c for c, t in CLOSED]
               + [f"{q.upper()}. {t}" for q, t in QUESTIONS.items()])
    for r in respondents:
        w.writerow([r.get(c, "") for c, _ in CLOSED] + [r.get(q, "") for q in QUESTIONS])
    export = ("\ufeff" + out.getvalue()).encode("utf-8")

    sys.path.insert(0, str(ROOT))
    import mcqual as mq

    codebook = mq.load_codebook(ROOT / "codebook" / "microcredentials.yaml")
    answers = {(r["respondent_id"], q): r.get(q, "") for r in respondents for q in QUESTIONS}
    problems, rows = [], []
    for p in sorted((HERE / "src").glob("coded_*.csv")):
        for n, c in enumerate(_read(p), start=2):
            key = (c["respondent_id"], c["question"].lower())
            if key not in answers:
                problems.append(f"{p.name}:{n}: no answer {key}")
            elif c["code"] and not any(ch.isalnum() for ch in answers[key]):
                problems.append(f"{p.name}:{n}: {key} is empty but coded {c['code']}")
            elif c["code"] and c["code"] not in codebook:
                problems.append(f"{p.name}:{n}: unknown code {c['code']!r}")
            else:
                rows.append((c["respondent_id"], c["question"].upper(), c["code"], "coder1"))
    if problems:
        raise SystemExit("\n".join(problems))
    rows = sorted(set(rows))
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["respondent_id", "question", "code", "coder"])
    w.writerows(rows)
    return {"microcredentials_survey.csv": export, "coded_answers.csv": out.getvalue().encode("utf-8")}


def main(argv: list[str]) -> int:
    files = build()
    if "--check" in argv:
        stale = [n for n, b in files.items() if not (HERE / n).exists() or (HERE / n).read_bytes() != b]
        print("up to date" if not stale else f"stale: {', '.join(stale)}")
        return 1 if stale else 0
    for name, data in files.items():
        tmp = HERE / (name + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(HERE / name)
        print(f"wrote transcripts/survey/{name} ({len(data):,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
