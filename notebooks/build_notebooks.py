"""Write the notebooks in this folder from the cells below (reviewable in diffs; committed without outputs).

Run: ``.venv/bin/python notebooks/build_notebooks.py``. ``tests/test_notebooks.py`` executes every
notebook with nbclient, so they never rot. Notebooks write only to a temporary folder.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

QUICKSTART = [
    ("md", "# mcqual quickstart\nRead the sample study, get code suggestions, review them, build the theme "
           "tables and export them — offline. Every object shows itself as a table or highlighted text."),
    ("code", "import tempfile, pathlib\nimport mcqual as mq\nout = pathlib.Path(tempfile.mkdtemp())\n"
             "corpus = mq.read_transcripts('../transcripts')   # .docx (Teams, Otter, Word Transcribe, hand-typed) + cases.csv\n"
             "corpus"),
    ("md", "Files that could not be read are listed, each with a numbered error, and the rest is read. "
           "A transcript shows its speakers, timestamps and turns; `turn.text == transcript.text[turn.start:turn.end]` always."),
    ("code", "print(corpus.errors)\nt = corpus['int-03']\nt"),
    ("code", "codebook = mq.load_codebook('../codebook/microcredentials.yaml')\ncodebook"),
    ("md", "## Suggest codes\nRules (keywords and spaCy patterns on lemmas) and embeddings (all-MiniLM-L6-v2, "
           "from the installed package, cached on disk) each give a score and a reason; the ensemble keeps one "
           "suggestion per segment and code."),
    ("code", "segs = mq.segments(corpus, unit='turn')      # respondent turns; back-channels like 'Mm-hm.' left out\n"
             "suggester = mq.Ensemble([mq.RuleSuggester(), mq.EmbeddingSuggester()])\n"
             "sugg = suggester.fit(segs, codebook).suggest(segs)\n"
             "sugg.filter(code='trust.quality_assurance', min_score=0.6)"),
    ("md", "## Review in a project\nA project is one SQLite file. Decisions are an append-only log: "
           "re-running the suggesters never overwrites or duplicates what a coder decided."),
    ("code", "project = mq.Project.create(out / 'study.mcqual')\nproject.add_transcripts(corpus)\n"
             "project.set_codebook(codebook)\nproject.suggest(suggester, unit='turn')\n"
             "pending = project.suggestions(status='pending')\npending.head()"),
    ("md", "In Jupyter, `project.review(code=..., coder=...)` shows the pending suggestions one by one with "
           "Accept / Reject / Skip buttons. In a script (or this test run) decide by id:"),
    ("code", "review = project.review(code='employer_value.hiring_signal', coder='AK')\n"
             "ids = list(pending.query(\"code == 'employer_value.hiring_signal'\").sort_values('score', ascending=False)['suggestion_id'])\n"
             "project.accept(ids[:5], coder='AK'); project.reject(ids[5:7], coder='AK')\n"
             "project.suggest(suggester, unit='turn')   # again: the 7 decisions stay as they are\n"
             "project.codings(coder='AK')"),
    ("md", "## Theme tables\nWith no complete human coding yet, this demo builds the tables from the suggestions "
           "above 0.5, as a provisional coder; in a real study use `project.codings()`."),
    ("code", "codings = sugg.to_frame()\nmatrix = mq.code_case_matrix(codings, codebook=codebook, corpus=corpus, level=1)\nmatrix"),
    ("code", "groups = mq.code_group_matrix(codings, by='respondent_group', codebook=codebook, corpus=corpus)\n"
             "fig = mq.plot.heatmap(groups, codebook=codebook, title='Codes by respondent group', path=out / 'groups.png')\ngroups"),
    ("code", "mq.export.to_excel(out / 'report.xlsx', {'code x case': matrix, 'code x group': groups}, codebook=codebook)\n"
             "mq.export.to_docx(out / 'report.docx', {'Codes by respondent group': groups}, codebook=codebook,\n"
             "                  figures=[(out / 'groups.png', 'Codes by respondent group')])\n"
             "mq.to_qdpx(project, out / 'study.qdpx')\nsorted(p.name for p in out.iterdir())"),
]

RELIABILITY = [
    ("md", "# Codebook and reliability\nWrite a codebook in code, change it with its history kept, "
           "and measure how far two coders agree."),
    ("code", "import pandas as pd\nimport mcqual as mq\n"
             "cb = mq.Codebook([\n"
             "    mq.Code('trust', 'Trust', codable=False, color='#1f77b4'),\n"
             "    mq.Code('trust.issuer', 'Issuer reputation', parent='trust', definition='The credential is trusted because of who issued it.',\n"
             "            keywords=('issuer', 'university', 'chamber'), examples=('If it is from the chamber, we take it.',)),\n"
             "    mq.Code('trust.assessment', 'Assessment', parent='trust', definition='How the learning was assessed.',\n"
             "            keywords=('exam', 'assessed', 'test')),\n"
             "    mq.Code('value', 'Employer value', definition='What the credential is worth to employers.', keywords=('hire', 'salary')),\n"
             "], name='tiny codebook', version='1')\ncb"),
    ("md", "A rename keeps the code's id, so codings follow it; every change is in the history."),
    ("code", "cb2 = cb.rename_code('trust.assessment', label='Assessment rigour')\ncb2.history[-1]"),
    ("code", "cb2.to_frame()[['id', 'path', 'label', 'codable']]"),
    ("md", "## Two coders\nTwo coders coded the same three answers (character spans on the texts)."),
    ("code", "texts = ['We only hire people whose badge comes from a known university.',\n"
             "         'The exam was online and nobody checked who sat it.',\n"
             "         'It helped me get a better salary, honestly.']\n"
             "corpus = mq.Corpus([mq.Transcript.from_turns(f'a{i}', [('R', t, None, 'respondent')]) for i, t in enumerate(texts)])\n"
             "rows = []\n"
             "def code(coder, tid, quote, code_id):\n"
             "    text = corpus[tid].text; s = text.index(quote)\n"
             "    rows.append(dict(transcript_id=tid, start=s, end=s + len(quote), code=code_id, coder=coder))\n"
             "code('AK', 'a0', 'badge comes from a known university', 'trust.issuer'); code('MB', 'a0', 'from a known university', 'trust.issuer')\n"
             "code('AK', 'a0', 'We only hire people', 'value'); code('MB', 'a1', 'nobody checked who sat it', 'trust.assessment')\n"
             "code('AK', 'a1', 'The exam was online and nobody checked who sat it', 'trust.assessment')\n"
             "code('AK', 'a2', 'It helped me get a better salary', 'value'); code('MB', 'a2', 'get a better salary', 'value')\n"
             "codings = pd.DataFrame(rows)\ncodings"),
    ("code", "res = mq.agreement(codings, coders=['AK', 'MB'], unit='turn', corpus=corpus, codebook=cb2)\nres"),
    ("md", "`res.disagreements` lists the units the team should discuss. Character-level agreement "
           "(Krippendorff's unitized alpha) also counts where the coders put the boundaries."),
    ("code", "res.disagreements"),
    ("code", "mq.agreement(codings, coders=['AK', 'MB'], unit='character', corpus=corpus).overall"),
    ("md", "The statistics are also there on their own, e.g. Krippendorff's alpha on coders x units with "
           "missing values (the 2011 worked example: 0.743)."),
    ("code", "import numpy as np\nnan = np.nan\n"
             "data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan], [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],\n"
             "        [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan], [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]]\n"
             "round(mq.reliability.krippendorff_alpha(data, level='nominal'), 3)"),
]

EMERGENT = [
    ("md", "# Emergent themes\nWhat do respondents talk about that the codebook does not cover yet? "
           "BERTopic over the segments no accepted coding covers, on the cached embeddings, fully offline."),
    ("code", "import mcqual as mq\ncorpus = mq.read_transcripts('../transcripts')\n"
             "codebook = mq.load_codebook('../codebook/microcredentials.yaml')\n"
             "segs = mq.segments(corpus, unit='turn')\nlen(segs)"),
    ("md", "Light settings (PCA + KMeans) with a seed make the result deterministic and quick; "
           "for a large corpus use the defaults (UMAP + HDBSCAN)."),
    ("code", "themes = mq.EmergentThemes(reducer='pca', clusterer='kmeans', n_clusters=8, seed=7).fit(segs, codebook)\n"
             "themes.to_frame()"),
    ("md", "Each candidate theme comes with its top terms, representative quotes and its nearest existing code. "
           "A theme worth keeping becomes a new code, with the history recorded:"),
    ("code", "first = themes.to_frame().iloc[0]\nnew_cb = themes.to_codebook(codebook, int(first.iloc[0]), code_id='emergent.candidate_1')\n"
             "new_cb['emergent.candidate_1']"),
]


GUIDE_SURVEY = [
    ("md", "# Interview guide and survey answers\nWhich interviewer turn asks which guide question, the question × "
           "respondent grid, and open survey answers coded next to the interviews."),
    ("code", "import tempfile, pathlib\nimport pandas as pd\nimport mcqual as mq\nout = pathlib.Path(tempfile.mkdtemp())\n"
             "corpus = mq.read_transcripts('../transcripts')\nguide = mq.load_guide('../codebook/interview_guide.yaml')\nguide"),
    ("md", "## Align each interview to its guide\nEmbedding similarity and word overlap, then one path through the "
           "guide's order that allows skips, follow-ups and a penalised jump back. Low-confidence rows are yellow."),
    ("code", "al = mq.align_guide(corpus, guide)\nal"),
    ("code", "al.unasked['int-05'], al.notes"),
    ("md", "A wrong alignment is corrected (in a project: reject the suggestion and code the right span, "
           "both logged decisions; see `al.to_project(project)`)."),
    ("code", "first = al.transcript('int-05')[0]\nfixed = al.correct('int-05', first.turn, 'background.role')\n"
             "fixed.transcript('int-05')[0]"),
    ("code", "grid = mq.question_grid(al, corpus, guide=guide, words=25, by='respondent_group')\n"
             "grid.iloc[:6, :5]"),
    ("code", "long = mq.question_grid(al, corpus, guide=guide, long=True)\n"
             "mq.export.to_excel(out / 'grid.xlsx', {'question grid': grid})\n"
             "mq.export.grid_to_docx(out / 'grid.docx', long, guide=guide, attributes=corpus.attributes)\n"
             "sorted(p.name for p in out.iterdir())"),
    ("md", "## Survey answers\nOne transcript per respondent, one turn per answer; the question is each "
           "segment's context and the closed answers are case attributes."),
    ("code", "survey = mq.read_survey('../transcripts/survey/microcredentials_survey.csv')\n"
             "mq.segments(survey, unit='answer').to_frame()[['transcript_id', 'context', 'text']].head()"),
    ("code", "codebook = mq.load_codebook('../codebook/microcredentials.yaml')\n"
             "coded = mq.survey_codings(survey, pd.read_csv('../transcripts/survey/coded_answers.csv', dtype=str,"
             " keep_default_na=False))\n"
             "mq.guide_crosstab(coded, mq.question_spans(survey), codebook=codebook, level=1)"),
    ("code", "mq.code_group_matrix(coded, by='respondent_group', codebook=codebook, corpus=survey, level=1)"),
]

BY_HAND = [
    ("md", "# Coding by hand\nThe coding view (select text with the mouse, pick a code), search with keyword in "
           "context, coding by quote, codes named by label, memos, and the review card. Every action is one entry "
           "in the project's append-only log."),
    ("code", "import tempfile, pathlib\nimport mcqual as mq\nout = pathlib.Path(tempfile.mkdtemp())\n"
             "project = mq.Project.create(out / 'study.mcqual', coder='AK')\n"
             "project.add_transcripts(mq.read_transcripts('../transcripts'))\n"
             "project.set_codebook(mq.load_codebook('../codebook/microcredentials.yaml'))\n"
             "project.suggest(mq.RuleSuggester())   # rules only here: seconds, no model\nproject"),
    ("md", "## The coding view\nSelect a passage with the mouse, type a few letters of a code (its label, id or "
           "path), press Enter. Stripes in the margin show the codings in the codebook's colours; click one to "
           "remove it, change its code or write a memo. Suggestions are underlined with dashes: accept or reject "
           "them in place. Saved without a kernel, the view shows as a readable table."),
    ("code", "project.view('int-03')"),
    ("md", "## Search, and code the hits\nA plain pattern matches whole words, in any case, across line breaks "
           "and whatever the quote marks; `lemma=True` also finds *trusted* and *trusts*."),
    ("code", "hits = project.search('trust', role='respondent', lemma=True)\nhits.head(8)"),
    ("code", "ids = project.code_hits(hits[hits.transcript_id == 'int-02'], 'Issuer reputation', extend='sentence')\n"
             "project.codings(coder='AK')[['transcript_id', 'code', 'snippet']]"),
    ("md", "## Code by quote\nThe words are found whatever the line breaks, quote marks and dashes; a quote "
           "that is not there, or there twice, is an error that says where (and `occurrence=` picks one)."),
    ("code", "cid = project.code('int-03', 'Credits and levels', quote='between five and thirty ECTS credits')\n"
             "project.codings(coder='AK').tail(1)[['transcript_id', 'start', 'end', 'code', 'snippet']]"),
    ("md", "## Memos\nOn the project, a transcript, a span, a code or a coding. Editing writes a new version; "
           "nothing is overwritten."),
    ("code", "m = project.memo('Providers define micro-credentials by ECTS; employers by the issuer.', code='Credits and levels')\n"
             "project.memo('Providers define micro-credentials by ECTS and level; employers by who issues them.', replaces=m)\n"
             "project.memo('Clear definition, worth quoting in the chapter on recognition.', coding=cid)\n"
             "project.memos()"),
    ("md", "## The review card\nThe interviewer's question above the answer, the suggested span highlighted "
           "inside its turn; widen or narrow it, accept it as another code, add a note. Keys: a, r, s, u, arrows."),
    ("code", "project.review(code='Hiring signal')"),
]


def _notebook(cells) -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.cells = [new_markdown_cell(src) if kind == "md" else new_code_cell(src) for kind, src in cells]
    for i, cell in enumerate(nb.cells):  # stable ids: regenerating changes nothing that did not change
        cell["id"] = f"cell-{i:02d}"
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


NOTEBOOKS = {"01_quickstart.ipynb": QUICKSTART, "02_codebook_and_reliability.ipynb": RELIABILITY,
             "04_guide_and_survey.ipynb": GUIDE_SURVEY,
             "03_emergent_themes.ipynb": EMERGENT, "05_coding_by_hand.ipynb": BY_HAND}


def main() -> None:
    for name, cells in NOTEBOOKS.items():
        nbformat.write(_notebook(cells), HERE / name)
        print("wrote", HERE / name)


if __name__ == "__main__":
    main()
