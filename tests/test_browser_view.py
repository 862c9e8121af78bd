"""The coding view and the review card used as a coder uses them: a real JupyterLab, a real Chromium.

One JupyterLab server for the module; each step writes a screenshot under
``outputs/browser/`` and checks the project file from ANOTHER process.
"""
from __future__ import annotations

import pytest

from browser_util import (LabServer, chromium_path, launch_chromium, make_big_project, make_project, open_notebook,
                          read_project, shot, wait_until, write_notebook)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    exe = chromium_path()
    root = tmp_path_factory.mktemp("lab-root")
    home = tmp_path_factory.mktemp("lab-home")
    project = root / "study.mcq"
    make_project(project).close()
    make_big_project(root / "big.mcq").close()
    write_notebook(root / "view.ipynb", [
        "import mcqual as mq\np = mq.Project.open('study.mcq', coder='ab')",
        "from mcqual.text.embedders import HashingEmbedder\n"
        "v = p.view('int-01', height=520)\nv.quality_embedder = HashingEmbedder()  # no model in tests\nv",
        "r = p.review()\nr",
        "big = mq.Project.open('big.mcq', coder='ab').view(height=400)\nbig",
    ])
    server = LabServer(root, home).start()
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    browser = launch_chromium(pw, exe)
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.set_default_timeout(60_000)
    try:
        try:
            open_notebook(page, server, "view.ipynb", ".mcq-view[data-ready='1'] .mcq-run")
            page.wait_for_selector(".mcq-card[data-ready='1']", timeout=60_000)
        except Exception:
            shot(page, "00-failed-to-open")
            print(server.log_tail(4000))
            raise
        yield {"page": page, "project": project, "server": server}
    finally:
        browser.close()
        pw.stop()
        server.stop()


