"""A real JupyterLab server and a headless Chromium (Playwright) for the browser tests.

Nothing of the developer's Jupyter setup leaks in: the server runs with fresh
``JUPYTER_CONFIG_DIR``/``JUPYTER_DATA_DIR``/``JUPYTER_RUNTIME_DIR`` and workspace
folders, and its kernels import mcqual from this checkout (``PYTHONPATH``).
Chromium is Debian's (``shutil.which("chromium")``); ``playwright install`` is
never run. Without Chromium, Playwright or a server that starts, the tests
skip with the reason — or fail where ``MCQUAL_REQUIRE_BROWSER=1`` (CI).
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from needs import skip_or_fail  # noqa: E402  (tests/ is on sys.path)

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "outputs" / "browser"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]


def unavailable(reason: str):
    """Skip with ``reason`` — or fail when the browser is required (CI)."""
    skip_or_fail("MCQUAL_REQUIRE_BROWSER", reason)


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        unavailable("Debian's chromium is not installed (apt-get install -y chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        unavailable("the playwright package is not installed (pip install playwright; never `playwright install`)")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LabServer:
    """``python -m jupyter lab`` on 127.0.0.1 with a token, a temporary root and its own config dirs."""

    def __init__(self, root_dir: Path, home: Path, *, token: str = "mcqual-test-token") -> None:
        self.root_dir, self.home, self.token = Path(root_dir), Path(home), token
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.log = self.home / "jupyter.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER")}
        for name in ("config", "data", "runtime"):
            d = self.home / name
            d.mkdir(parents=True, exist_ok=True)
            env[f"JUPYTER_{name.upper()}_DIR"] = str(d)
        env["JUPYTER_PLATFORM_DIRS"] = "1"
        env["HOME"] = str(self.home)  # ~/.ipython, ~/.cache of the kernel stay in the temp folder
        env["IPYTHONDIR"] = str(self.home / "ipython")
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *[p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]])
        env["HF_HUB_OFFLINE"] = "1"
        env["MCQUAL_CACHE_DIR"] = str(self.home / "mcqual-cache")
        # no news, no update checks, no "what's new" dialogs: nothing reaches the network
        labconfig = self.home / "config" / "labconfig"
        labconfig.mkdir(parents=True, exist_ok=True)
        (labconfig / "page_config.json").write_text(json.dumps({"disabledExtensions": {
            "@jupyterlab/apputils-extension:announcements": True,
            "@jupyterlab/extensionmanager-extension:plugin": True}}))
        settings = self.home / "settings" / "@jupyterlab" / "apputils-extension"
        settings.mkdir(parents=True, exist_ok=True)
        (settings / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false",
                                                                                "checkForUpdates": False}))

        return env

    def start(self, timeout: float = 90.0) -> "LabServer":
        cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={self.port}",
               "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
               f"--ServerApp.root_dir={self.root_dir}", f"--LabApp.workspaces_dir={self.home / 'workspaces'}",
               f"--LabApp.user_settings_dir={self.home / 'settings'}", "--LabApp.news_url=",
               "--ServerApp.open_browser=False", "--LabApp.extension_manager=readonly"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:  # containers and CI often run as root
            cmd.append("--allow-root")
        (self.home / "workspaces").mkdir(parents=True, exist_ok=True)
        env = self.env()
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=self.root_dir)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.stop()
                unavailable(f"JupyterLab exited at start (code {self.proc.returncode}): {self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/status?token={self.token}", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.5)
        self.stop()
        unavailable(f"JupyterLab did not answer within {timeout:.0f} s: {self.log_tail()}")
        return self

    def log_tail(self, n: int = 1500) -> str:
        try:
            return self.log.read_text(errors="replace")[-n:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)


def write_notebook(path: Path, cells: list[str]) -> Path:
    """A notebook of code cells (nbformat 4) at ``path``."""
    nb = {"cells": [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                     "source": src} for src in cells],
          "metadata": {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                                      "name": "python3"},
                       "language_info": {"name": "python"}},
          "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")
    return path


def launch_chromium(playwright, executable: str):
    try:
        return playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
    except Exception as exc:  # noqa: BLE001 - an unusable browser is a skip (or a CI failure)
        unavailable(f"chromium did not start: {exc}")


def open_notebook(page, server: LabServer, name: str, ready: str = ".jp-OutputArea-output", *,
                  timeout: float = 90_000, attempts: int = 3) -> None:
    """Open ``name`` in JupyterLab, run all cells (Run → Run All Cells) and wait for ``ready`` to show.

    A kernel that starts slowly on a loaded machine sometimes drops the first
    execute requests, or JupyterLab replaces it and asks "Select Kernel": the
    dialog is answered with the default kernel and the cells run again.
    """
    page.goto(f"{server.url}/lab/tree/{name}?token={server.token}&reset", wait_until="domcontentloaded")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=timeout)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=timeout, state="attached")
    dialog = page.locator(".jp-Dialog")
    for attempt in range(attempts):
        page.wait_for_timeout(1500)  # a dialog may still be on its way
        if dialog.count():
            dialog.first.locator(".jp-mod-accept").click()
            page.wait_for_timeout(2000)
        page.locator(".jp-Notebook").first.click(position={"x": 5, "y": 5})
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        deadline = time.monotonic() + timeout / 1000
        while time.monotonic() < deadline:
            if page.locator(ready).count():
                return
            if dialog.count():
                break  # answer it and run again
            time.sleep(0.5)
    raise AssertionError(f"the notebook's output {ready!r} did not appear after {attempts} runs")


def read_project(path: Path, code: str) -> object:
    """Evaluate ``code`` (an expression using ``p``, the opened project) in ANOTHER process; JSON result."""
    script = ("import json, mcqual as mq\n"
              f"p = mq.Project.open({str(path)!r})\n"
              f"print(json.dumps({code}, default=str))\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def shot(page, name: str, *, locator=None) -> Path:
    """A screenshot of the page (or one element) under outputs/browser/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    (locator.screenshot(path=str(path)) if locator is not None else page.screenshot(path=str(path)))
    return path


