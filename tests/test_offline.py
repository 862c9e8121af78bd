"""The full pipeline never touches the network; a missing model says how to install it.

Runs in a fresh interpreter whose ``socket`` functions record every attempt and raise, with
``HF_HUB_OFFLINE``/``TRANSFORMERS_OFFLINE`` *removed* from the environment: mcqual itself must keep
sentence-transformers, transformers, BERTopic and spaCy offline.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

GUARD = textwrap.dedent("""
    import json, socket, sys
    ATTEMPTS = []
    class NetworkBlocked(OSError):
        pass
    def _block(name):
        def f(*args, **kwargs):
            ATTEMPTS.append([name, repr(args[1:] if name.startswith("socket.") else args)[:200]])
            raise NetworkBlocked(f"network blocked by the test: {name}")
        return f
    _orig_connect = socket.socket.connect
    def _connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            return _block("socket.connect")(self, address)
        return _orig_connect(self, address)
    def _connect_ex(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            return _block("socket.connect_ex")(self, address)
        return socket.socket.__dict__["_orig_connect_ex"](self, address)
    socket.socket._orig_connect_ex = socket.socket.connect_ex
    socket.socket.connect = _connect
    socket.socket.connect_ex = _connect_ex
    socket.create_connection = _block("create_connection")
    socket.getaddrinfo = _block("getaddrinfo")
    socket.gethostbyname = _block("gethostbyname")
""")

PIPELINE = GUARD + textwrap.dedent("""
    import mcqual as mq
    from mcqual.errors import MissingDependencyError
    report = {}
    root = sys.argv[1]
    corpus = mq.read_transcripts([f"{root}/transcripts/int-0{i}.docx" for i in (1, 2, 3)])
    segs = mq.segments(corpus)
    cb = mq.load_codebook(f"{root}/codebook/microcredentials.yaml")
    rules = mq.RuleSuggester().fit(segs, cb)
    report["rules"] = len(rules.suggest(segs))
    emb = mq.EmbeddingSuggester().fit(segs, cb)
    report["embedding"] = len(emb.suggest(segs))
    themes = mq.EmergentThemes(reducer="pca", clusterer="kmeans", n_clusters=3, n_quotes=1).fit(segs)
    report["themes"] = True
    report["attempts_pipeline"] = list(ATTEMPTS)
    report["modules"] = sorted(m for m in ("bertopic", "sentence_transformers", "transformers", "spacy", "torch",
                                           "huggingface_hub") if m in sys.modules)
    try:
        mq.EmbeddingSuggester(model="no-such/model").fit(segs, cb)
        report["missing"] = None
    except MissingDependencyError as err:
        report["missing"] = [err.code, str(err)]
    report["attempts_missing"] = ATTEMPTS[len(report["attempts_pipeline"]):]
    print("REPORT " + json.dumps(report))
""")


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
    env["TOKENIZERS_PARALLELISM"] = "false"
    return env


def _run(script: str, *args: str, timeout: int = 400) -> dict:
    proc = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True,
                          timeout=timeout, env=_env(), cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-4000:]
    line = next(x for x in proc.stdout.splitlines() if x.startswith("REPORT "))
    return json.loads(line[len("REPORT "):])


def test_guard_really_blocks():
    rep = _run(GUARD + textwrap.dedent("""
        import urllib.request
        try:
            urllib.request.urlopen("http://example.org", timeout=2)
        except Exception:
            pass
        print("REPORT " + json.dumps({"attempts": ATTEMPTS}))
    """))
    assert rep["attempts"], "the socket guard did not see an obvious connection attempt"


@pytest.fixture(scope="module")
def pipeline_report():
    if not (ROOT / "transcripts" / "int-01.docx").exists():
        pytest.skip("sample study not built")
    return _run(PIPELINE, str(ROOT))


@pytest.mark.slow
def test_full_pipeline_makes_no_connection_attempt(pipeline_report):
    rep = pipeline_report
    assert rep["rules"] > 0 and rep["embedding"] > 0 and rep["themes"]
    # the libraries that could reach the hub really ran
    assert rep["modules"] == ["bertopic", "huggingface_hub", "sentence_transformers", "spacy", "torch",
                              "transformers"]
    assert rep["attempts_pipeline"] == [], f"network was attempted: {rep['attempts_pipeline']}"


@pytest.mark.slow
def test_missing_model_gives_install_advice(pipeline_report):
    code, message = pipeline_report["missing"]
    assert code == "E901" and "no-such/model" in message and "pip install" in message


@pytest.mark.slow
def test_missing_model_makes_no_connection_attempt(pipeline_report):
    assert pipeline_report["attempts_missing"] == [], pipeline_report["attempts_missing"]