def _char_box(page, text: str, start: int, end: int):
    """Client rects of the first and last characters of transcript[start:end] in the coding view."""
    return page.evaluate("""([s, e]) => {
        const runs = [...document.querySelector('.mcq-view').querySelectorAll('.mcq-run')];
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
    picker = view.locator(".mcq-picker")
    picker.wait_for(state="visible")
    page.keyboard.type("quality")
    shot(page, "02-picker", locator=view)
    page.keyboard.press("Enter")
    wait_until(lambda: "Coded" in _status(page), what="the coding to be committed")
    codings = read_project(project, "p.codings()[['coding_id','start','end','code','coder']].values.tolist()")
    assert [c[1:] for c in codings] == [[start, end, "trust.qa", "ab"]]
    cid = codings[0][0]
    view.locator(f".mcq-stripe[data-c='{cid}']").wait_for()
    shot(page, "03-coded", locator=view)

    # a memo on the coding: click its highlighted text, Memo…, type, save
    view.locator(f".mcq-run[data-c='{cid}']").first.click()
    view.locator(".mcq-panel .mcq-memo-btn").click()
    view.locator(".mcq-panel textarea").fill("Quality assurance beats the badge format.")
    shot(page, "04-memo", locator=view)
    view.locator(".mcq-panel .mcq-save").click()
    wait_until(lambda: "Memo saved" in _status(page), what="the memo")
    memos = read_project(project, "p.memos()[['coding_id','coder','text']].values.tolist()")
    assert [cid, "ab", "Quality assurance beats the badge format."] in memos
    view.locator(f".mcq-stripe.mcq-has-memo[data-c='{cid}']").wait_for()

    # change the code: one uncode + one code, undone together
    view.locator(f".mcq-stripe[data-c='{cid}']").click()
    view.locator(".mcq-panel .mcq-change").click()
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
    view.locator(f".mcq-stripe[data-c='{cid}']").wait_for(state="detached")
    shot(page, "06-undone", locator=view)

    # the picker offers the codes used last first: Enter alone repeats the last code
    q2 = "Recognition across borders is still patchy."
    a2 = text.index(q2)
    _select_with_mouse(page, a2, a2 + len(q2))
    picker.wait_for(state="visible")
    assert picker.locator(".mcq-pick").first.get_attribute("data-code") == "trust.issuer"
    page.keyboard.press("Enter")
    wait_until(lambda: read_project(project, "p.codings()[['start','end','code']].values.tolist()")
               == [[a2, a2 + len(q2), "trust.issuer"]], what="coding with the recent code")


def test_suggestion_in_place_and_other_process(lab):
    page, project = lab["page"], lab["project"]
    view = page.locator(".mcq-view").first
    # another process codes a passage: the view shows it after Refresh
    text = read_project(project, "p.transcript('int-01').transcript.text")
    a = text.index("Anyone can issue a badge.")
    b = a + len("Anyone can issue a badge.")
    read_project(project, f"p.code('int-01', {a}, {b}, 'trust', coder='cd')")
    view.locator(".mcq-refresh").click()
    view.locator(".mcq-stripe").first.wait_for(timeout=20_000)
    # accept a suggestion in place: click its dashed text, Accept
    sid = read_project(project, "int(p.suggestions('pending', coder='ab').query(\"code == 'recognition'\")"
                                "['suggestion_id'].iloc[0])")
    view.locator(f".mcq-run[data-g*='{sid}']").first.click()
    view.locator(f".mcq-panel .mcq-sugg-item[data-g='{sid}'] .mcq-accept").click()
    wait_until(lambda: "Accepted" in _status(page), what="the in-place accept")
    accepted = read_project(project, "p.codings(coder='ab')[['suggestion_id','code']].values.tolist()")
    assert [sid, "recognition"] in accepted
    shot(page, "07-accepted-in-place", locator=view)

    # how good the suggestions are: measured only when asked, then on the legend chips and in a panel
    qpanel = view.locator(".mcq-quality-panel")
    assert qpanel.is_hidden()
    view.locator(".mcq-quality-btn").click()
    qpanel.wait_for(state="visible", timeout=20_000)
    qtext = qpanel.inner_text()
    assert "as of" in qtext and "decision" in qtext and "no decisions yet" in qtext, qtext
    assert "Recognition" in qtext and "recognition" in qtext, qtext
    assert qpanel.locator(".mcq-quality-item[data-code='recognition']").count() == 1
    print(f"quality panel: {qtext}")
    chip = view.locator(".mcq-chip", has_text="Recognition").first
    title = chip.get_attribute("title") or ""
    assert "\n" in title and "recognition" in title.split("\n", 1)[1], title
    shot(page, "07b-quality-panel", locator=view)

    # a selection across two turns maps to exact offsets too (the separator between them included)
    a = text.index("Honestly, quality")
    b = text.index("What would make") + len("What would")
    _select_with_mouse(page, a, b)
    view.locator(".mcq-picker").wait_for(state="visible")
    page.keyboard.type("Motivation")
    page.keyboard.press("Enter")
    wait_until(lambda: [a, b, "motivation"] in read_project(
        project, "p.codings(coder='ab')[['start','end','code']].values.tolist()"), what="the cross-turn coding")
    assert len(view.locator(".mcq-stripe[data-c]").all()) >= 3  # one stripe per turn it covers, at least
    view.locator(".mcq-undo").click()
    wait_until(lambda: [a, b, "motivation"] not in read_project(
        project, "p.codings(coder='ab')[['start','end','code']].values.tolist()"), what="its undo")


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
    assert card.locator(".mcq-accept").inner_text() == "✓ Accept (a)"  # "accept as" starts at the card's code
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
    # the card's keys (a, r, s, u) never reached JupyterLab: no cell was inserted, cut or changed
    assert page.locator(".jp-Notebook .jp-Cell").count() == 4


def test_big_transcript_renders_once_and_patches(lab):
    """10,000 words, 300 codings: the first render and a patch after one coding stay fast."""
    page = lab["page"]
    big = page.locator(".mcq-view").nth(1)
    wait_until(lambda: big.get_attribute("data-render-ms"), timeout=60, what="the big view to render")
    render_ms = float(big.get_attribute("data-render-ms"))
    n_runs = big.locator(".mcq-run").count()
    n_stripes = big.locator(".mcq-stripe").count()
    assert n_stripes == 300, n_stripes
    big.scroll_into_view_if_needed()
    # code the first words of turn 3 with the mouse, then time the patch
    start, end = page.evaluate("""() => {
        const v = document.querySelectorAll('.mcq-view')[1];
        const t = v.querySelectorAll('.mcq-turn .mcq-text')[2];
        const s = +t.dataset.s; return [s, s + 25];
    }""")
    first, last = page.evaluate("""([s, e]) => {
        const v = document.querySelectorAll('.mcq-view')[1];
        const runs = [...v.querySelectorAll('.mcq-run')];
        function at(off) {
            for (const r of runs) { const a = +r.dataset.s, b = +r.dataset.e;
                if (off >= a && off < b) { const g = document.createRange();
                    const k = Array.from(r.textContent).slice(0, off - a).join('').length;
                    g.setStart(r.firstChild, k); g.setEnd(r.firstChild, k + 1);
                    const x = g.getBoundingClientRect(); return {l: x.left, r: x.right, y: (x.top + x.bottom) / 2}; } }
        }
        return [at(s), at(e - 1)];
    }""", [start, end])
    page.mouse.move(first["l"] + 1, first["y"])
    page.mouse.down()
    page.mouse.move(last["r"] - 1, last["y"], steps=5)
    page.mouse.up()
    page.locator(".mcq-picker").nth(1).wait_for(state="visible")
    page.keyboard.type("motivation")
    page.keyboard.press("Enter")
    wait_until(lambda: big.locator(".mcq-stripe").count() == 301, timeout=30, what="the new stripe")
    wait_until(lambda: big.get_attribute("data-patched-turns"), what="the patch")
    patch_ms = float(big.get_attribute("data-patch-ms"))
    patched = int(big.get_attribute("data-patched-turns"))
    shot(page, "11-big-transcript", locator=big)
    print(f"10k words: {n_runs} runs, first render {render_ms:.0f} ms, patch after one coding "
          f"{patch_ms:.0f} ms ({patched} turn(s) re-rendered)")
    assert patched <= 2, patched  # only the changed turn is rebuilt
    assert render_ms < 5000 and patch_ms < 1000
