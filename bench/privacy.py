"""Measure pseudonymisation recall and precision on the sample study with planted names.

Run: ``.venv/bin/python bench/privacy.py`` (prints Markdown tables; ``--json`` for machine output).

What is planted (into copies of the 14 sample transcripts, never into the files):

* the real names already there: every speaker's and every interviewer's/respondent's name
  (``cases.csv``), in full and by first or last name, wherever they occur in the talk;
* extra people, one or two per interview, inserted into respondent turns in full
  ("my colleague Ingrid Halvorsen said …") and again by first name ("… Ingrid thinks …");
* an organisation and a place per interview (user list, kinds ORG and PLACE);
* an e-mail address, a phone number (international and national formats) and a URL per interview.

The gold standard is every occurrence (word-bounded) of those strings. A gold span counts as
found when one replacement covers it completely. Precision is measured against the gold
spans: replacements that touch no gold span are counted as false positives (a lower bound:
some may be genuine personal data the plan did not list). Detectors: speakers, metadata, list
(given the planted list of extra people/organisations/places), patterns; NER only when a trained
spaCy pipeline is installed.

Codings stay anchored: every turn of every transcript is "coded" on the planted text, re-mapped
with ``PseudonymResult.map_codings``, and compared with the expected pseudonymised text.
"""
from __future__ import annotations

import json
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import mcqual as mq  # noqa: E402
from mcqual.corpus import Corpus  # noqa: E402
from mcqual.model import Transcript  # noqa: E402

PEOPLE = ["Ingrid Halvorsen", "Mateusz Wróblewski", "Aoife Brennan", "Giorgos Antoniou", "Henrike Vogt",
          "Luca Bianchi", "Élodie Marchand", "Kaisa Heikkinen", "Bram Verhoeven", "Nuria Castells",
          "Ondřej Novák", "Margit Szabó", "Jonas Petersen", "Zeynep Aydın", "Saoirse Kelly", "Dragan Ilić"]
ORGS = ["Brightwave Analytics", "Nordlicht Maschinenbau", "Colegio Santa Brígida", "Kestrel Logistics"]
PLACES = ["Tampere", "Galway", "Gdynia", "Valladolid"]
TEMPLATES = [
    " My colleague {p} said the same thing last week.",
    " I discussed it with {p}, who is our training coordinator.",
    " You could also ask {p}; she knows the recognition rules better.",
]
FIRST = [" Later {f} told me it was accepted.", " But {f}'s manager was not convinced at all."]
CONTACT = [" You can reach me at {e} or on {ph}.", " The details are on {u}, or call {ph}."]


def plant(corpus: Corpus, seed: int = 3) -> tuple[Corpus, dict[str, str], list[str]]:
    """Copies of the transcripts with extra names, organisations, places and contacts in respondent turns."""
    rng = random.Random(seed)
    planted: dict[str, str] = {}  # string -> kind
    extra_list: list[str] = []
    out = []
    for k, t in enumerate(corpus):
        people = [PEOPLE[(2 * k) % len(PEOPLE)], PEOPLE[(2 * k + 1) % len(PEOPLE)]]
        org, place = ORGS[k % len(ORGS)], PLACES[k % len(PLACES)]
        first = people[0].split()[0]
        email = f"{people[0].split()[0].lower()}.{k}@example-{k}.eu"
        phone = ["+49 170 555 01{:02d}".format(k), "0043 664 123 45{:02d}".format(k), "(01) 555 {:04d}".format(k)][k % 3]
        url = f"https://www.example-{k}.org/profile?id={k}"
        for s, kind in [(people[0], "PERSON"), (people[1], "PERSON"), (first, "PERSON"), (org, "ORG"),
                        (place, "PLACE"), (email, "EMAIL"), (phone, "PHONE"), (url, "URL")]:
            planted[s] = kind
        extra_list += [people[0], people[1]]
        inserts = [rng.choice(TEMPLATES).format(p=people[0]), f" We worked with {org} in {place} on this.",
                   rng.choice(TEMPLATES).format(p=people[1]), rng.choice(FIRST).format(f=first),
                   rng.choice(CONTACT).format(e=email, ph=phone, u=url), f" Write to {email} or see {url}."]
        turns = []
        resp = [i for i, tu in enumerate(t.turns) if tu.role != "interviewer"] or list(range(len(t.turns)))
        slots = {resp[int(j * len(resp) / len(inserts))]: [] for j in range(len(inserts))}
        for j, ins in enumerate(inserts):
            slots[resp[int(j * len(resp) / len(inserts))]].append(ins)
        for i, tu in enumerate(t.turns):
            turns.append((tu.speaker, tu.text + "".join(slots.get(i, [])), tu.timestamp, tu.role))
        # interviewer/respondent stay where the sample study keeps them: case attributes (cases.csv)
        out.append(Transcript.from_turns(t.id, turns, attributes=dict(t.attributes)))
    return Corpus(out), planted, sorted(set(extra_list))


def real_names(corpus: Corpus) -> dict[str, str]:
    """Names of speakers, interviewers and respondents of the study, with their first and last names."""
    from mcqual.privacy import _GENERIC_SPEAKER, _name_parts

    names: dict[str, str] = {}
    for t in corpus:
        cands = [s for s in t.speakers if s and not _GENERIC_SPEAKER.match(s)]
        for key in ("interviewer", "respondent"):
            cands += [x.strip() for x in str(t.attributes.get(key) or "").split(",") if x.strip()]
        for n in cands:
            names[n] = "PERSON"
            for part in _name_parts(n):
                names[part] = "PERSON"
    return names


