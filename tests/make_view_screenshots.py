"""Screenshots of the coding view and the review card for the docs (docs/img/*.png).

Run from the repository root (a real JupyterLab and Debian's Chromium, as the browser tests):
    PYTHONPATH=$PWD python tests/make_view_screenshots.py
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser_util import (ROOT, LabServer, chromium_path, launch_chromium, make_project, open_notebook,  # noqa: E402
                          write_notebook)

OUT = ROOT / "docs" / "img"


def main() -> None:
    exe = chromium_path()
    tmp = Path(tempfile.mkdtemp())
    root, home = tmp / "root", tmp / "home"
    root.mkdir()
    home.mkdir()
    p = make_project(root / "study.mcq")
    text = p.transcript("int-01").transcript.text

    def span(q):
        a = text.index(q)
        return a, a + len(q)

    for q, code, coder in [("I needed to show my employer that I could run data projects.", "motivation", "ab"),
                           ("My manager trusted the university name more than the badge itself.", "trust.issuer", "ab"),
                           ("My manager trusted the university name", "employer", "cd"),
                           ("I look at who stands behind it", "trust.issuer", "ab"),
                           ("Recognition across borders is still patchy.", "recognition", "ab"),
                           ("Anyone can issue a badge.", "trust", "cd")]:
        a, b = span(q)
        cid = p.code("int-01", a, b, code, coder=coder)
        if code == "trust.issuer" and q.startswith("My manager"):
            p.memo("Employer trusts the issuer, not the credential format.", coding=cid, coder="ab")
    p.close()
    write_notebook(root / "coding.ipynb", [
        "import mcqual as mq\np = mq.Project.open('study.mcq', coder='ab')",
        "p.view('int-01', height=560)",
        "p.review()",
    ])
    server = LabServer(root, home).start()
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = launch_chromium(pw, exe)
        page = browser.new_page(viewport={"width": 1180, "height": 1100}, device_scale_factor=1)
        try:
            open_notebook(page, server, "coding.ipynb", ".mcq-view[data-ready='1'] .mcq-stripe")
            page.locator(".jp-SideBar .lm-TabBar-tab.lm-mod-current").first.click()  # hide the file browser
            page.wait_for_selector(".mcq-view[data-ready='1'] .mcq-stripe", timeout=90_000)
            page.wait_for_selector(".mcq-card[data-ready='1'] .mcq-question", timeout=60_000)
            view = page.locator(".mcq-view").first
            view.scroll_into_view_if_needed()
            page.wait_for_timeout(500)
            # select a passage with the mouse and type into the picker
            a, b = span("quality assurance matters more than the format")
            boxes = page.evaluate("""([s, e]) => {
                const runs = [...document.querySelector('.mcq-view').querySelectorAll('.mcq-run')];
                function at(off) { for (const r of runs) { const x0 = +r.dataset.s, x1 = +r.dataset.e;
                    if (off >= x0 && off < x1) { const g = document.createRange();
                        const k = Array.from(r.textContent).slice(0, off - x0).join('').length;
                        g.setStart(r.firstChild, k); g.setEnd(r.firstChild, k + 1);
                        const q = g.getBoundingClientRect(); return [q.left, q.right, (q.top + q.bottom) / 2]; } } }
                return [at(s), at(e - 1)]; }""", [a, b])
            page.mouse.move(boxes[0][0] + 1, boxes[0][2])
            page.mouse.down()
            page.mouse.move(boxes[1][1] - 1, boxes[1][2], steps=6)
            page.mouse.up()
            view.locator(".mcq-picker").wait_for(state="visible")
            page.keyboard.type("qu")
            page.wait_for_timeout(300)
            view.screenshot(path=str(OUT / "coding-view.png"))
            page.keyboard.press("Escape")
            page.mouse.click(5, 5)
            # the panel of a coding with a memo
            view.locator(".mcq-stripe.mcq-has-memo").first.click()
            view.locator(".mcq-panel").wait_for(state="visible")
            page.wait_for_timeout(300)
            view.screenshot(path=str(OUT / "view-coding-panel.png"))
            page.keyboard.press("Escape")
            card = page.locator(".mcq-card").first
            card.scroll_into_view_if_needed()
            card.focus()
            page.keyboard.press("Shift+ArrowRight")
            page.wait_for_timeout(800)
            card.screenshot(path=str(OUT / "review-card.png"))
        finally:
            browser.close()
            server.stop()
    print("wrote", *sorted(str(x.relative_to(ROOT)) for x in OUT.glob("*.png")))


if __name__ == "__main__":
    main()
