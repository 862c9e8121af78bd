"""The coding view and the review card used as a coder uses them: a real JupyterLab, a real Chromium.

One JupyterLab server for the module; each step writes a screenshot under
``outputs/browser/`` and checks the project file from ANOTHER process.
"""
from __future__ import annotations

import pytest

from browser_util import (LabServer, chromium_path, launch_chromium, make_project, open_notebook, read_project,
                          shot, wait_until, write_notebook)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    exe = chromium_path()
    root = tmp_path_factory.mktemp("lab-root")
    home = tmp_path_factory.mktemp("lab-home")
    project = root / "study.mcq"
    make_project(project).close()
    write_notebook(root / "view.ipynb", [
        "import mcqual as mq\np = mq.Project.open('study.mcq', coder='ab')",
        "v = p.view('int-01', height=520)\nv",
        "r = p.review()\nr",
    ])
    server = LabServer(root, home).start()
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    browser = launch_chromium(pw, exe)
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.set_default_timeout(60_000)
    try:
        open_notebook(page, server, "view.ipynb")
        page.wait_for_selector(".mcq-view[data-ready='1'] .mcq-run", timeout=90_000)
        page.wait_for_selector(".mcq-card[data-ready='1']", timeout=60_000)
        yield {"page": page, "project": project, "server": server}
    finally:
        browser.close()
        pw.stop()
        server.stop()


def _char_box(page, text: str, start: int, end: int):
    """Client rects of the first and last characters of transcript[start:end] in the coding view."""
    return page.evaluate("""([s, e]) => {
        const runs = [...document.querySelectorAll('.mcq-view .mcq-run')];
        function rectAt(off) {
            for (const r of runs) {
                const a = +r.dataset.s, b = +r.dataset.e;
                if (off >= a && off < b) {
                    const rg = document.createRange();
                    const k = Array.from(r.textContent).slice(0, off - a).join('').length;
                    rg.setStart(r.firstChild, k); rg.setEnd(r.firstChild, k + 1);
                    const x = rg.getBoundingClientRect();
                    return {left: x.left, right: x.right, top: x.top, bottom: x.bottom};
                }
            }
            return null;
        }
        return [rectAt(s), rectAt(e - 1)];
    }""", [start, end])


def _select_with_mouse(page, start: int, end: int) -> None:
    first, last = _char_box(page, "", start, end)
    assert first and last, "the passage is not rendered"
    y0 = (first["top"] + first["bottom"]) / 2
    y1 = (last["top"] + last["bottom"]) / 2
    page.mouse.move(first["left"] + 1, y0)
    page.mouse.down()
    page.mouse.move((first["left"] + last["right"]) / 2, (y0 + y1) / 2, steps=4)
    page.mouse.move(last["right"] - 1, y1, steps=4)
    page.mouse.up()


def _status(page, selector: str = ".mcq-view .mcq-status") -> str:
    return page.locator(selector).first.inner_text()


def test_select_pick_code_memo_undo(lab):
    page, project = lab["page"], lab["project"]
    view = page.locator(".mcq-view").first
    view.scroll_into_view_if_needed()
    shot(page, "01-view-opened", locator=view)
    text = read_project(project, "p.transcript('int-01').transcript.text")
    quote = "quality assurance matters more than the format"
    start = text.index(quote)
    end = start + len(quote)

    _select_with_mouse(page, start, end)
    picker = page.locator(".mcq-picker")
    picker.wait_for(state="visible")
    page.keyboard.type("quality")
    shot(page, "02-picker", locator=view)
    page.keyboard.press("Enter")
    wait_until(lambda: "Coded" in _status(page), what="the coding to be committed")
    codings = read_project(project, "p.codings()[['coding_id','start','end','code','coder']].values.tolist()")
    assert [c[1:] for c in codings] == [[start, end, "trust.qa", "ab"]]
    cid = codings[0][0]
    page.wait_for_selector(f".mcq-stripe[data-c='{cid}']")
    shot(page, "03-coded", locator=view)

    # a memo on the coding: click its highlighted text, Memo…, type, save
    page.locator(f".mcq-run[data-c='{cid}']").first.click()
    page.locator(".mcq-panel .mcq-memo-btn").click()
    page.locator(".mcq-panel textarea").fill("Quality assurance beats the badge format.")
    shot(page, "04-memo", locator=view)
    page.locator(".mcq-panel .mcq-save").click()
    wait_until(lambda: "Memo saved" in _status(page), what="the memo")
    memos = read_project(project, "p.memos()[['coding_id','coder','text']].values.tolist()")
    assert [cid, "ab", "Quality assurance beats the badge format."] in memos
    page.wait_for_selector(f".mcq-stripe.mcq-has-memo[data-c='{cid}']")

    # change the code: one uncode + one code, undone together
    page.locator(f".mcq-stripe[data-c='{cid}']").click()
    page.locator(".mcq-panel .mcq-change").click()
    page.keyboard.type("issuer")
    page.keyboard.press("Enter")
    wait_until(lambda: "Changed" in _status(page), what="the code change")
    assert read_project(project, "p.codings()[['start','end','code']].values.tolist()") == [
        [start, end, "trust.issuer"]]
    shot(page, "05-recoded", locator=view)

    view.locator(".mcq-undo").click()
    wait_until(lambda: "Undid" in _status(page), what="undo")
    assert read_project(project, "p.codings()[['start','end','code']].values.tolist()") == [
        [start, end, "trust.qa"]]
    view.locator(".mcq-undo").click()
    wait_until(lambda: read_project(project, "len(p.codings())") == 0, what="the first coding to be undone")
    page.wait_for_selector(f".mcq-stripe[data-c='{cid}']", state="detached")
    shot(page, "06-undone", locator=view)