def gold_spans(corpus: Corpus, strings: dict[str, str]) -> list[tuple[str, int, int, str, str]]:
    alts = sorted(strings, key=len, reverse=True)
    rx = re.compile(r"(?<![\w@.-])(?:" + "|".join(re.escape(a) for a in alts) + r")(?![\w@])")
    out = []
    for t in corpus:
        for m in rx.finditer(t.text):
            out.append((t.id, m.start(), m.end(), m.group(0), strings[m.group(0)]))
    return out


def measure(detectors=("speakers", "metadata", "list", "patterns", "ner"), use_list: bool = True) -> dict:
    sample = mq.read_transcripts(ROOT / "transcripts")
    planted_corpus, planted, extra_people = plant(sample)
    strings = {**planted, **real_names(planted_corpus)}
    gold = gold_spans(planted_corpus, strings)
    names = None
    if use_list:
        names = {p: "PERSON" for p in extra_people}
        names.update({o: "ORG" for o in ORGS})
        names.update({pl: "PLACE" for pl in PLACES})
    t0 = time.perf_counter()
    res = mq.pseudonymise(planted_corpus, names, detectors=detectors)
    seconds = time.perf_counter() - t0
    by_t: dict[str, list] = {}
    for r in res.replacements:
        by_t.setdefault(r.transcript_id, []).append(r)
    per_kind: dict[str, list[int]] = {}
    for tid, a, b, s, kind in gold:
        hit = any(r.start <= a and b <= r.end for r in by_t.get(tid, []))
        per_kind.setdefault(kind, [0, 0])
        per_kind[kind][0] += hit
        per_kind[kind][1] += 1
    gold_by_t: dict[str, list] = {}
    for g in gold:
        gold_by_t.setdefault(g[0], []).append(g)
    fp = [r for r in res.replacements
          if not any(g[1] < r.end and r.start < g[2] for g in gold_by_t.get(r.transcript_id, []))]
    # leaks: a gold string still present in the pseudonymised text
    leaks = sum(1 for t in res.corpus for s in strings
                if re.search(r"(?<![\w@.-])" + re.escape(s) + r"(?![\w@])", t.text))
    anchored, total = _anchoring(planted_corpus, res)
    found = sum(v[0] for v in per_kind.values())
    return {"detectors": list(res.detectors), "skipped": res.skipped_detectors, "gold": len(gold),
            "found": found, "recall": found / len(gold), "replacements": len(res.replacements),
            "false_positives": len(fp), "precision": 1 - len(fp) / max(len(res.replacements), 1),
            "per_kind": {k: {"found": v[0], "gold": v[1], "recall": v[0] / v[1]} for k, v in sorted(per_kind.items())},
            "leaked_strings": leaks, "codings_anchored": anchored, "codings": total, "seconds": seconds,
            "false_positive_examples": sorted({r.original for r in fp})[:10]}


def _anchoring(corpus: Corpus, res) -> tuple[int, int]:
    import pandas as pd

    rows = [{"transcript_id": t.id, "start": tu.start, "end": tu.end, "code": "x"} for t in corpus for tu in t.turns]
    # also spans that start or end inside a name
    for r in res.replacements[::7]:
        rows.append({"transcript_id": r.transcript_id, "start": r.start + 1, "end": min(r.end + 20,
                     len(corpus[r.transcript_id].text)), "code": "y"})
    mapped = res.map_codings(pd.DataFrame(rows))
    ok = 0
    for old, new in zip(rows, mapped.itertuples()):
        expected = _expected(corpus[old["transcript_id"]].text, old["start"], old["end"], res, old["transcript_id"])
        ok += res.corpus[new.transcript_id].text[new.start:new.end] == expected
    return ok, len(rows)


def _expected(text: str, a: int, b: int, res, tid: str) -> str:
    """The span's text with every replacement that overlaps it applied (names cut by the span are widened)."""
    reps = [r for r in res.replacements if r.transcript_id == tid and r.start < b and a < r.end]
    parts, pos = [], a
    for r in sorted(reps, key=lambda r: r.start):
        parts.append(text[pos:max(pos, r.start)])
        parts.append(r.placeholder)
        pos = r.end
    parts.append(text[pos:b] if pos < b else "")
    return "".join(parts)


def main(argv: list[str]) -> int:
    runs = [("speakers + metadata + list + patterns", dict(detectors=("speakers", "metadata", "list", "patterns"))),
            ("speakers + metadata + patterns (no list)", dict(detectors=("speakers", "metadata", "patterns"),
                                                              use_list=False)),
            ("all (ner when installed)", dict())]
    results = {name: measure(**kw) for name, kw in runs}
    if "--json" in argv:
        print(json.dumps(results, indent=1, ensure_ascii=False))
        return 0
    print("| detectors | gold spans | recall | precision | leaked strings | codings anchored | time |")
    print("|---|---|---|---|---|---|---|")
    for name, r in results.items():
        skipped = f" (not run: {', '.join(r['skipped'])})" if r["skipped"] else ""
        print(f"| {name}{skipped} | {r['gold']} | {r['recall']:.3f} | {r['precision']:.3f} | {r['leaked_strings']} | "
              f"{r['codings_anchored']}/{r['codings']} | {r['seconds']:.2f} s |")
    print()
    main_run = results[runs[0][0]]
    print(f"Recall by kind ({runs[0][0]}):\n")
    print("| kind | found | gold | recall |")
    print("|---|---|---|---|")
    for kind, v in main_run["per_kind"].items():
        print(f"| {kind} | {v['found']} | {v['gold']} | {v['recall']:.3f} |")
    if main_run["false_positive_examples"]:
        print("\nReplacements outside the gold standard (examples):", ", ".join(main_run["false_positive_examples"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
