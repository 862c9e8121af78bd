"""The Word report of the sample study as a reader sees it: rendered to PDF by LibreOffice, then measured.

One soffice run converts two reports (reviewed gold codings; the same codings as unreviewed suggestions).
Without LibreOffice the tests skip, unless MCQUAL_REQUIRE_SOFFICE=1 (CI), where they fail.
"""
from __future__ import annotations

import re
import shutil
import subprocess

import docx
import pandas as pd
import pytest
from docx.oxml.ns import qn

import mcqual as mq
from mcqual.export._format import UNREVIEWED
from mcqual.export.word import to_docx
from needs import skip_or_fail  # noqa: E402  (tests/ is on sys.path)

pytestmark = pytest.mark.soffice

TITLE = "Micro-credentials in labour-market training"
A4 = (595.3, 841.9)  # points
CAP = 60


def _tools() -> None:
    missing = [t for t in ("soffice", "pdftotext", "pdfinfo") if shutil.which(t) is None]
    if missing:
        skip_or_fail("MCQUAL_REQUIRE_SOFFICE", f"{', '.join(missing)} not installed (LibreOffice, poppler-utils)")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, sample_corpus, root):
    _tools()
    tmp = tmp_path_factory.mktemp("render")
    cb = mq.load_codebook(root / "codebook" / "microcredentials.yaml")
    gold = pd.read_csv(root / "transcripts" / "gold_codings.csv")
    out = {}
    for name, codings in (("reviewed", gold), ("unreviewed", gold.assign(coder="suggested (not reviewed)"))):
        tables = {"code x case": mq.code_case_matrix(codings, codebook=cb, corpus=sample_corpus, level=1),
                  "code x group": mq.code_group_matrix(codings, value="case_pct", codebook=cb, corpus=sample_corpus,
                                                       level=1),
                  "co-occurrence": mq.cooccurrence(codings, within="turn", corpus=sample_corpus, codebook=cb,
                                                   level=1),
                  "summary": mq.code_summary(codings, codebook=cb, corpus=sample_corpus, level=1)}
        path = to_docx(tmp / f"{name}.docx", tables, codebook=cb, corpus=sample_corpus, codings=codings,
                       quotes=True, title=TITLE, subtitle="Sample study", author="Study team",
                       attribution=["respondent_group", "country"], date="2026-12-06")
        out[name] = {"docx": path, "pdf": tmp / f"{name}.pdf"}
    cmd = ["soffice", f"-env:UserInstallation=file://{tmp / 'lo-profile'}", "--headless", "--convert-to", "pdf",
           "--outdir", str(tmp), str(out["reviewed"]["docx"]), str(out["unreviewed"]["docx"])]
    subprocess.run(cmd, check=True, capture_output=True, timeout=300)
    for v in out.values():
        assert v["pdf"].exists(), "LibreOffice wrote no PDF"
        v["pages"] = _pages(v["pdf"])
        v["words"] = _words(v["pdf"])
    return out


def _pages(pdf) -> list[dict]:
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    sizes = [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)]
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout.split("\f")
    return [{"size": s, "text": text[i] if i < len(text) else ""} for i, s in enumerate(sizes)]


def _words(pdf) -> list[dict]:
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    out, page = [], 0
    for line in html.splitlines():
        if "<page " in line:
            page += 1
            w = float(re.search(r'width="([\d.]+)"', line).group(1))
        m = re.search(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*)</word>', line)
        if m:
            out.append({"page": page, "x0": float(m.group(1)), "x1": float(m.group(3)), "width": w,
                        "text": m.group(5)})
    return out


@pytest.mark.parametrize("which", ["reviewed", "unreviewed"])
def test_a4_no_empty_page_and_the_title(rendered, which):
    pages = rendered[which]["pages"]
    assert 3 <= len(pages) <= 14
    for w, h in (p["size"] for p in pages):
        assert sorted((round(w, 1), round(h, 1))) == sorted(A4)
    for i, p in enumerate(pages, start=1):
        assert len(p["text"].split()) >= 15, f"page {i} is (nearly) empty"
    assert TITLE.split()[0] in pages[0]["text"] and "training" in pages[0]["text"]


@pytest.mark.parametrize("which", ["reviewed", "unreviewed"])
def test_every_table_inside_the_page_and_nothing_broken(rendered, which):
    d = docx.Document(rendered[which]["docx"])
    body = list(d.element.body.iterchildren())
    sections, k = list(d.sections), 0
    for child in body:
        if child.tag == qn("w:tbl"):
            sec = sections[k]
            usable = (int(sec.page_width) - int(sec.left_margin) - int(sec.right_margin)) // 635
            assert int(child.tblPr.find(qn("w:tblW")).get(qn("w:w"))) <= usable
        p_pr = child.find(qn("w:pPr"))
        if p_pr is not None and p_pr.find(qn("w:sectPr")) is not None:
            k += 1
    words = rendered[which]["words"]
    for w in words:  # nothing runs into the right margin (2.5 cm = 71 pt) or off the page
        assert w["x1"] <= w["width"] - 60, (w["page"], w["text"])
    tokens = {w["text"] for w in words}
    for t in d.tables:  # header words whole (no one-letter-per-line wraps), numbers never split
        for cell in t.rows[0].cells:
            for word in cell.text.replace("(", " ").replace(")", " ").split():
                if len(word) > 3 and word.isalpha():
                    assert word in tokens or any(word in x for x in tokens), word
        for row in t.rows[1:]:
            for cell in row.cells:
                if cell.text.isdigit():
                    assert cell.text in tokens


@pytest.mark.parametrize("which", ["reviewed", "unreviewed"])
def test_quotes_distinct_within_the_cap_and_spread(rendered, which):
    d = docx.Document(rendered[which]["docx"])
    quotes = [p.text for p in d.paragraphs if p.style.name == "Quote"]
    assert len(quotes) >= 15
    bodies = [q[1:q.index("” (")] for q in quotes]
    assert len(set(bodies)) == len(bodies)
    assert all(len(b.replace("…", "").split()) <= CAP for b in bodies)
    attributions = [q[q.index("” (") + 3:-1].split(", ") for q in quotes]
    groups = {a[0] for a in attributions}
    cases = {a[2] for a in attributions}
    assert groups == {"learner", "employer", "provider", "stakeholder"}
    assert len(cases) >= 10
    text = "\n".join(p["text"] for p in rendered[which]["pages"])
    assert "[redacted]" not in text.lower() and "[inaudible]" not in text.lower()


def test_provenance_as_printed(rendered):
    reviewed = rendered["reviewed"]["pages"]
    assert "reviewed codings" in reviewed[0]["text"] and UNREVIEWED not in " ".join(p["text"] for p in reviewed)
    flat = [" ".join(p["text"].split()) for p in rendered["unreviewed"]["pages"]]
    assert all(UNREVIEWED in p for p in flat), "every page carries the stamp"