def test_suggestion_in_place_and_other_process(lab):
    page, project = lab["page"], lab["project"]
    view = page.locator(".mcq-view").first
    # another process codes a passage: the view shows it after Refresh
    text = read_project(project, "p.transcript('int-01').transcript.text")
    a = text.index("Anyone can issue a badge.")
    b = a + len("Anyone can issue a badge.")
    read_project(project, f"p.code('int-01', {a}, {b}, 'trust', coder='cd')")
    view.locator(".mcq-refresh").click()
    page.wait_for_selector(".mcq-view .mcq-stripe", timeout=20_000)
    # accept a suggestion in place: click its dashed text, Accept
    sid = read_project(project, "int(p.suggestions('pending', coder='ab').query(\"code == 'recognition'\")"
                                "['suggestion_id'].iloc[0])")
    page.locator(f".mcq-view .mcq-run[data-g*='{sid}']").first.click()
    page.locator(f".mcq-panel .mcq-sugg-item[data-g='{sid}'] .mcq-accept").click()
    wait_until(lambda: "Accepted" in _status(page), what="the in-place accept")
    accepted = read_project(project, "p.codings(coder='ab')[['suggestion_id','code']].values.tolist()")
    assert [sid, "recognition"] in accepted
    shot(page, "07-accepted-in-place", locator=view)


def test_review_card_click_and_keyboard(lab):
    page, project = lab["page"], lab["project"]
    card = page.locator(".mcq-card").first
    card.locator(".mcq-refresh, .mcq-undo").first.wait_for()
    card.scroll_into_view_if_needed()
    card.locator(".mcq-btn.mcq-refresh").count() and card.locator(".mcq-btn.mcq-refresh").click()
    page.wait_for_selector(".mcq-card .mcq-question")
    shot(page, "08-card", locator=card)
    first = int(card.locator(".mcq-card-top").inner_text().split("#")[-1].split()[0])
    # by keyboard: focus the card, widen by a sentence (Shift+→), accept (a)
    card.focus()
    page.keyboard.press("Shift+ArrowRight")
    wait_until(lambda: "Widened" in _status(page, ".mcq-card .mcq-status"), what="widen")
    shot(page, "09-card-widened", locator=card)
    card.focus()
    page.keyboard.press("a")
    wait_until(lambda: read_project(project, f"p.history(suggestion_id={first})['kind'].tolist()") == ["accept"],
               what="the keyboard accept")
    # by click: reject with a note
    second = int(card.locator(".mcq-card-top").inner_text().split("#")[-1].split()[0])
    assert second != first
    card.locator(".mcq-note").fill("Too general: not about recognition.")
    card.locator(".mcq-reject").click()
    wait_until(lambda: read_project(project, f"p.history(suggestion_id={second})['kind'].tolist()") == ["reject"],
               what="the click reject")
    notes = read_project(project, f"p.memos(suggestion={second})['text'].tolist()")
    assert notes == ["Too general: not about recognition."]
    shot(page, "10-card-rejected", locator=card)
    # undo (u) brings the rejected suggestion back on the card
    card.focus()
    page.keyboard.press("u")
    wait_until(lambda: read_project(project, f"p.history(suggestion_id={second})[['kind', 'undone']]"
                                             ".values.tolist()") == [["reject", True], ["undo", False]],
               what="undo from the card")
    assert second in read_project(project, "p.suggestions('pending', coder='ab')['suggestion_id'].tolist()")
    wait_until(lambda: f"#{second}" in card.locator(".mcq-card-top").inner_text(), what="the card to come back")
