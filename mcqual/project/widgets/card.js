// mcqual review card (anywidget ES module). The Python side is mcqual/project/widgets/card.py.

function render({ model, el }) {
  const root = h("div", "mcq-card");
  root.dataset.lmSuppressShortcuts = "true";
  root.tabIndex = 0; // focusable: the keyboard shortcuts work when the card has focus
  el.appendChild(root);
  const send = (msg) => model.send(msg);
  let asCode = "";
  let lastSid = null;

  const top = h("div", "mcq-card-top");
  const body = h("div", "mcq-card-body");
  const status = h("div", "mcq-status");
  const keys = h("div", "mcq-keys");
  keys.innerHTML = "<kbd>a</kbd> accept · <kbd>r</kbd> reject · <kbd>s</kbd> skip · <kbd>←</kbd> <kbd>→</kbd> previous / next · " +
    "<kbd>Shift</kbd>+<kbd>→</kbd> / <kbd>←</kbd> widen / narrow by a sentence · <kbd>t</kbd> whole turn · <kbd>u</kbd> undo · <kbd>n</kbd> note";
  root.append(top, body, status, keys);

  function codeOptions(sel, current) {
    sel.replaceChildren(...model.get("codes").map((c) => {
      const o = h("option", null, `${"\u00a0\u00a0".repeat(c.depth)}${c.label}`);
      o.value = c.id;
      o.selected = c.id === current;
      return o;
    }));
  }

  function draw() {
    const c = model.get("card") || {};
    const n = model.get("n_pending");
    top.replaceChildren();
    body.replaceChildren();
    if (!c.sid) {
      top.appendChild(h("b", null, `Review done for ${model.get("coder")}`));
      body.appendChild(h("div", "mcq-done", `No pending suggestions left (${model.get("n_done")} decided in this card). ` +
        "Undo (u) takes back the last decision."));
      const row = h("div", "mcq-actions");
      const un = h("button", "mcq-btn mcq-undo", "↶ Undo");
      un.onclick = () => send({ action: "undo" });
      const rf = h("button", "mcq-btn mcq-refresh", "⟳ Refresh");
      rf.onclick = () => send({ action: "refresh" });
      row.append(un, rf);
      body.appendChild(row);
      return;
    }
    if (c.sid !== lastSid) { asCode = c.code; lastSid = c.sid; }  // a new card starts at its own code
    asCode = asCode || c.code;
    const chip = h("span", "mcq-chip", c.label);
    chip.style.borderColor = c.color;
    chip.style.background = tint(c.color, 0.2);
    top.append(
      h("span", "mcq-dim", `${c.position} of ${n} pending${c.skipped ? " (skipped before)" : ""} · `),
      chip,
      h("span", "mcq-score", ` score ${c.score.toFixed(2)}`),
      h("span", "mcq-dim", ` · ${c.source} · ${c.transcript_id} · #${c.sid}`),
    );
    if (c.quality) top.appendChild(h("div", "mcq-quality", c.quality));
    if (c.question) {
      const q = h("div", "mcq-question");
      q.append(h("span", "mcq-q-who", `${c.question.speaker || "Interviewer"}${c.question.time ? " · " + c.question.time : ""}`),
        h("div", "mcq-q-text", c.question.text));
      body.appendChild(q);
    }
    const turn = h("div", "mcq-answer");
    const showRole = c.turn.role && c.turn.role.toLowerCase() !== (c.turn.speaker || "").toLowerCase();
    turn.appendChild(h("span", "mcq-q-who", `${c.turn.speaker || ""}${showRole ? " · " + c.turn.role : ""}${c.turn.time ? " · " + c.turn.time : ""}`));
    const text = h("div", "mcq-answer-text");
    const cps = Array.from(c.turn.text);
    const t0 = c.turn.start;
    const a = Math.max(c.start, t0), b = Math.min(c.end, c.turn.end);
    const ev = (c.evidence || []).filter((e) => e[0] < b && e[1] > a);
    const cuts = new Set([t0, t0 + cps.length, a, b]);
    for (const e of ev) { cuts.add(Math.max(e[0], t0)); cuts.add(Math.min(e[1], t0 + cps.length)); }
    const pts = [...cuts].filter((x) => x >= t0 && x <= t0 + cps.length).sort((x, y) => x - y);
    for (let k = 0; k + 1 < pts.length; k++) {
      const s = pts[k], e = pts[k + 1];
      const span = h("span", null, cps.slice(s - t0, e - t0).join(""));
      if (s >= a && e <= b) {
        span.className = "mcq-span";
        span.style.background = tint(c.color, 0.28);
        if (ev.some((x) => x[0] <= s && x[1] >= e)) { span.classList.add("mcq-evidence"); span.title = "evidence"; }
      }
      text.appendChild(span);
    }
    turn.appendChild(text);
    body.appendChild(turn);
    if (c.reason) body.appendChild(h("div", "mcq-reason", `Why: ${c.reason}`));
    if (c.start !== c.suggested[0] || c.end !== c.suggested[1]) {
      body.appendChild(h("div", "mcq-dim", "Span adjusted — Accept codes the highlighted span; “as suggested” resets it."));
    }

    // span controls
    const spanRow = h("div", "mcq-actions mcq-span-row");
    const mk = (label, title, msg, cls) => {
      const bt = h("button", "mcq-btn " + (cls || ""), label);
      bt.title = title;
      bt.onclick = () => send(msg);
      return bt;
    };
    spanRow.append(h("span", "mcq-dim", "Span: "),
      mk("◀ +", "Widen at the start by a sentence", { action: "widen", side: "start" }, "mcq-widen-start"),
      mk("− ▶", "Narrow at the start by a sentence", { action: "narrow", side: "start" }, "mcq-narrow-start"),
      mk("◀ −", "Narrow at the end by a sentence (Shift+←)", { action: "narrow", side: "end" }, "mcq-narrow-end"),
      mk("+ ▶", "Widen at the end by a sentence (Shift+→)", { action: "widen", side: "end" }, "mcq-widen-end"),
      mk("whole turn", "The whole answer (t)", { action: "turn" }, "mcq-wholeturn"),
      mk("as suggested", "Back to the suggested span", { action: "reset" }, "mcq-reset"));
    body.appendChild(spanRow);

    // decision row
    const row = h("div", "mcq-actions");
    const acc = h("button", "mcq-btn mcq-accept", "✓ Accept (a)");
    const sel = h("select", "mcq-as");
    sel.title = "Accept as another code";
    codeOptions(sel, asCode);
    sel.onchange = () => { asCode = sel.value; acc.textContent = asCode === c.code ? "✓ Accept (a)" : `✓ Accept as ${sel.selectedOptions[0].textContent.trim()}`; };
    sel.onkeydown = (e) => e.stopPropagation();
    if (asCode !== c.code) acc.textContent = `✓ Accept as ${sel.selectedOptions[0] ? sel.selectedOptions[0].textContent.trim() : asCode}`;
    const rej = h("button", "mcq-btn mcq-reject", "✗ Reject (r)");
    const skp = h("button", "mcq-btn mcq-skip", "Skip (s)");
    const prv = h("button", "mcq-btn mcq-prev", "←");
    prv.title = "Previous (←)";
    const nxt = h("button", "mcq-btn mcq-next", "→");
    nxt.title = "Next (→)";
    const un = h("button", "mcq-btn mcq-undo", "↶ Undo (u)");
    row.append(acc, h("span", "mcq-dim", " as "), sel, rej, skp, prv, nxt, un);
    body.appendChild(row);
    const note = h("textarea", "mcq-note");
    note.rows = 2;
    note.placeholder = "Note (optional; saved as a memo on the suggestion with your decision)";
    note.onkeydown = (e) => { if (e.key === "Escape") root.focus(); e.stopPropagation(); };
    body.appendChild(note);

    const decide = (kind) => {
      const msg = { action: kind, note: note.value };
      if (kind === "accept" && asCode !== c.code) msg.code = asCode;
      asCode = "";
      send(msg);
    };
    acc.onclick = () => decide("accept");
    rej.onclick = () => decide("reject");
    skp.onclick = () => send({ action: "skip" });
    prv.onclick = () => send({ action: "prev" });
    nxt.onclick = () => send({ action: "next" });
    un.onclick = () => send({ action: "undo" });
    root._decide = decide;
    root._note = note;
  }

  root.addEventListener("keydown", (e) => {
    if (e.target.tagName === "TEXTAREA" || e.target.tagName === "SELECT" || e.target.tagName === "INPUT") return;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const k = e.key;
    let handled = true;
    if (k === "a") root._decide && root._decide("accept");
    else if (k === "r") root._decide && root._decide("reject");
    else if (k === "s") send({ action: "skip" });
    else if (k === "u") send({ action: "undo" });
    else if (k === "t") send({ action: "turn" });
    else if (k === "n") { if (root._note) root._note.focus(); }
    else if (k === "ArrowRight" && e.shiftKey) send({ action: "widen", side: "end" });
    else if (k === "ArrowLeft" && e.shiftKey) send({ action: "narrow", side: "end" });
    else if (k === "ArrowRight") send({ action: "next" });
    else if (k === "ArrowLeft") send({ action: "prev" });
    else handled = false;
    if (handled) { e.preventDefault(); e.stopPropagation(); }
  });

  model.on("change:card", () => { draw(); root.focus({ preventScroll: true }); });
  model.on("change:n_pending", draw);
  model.on("change:status", () => showStatus(model, status));
  draw();
  root.dataset.ready = "1";
}

export default { render };