def wait_until(fn, timeout: float = 30.0, interval: float = 0.3, what: str = "condition"):
    """Poll ``fn()`` until it returns something truthy (returns it) or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = fn()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what} (last: {last!r})")


# -- a small study both the widget unit tests and the browser tests use ---------------------------------
TURNS = [
    ("Interviewer", "Thank you for joining. Could you tell me how you came to take a micro-credential?", 5.0,
     "interviewer"),
    ("Respondent", "I needed to show my employer that I could run data projects. A short course from a known "
     "university seemed the quickest way. My manager trusted the university name more than the badge itself.",
     14.0, "respondent"),
    ("Interviewer", "Do you trust digital badges from other providers?", 61.0, "interviewer"),
    ("Respondent", "Not really. Anyone can issue a badge. I look at who stands behind it and whether the "
     "assessment was proctored. Honestly, quality assurance matters more than the format.", 66.0, "respondent"),
    ("Interviewer", "What would make recognition easier?", 120.0, "interviewer"),
    ("Respondent", "A common register of providers, and stackable credits that employers understand. "
     "Recognition across borders is still patchy.", 124.0, "respondent"),
]
CODES = [("trust", "Trust", None), ("trust.issuer", "Issuer reputation", "trust"),
         ("trust.qa", "Quality assurance", "trust"), ("recognition", "Recognition", None),
         ("motivation", "Motivation", None), ("employer", "Employer view", None)]


def make_project(path: Path, *, coder: str = "ab", suggestions: bool = True):
    """A project with two transcripts (turns with roles and timestamps), a codebook with a hierarchy and
    labels, and keyword suggestions on the first transcript. Returns the open project."""
    import mcqual as mq
    from mcqual.codebook.model import Code, Codebook

    p = mq.Project.create(path, coder=coder)
    t1 = mq.Transcript.from_turns("int-01", TURNS)
    t2 = mq.Transcript.from_turns("int-02", [("Interviewer", "Why did you enrol?", 3.0, "interviewer"),
                                             ("Respondent", "Mostly curiosity, and a promotion.", 6.0,
                                              "respondent")])
    p.add_transcripts([t1, t2])
    p.set_codebook(Codebook([Code(i, label, parent=parent) for i, label, parent in CODES]))
    if suggestions:
        words = {"proctored": "trust.qa", "register of providers": "recognition", "employer": "employer"}

        class Keyword:
            def fit(self, segments, codebook, codings=None):
                return self

            def suggest(self, segments):
                out = []
                for s in segments:
                    for w, code in words.items():
                        if w in s.text:
                            out.append(mq.Suggestion(s.segment_id, code, 0.72, "keyword", f"mentions '{w}'"))
                return out

        from mcqual.project.widgets.card import sentence_spans

        segs = [mq.Segment(t1.id, a, b, t1.text[a:b], speaker=tu.speaker, role=tu.role, unit="sentence",
                           turn=tu.index)
                for tu in t1.turns if tu.role == "respondent" for a, b in sentence_spans(tu.text, tu.start)]
        p.suggest(Keyword(), segments=segs)
    return p


def make_big_project(path: Path, *, words: int = 10_000, coder: str = "ab"):
    """A 10,000-word transcript (about 200 turns) with 300 codings by two coders, for speed measurements."""
    import random

    import mcqual as mq
    from mcqual.codebook.model import Code, Codebook

    rng = random.Random(7)
    vocab = ("badge credential employer trust quality course university recognition skills learning online "
             "provider assessment certificate career module stackable register transparent value").split()
    turns, n = [], 0
    while n < words:
        k = rng.randint(20, 80)
        sents = []
        for _ in range(max(1, k // 12)):
            sents.append(" ".join(rng.choice(vocab) for _ in range(12)).capitalize() + ".")
        text = " ".join(sents)
        n += len(text.split())
        i = len(turns)
        turns.append(("Interviewer" if i % 2 == 0 else "Respondent", text, float(i * 20),
                      "interviewer" if i % 2 == 0 else "respondent"))
    t = mq.Transcript.from_turns("big", turns)
    p = mq.Project.create(path, coder=coder)
    p.add_transcripts([t])
    p.set_codebook(Codebook([Code(i, label, parent=parent) for i, label, parent in CODES]))
    rows = []
    ids = [c[0] for c in CODES]
    for j in range(300):
        tu = t.turns[rng.randrange(len(t.turns))]
        a = tu.start + rng.randrange(max(1, len(tu.text) - 40))
        rows.append({"transcript_id": "big", "start": a, "end": min(tu.end, a + rng.randint(10, 120)),
                     "code": ids[j % len(ids)], "coder": "ab" if j % 3 else "cd"})
    p.code_many(rows)
    return p
