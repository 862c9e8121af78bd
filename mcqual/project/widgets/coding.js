// mcqual coding view (anywidget ES module). The Python side is mcqual/project/widgets/coding.py.
// Offsets: every text run carries data-s / data-e, its start and end in the transcript text counted in
// code points (Python's str indexes); a mouse selection maps back to those offsets.

// code points of `s` before UTF-16 offset `off`
function cpCount(s, off) { return Array.from(s.slice(0, off)).length; }
// UTF-16 offset of code point `k` in `s`
function u16Offset(s, k) { return Array.from(s).slice(0, k).join("").length; }

function render({ model, el }) {
  const root = h("div", "mcq-view");
  root.dataset.lmSuppressShortcuts = "true";
  el.appendChild(root);

  // -- toolbar --------------------------------------------------------------------------
  const bar = h("div", "mcq-bar");
  const tSel = h("select", "mcq-transcripts");
  tSel.title = "Transcript";
  const coderChip = h("span", "mcq-coder");
  const codeFilter = h("select", "mcq-filter-code");
  codeFilter.title = "Show codings of one code";
  const coderFilter = h("select", "mcq-filter-coder");
  coderFilter.title = "Show codings of one coder";
  const sugLabel = h("label", "mcq-check");
  const sugBox = h("input");
  sugBox.type = "checkbox";
  sugBox.checked = true;
  sugLabel.append(sugBox, document.createTextNode(" suggestions"));
  const undoBtn = h("button", "mcq-btn mcq-undo", "↶ Undo");
  undoBtn.title = "Undo your last action";
  const refreshBtn = h("button", "mcq-btn mcq-refresh", "⟳ Refresh");
  refreshBtn.title = "Re-read the project file (other coders' work)";
  const qualityBtn = h("button", "mcq-btn mcq-quality-btn", "How good?");
  qualityBtn.title = "How good the suggestions are on this study, from your decisions (measured when you click)";
  const status = h("span", "mcq-status");
  bar.append(tSel, coderChip, codeFilter, coderFilter, sugLabel, undoBtn, refreshBtn, qualityBtn, status);
  const help = h("div", "mcq-help",
    "Select text with the mouse to code it · click a highlight or a stripe to remove, change or annotate a coding · dashed underline = suggestion");
  const legend = h("div", "mcq-legend");
  const qualityPanel = h("div", "mcq-quality-panel");
  qualityPanel.hidden = true;
  const pane = h("div", "mcq-pane");
  const doc = h("div", "mcq-doc");
  pane.appendChild(doc);
  const picker = h("div", "mcq-picker");
  picker.setAttribute("role", "dialog");
  picker.setAttribute("aria-label", "code the selection");
  picker.hidden = true;
  const panel = h("div", "mcq-panel");
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", "codings here");
  panel.hidden = true;
  root.append(bar, help, legend, qualityPanel, pane, picker, panel);

  let turnEls = [];
  let codes = {};        // id -> code
  let codeOrder = [];    // ids in codebook order
  let lanes = {};        // code id -> lane
  let nLanes = 1;
  let filters = { code: "", coder: "" };

  const send = (msg) => model.send(msg);

  // -- state from Python -------------------------------------------------------------------
  function readCodes() {
    codes = {};
    codeOrder = [];
    for (const c of model.get("codes")) { codes[c.id] = c; codeOrder.push(c.id); }
  }
  const colorOf = (id) => (codes[id] && codes[id].color) || "#888888";
  const labelOf = (id) => (codes[id] && codes[id].label) || id;

  function visibleCodings() {
    return model.get("codings").filter((c) =>
      (!filters.code || c.code === filters.code) && (!filters.coder || c.coder === filters.coder));
  }
  function visibleSuggestions() {
    if (!sugBox.checked) return [];
    return model.get("suggestions").filter((s) => !filters.code || s.code === filters.code);
  }
  function memoByCoding() {
    const m = {};
    for (const x of model.get("memos")) if (x.coding !== null && x.coding !== undefined) m[x.coding] = x;
    return m;
  }

  function fillToolbar() {
    const ts = model.get("transcripts");
    const cur = model.get("transcript_id");
    tSel.replaceChildren(...ts.map((t) => {
      const o = h("option", null, `${t.id}${t.n ? ` (${t.n})` : ""}`);
      o.value = t.id;
      o.selected = t.id === cur;
      return o;
    }));
    coderChip.textContent = `coder: ${model.get("coder")}`;
    const used = new Set(model.get("codings").map((c) => c.code));
    for (const s of model.get("suggestions")) used.add(s.code);
    const codeOpts = [["", "all codes"], ...codeOrder.filter((id) => used.has(id)).map((id) => [id, labelOf(id)])];
    if (filters.code && !used.has(filters.code)) codeOpts.push([filters.code, labelOf(filters.code)]);
    codeFilter.replaceChildren(...codeOpts.map(([v, t]) => {
      const o = h("option", null, t); o.value = v; o.selected = v === filters.code; return o;
    }));
    const coders = [...new Set(model.get("codings").map((c) => c.coder))].sort();
    const coderOpts = [["", "all coders"], ...coders.map((c) => [c, c])];
    coderFilter.replaceChildren(...coderOpts.map(([v, t]) => {
      const o = h("option", null, t); o.value = v; o.selected = v === filters.coder; return o;
    }));
    // legend: codes in use, with counts (click to filter)
    const counts = {};
    for (const c of visibleCodings()) counts[c.code] = (counts[c.code] || 0) + 1;
    legend.replaceChildren(...codeOrder.filter((id) => counts[id]).map((id) => {
      const chip = h("span", "mcq-chip", `${labelOf(id)} ${counts[id]}`);
      chip.style.borderColor = colorOf(id);
      chip.style.background = tint(colorOf(id), 0.18);
      const q = (model.get("quality") || {})[id];
      chip.title = `Show only ${labelOf(id)} (click again for all)${q ? `\n${q}` : ""}`;
      chip.onclick = () => { filters.code = filters.code === id ? "" : id; fillToolbar(); patch(true); };
      return chip;
    }));
  }

  // how good the suggestions are (only after "How good?": measuring embeds the coder's decided passages)
  function fillQuality() {
    const q = model.get("quality") || {};
    const info = model.get("quality_info") || {};
    if (info.n === undefined) { qualityPanel.hidden = true; return; }
    const n = info.n, none = info.none || 0;
    const parts = [h("b", null, `How good the suggestions are, as of ${n} decision${n === 1 ? "" : "s"}: `)];
    for (const id of info.decided || []) {
      const item = h("div", "mcq-quality-item");
      item.dataset.code = id;
      const sw = h("span", "mcq-swatch"); sw.style.background = colorOf(id);
      item.append(sw, h("b", null, ` ${labelOf(id)}: `), h("span", null, q[id] || ""));
      parts.push(item);
    }
    if (!(info.decided || []).length) parts.push(h("span", null, "no decisions yet. "));
    const foot = h("div", "mcq-dim", `${none ? `${none} code${none === 1 ? " has" : "s have"} no decisions yet. ` : ""}` +
      "Click How good? again after more decisions to update.");
    parts.push(foot);
    const close = h("button", "mcq-close", "×");
    close.title = "Hide";
    close.onclick = () => { qualityPanel.hidden = true; };
    qualityPanel.replaceChildren(close, ...parts);
    qualityPanel.hidden = false;
  }

  // -- the document ---------------------------------------------------------------------------
  function renderDoc() {
    const t0 = performance.now();
    const d = model.get("doc");
    doc.replaceChildren();
    turnEls = [];
    const frag = document.createDocumentFragment();
    for (const t of d.turns || []) {
      const row = h("div", "mcq-turn");
      row.dataset.turn = t.i;
      const meta = h("div", "mcq-meta");
      const who = h("div", "mcq-speaker", t.speaker || "");
      meta.appendChild(who);
      if (t.role && t.role.toLowerCase() !== (t.speaker || "").toLowerCase()) meta.appendChild(h("div", "mcq-role", t.role));
      if (t.time) meta.appendChild(h("div", "mcq-time", t.time));
      if (t.role === "interviewer") row.classList.add("mcq-interviewer");
      const margin = h("div", "mcq-margin");
      const text = h("div", "mcq-text");
      text.dataset.s = t.start;
      row.append(meta, margin, text);
      frag.appendChild(row);
      turnEls.push({ row, meta, margin, text, turn: t, cps: Array.from(t.text), sig: null });
    }
    doc.appendChild(frag);
    pane.style.maxHeight = `${model.get("height")}px`;
    patch(true);
    // measured for the docs and the browser test: full render, then stripes drawn
    requestAnimationFrame(() => requestAnimationFrame(() => {
      root.dataset.renderMs = (performance.now() - t0).toFixed(1);
    }));
  }

  function assignLanes(list) {
    const used = new Set(list.map((c) => c.code));
    const order = codeOrder.filter((id) => used.has(id));
    for (const c of used) if (!order.includes(c)) order.push(c);
    lanes = {};
    order.forEach((id, i) => { lanes[id] = i % 12; });
    nLanes = Math.max(1, Math.min(order.length, 12));
    root.style.setProperty("--mcq-margin", `${nLanes * 7 + 6}px`);
  }

  function patch(force) {
    const t0 = performance.now();
    const cods = visibleCodings();
    const sugs = visibleSuggestions();
    const memos = memoByCoding();
    assignLanes(cods);
    const spanMemos = model.get("memos").filter((m) => m.target === "span");
    const changed = [];
    for (const te of turnEls) {
      const a = te.turn.start, b = te.turn.end;
      const tc = cods.filter((c) => c.start < b && c.end > a);
      const ts = sugs.filter((s) => s.start < b && s.end > a);
      const tm = spanMemos.filter((m) => m.start < b && m.end > a);
      const sig = JSON.stringify([tc.map((c) => [c.id, c.start, c.end, c.code, c.status, lanes[c.code], memos[c.id] ? memos[c.id].text : ""]),
        ts.map((s) => [s.id, s.start, s.end, s.code]), tm.map((m) => [m.id, m.text]), nLanes]);
      if (!force && sig === te.sig) continue;
      te.sig = sig;
      te.codings = tc;
      te.suggestions = ts;
      te.spanMemos = tm;
      renderTurn(te, memos);
      changed.push(te);
    }
    // stripes need layout: draw after the browser has placed the text
    requestAnimationFrame(() => {
      for (const te of changed) drawStripes(te, memos);
      root.dataset.patchMs = (performance.now() - t0).toFixed(1);
      root.dataset.patchedTurns = changed.length;
    });
  }

  function renderTurn(te, memos) {
    const { turn, cps } = te;
    const a = turn.start, b = turn.end;
    const cuts = new Set([a, b]);
    for (const x of [...te.codings, ...te.suggestions]) {
      if (x.start > a && x.start < b) cuts.add(x.start);
      if (x.end > a && x.end < b) cuts.add(x.end);
    }
    const pts = [...cuts].sort((x, y) => x - y);
    const frag = document.createDocumentFragment();
    for (let k = 0; k + 1 < pts.length; k++) {
      const s = pts[k], e = pts[k + 1];
      const run = h("span", "mcq-run", cps.slice(s - a, e - a).join(""));
      run.dataset.s = s;
      run.dataset.e = e;
      const cs = te.codings.filter((c) => c.start <= s && c.end >= e);
      const ss = te.suggestions.filter((g) => g.start <= s && g.end >= e);
      if (cs.length) {
        run.classList.add("mcq-coded");
        run.dataset.c = cs.map((c) => c.id).join(",");
        run.style.background = tint(colorOf(cs[0].code), 0.26);
        if (cs.length > 1) run.style.boxShadow = `inset 0 -3px 0 ${tint(colorOf(cs[1].code), 0.9)}`;
        run.title = cs.map((c) => `${labelOf(c.code)} — ${c.coder}${memos[c.id] ? ` — memo: ${memos[c.id].text}` : ""}`).join("\n");
      }
      if (ss.length) {
        run.classList.add("mcq-suggested");
        run.dataset.g = ss.map((g) => g.id).join(",");
        run.style.borderBottomColor = colorOf(ss[0].code);
        run.title = (run.title ? run.title + "\n" : "") +
          ss.map((g) => `suggested: ${labelOf(g.code)} (${g.score.toFixed(2)}) — ${g.reason}`).join("\n");
      }
      frag.appendChild(run);
    }
    te.text.replaceChildren(frag);
    te.meta.querySelectorAll(".mcq-memo-flag").forEach((x) => x.remove());
    if (te.spanMemos.length) {
      const flag = h("div", "mcq-memo-flag", `✎ ${te.spanMemos.length}`);
      flag.title = te.spanMemos.map((m) => `${m.coder}: ${m.text}`).join("\n");
      te.meta.appendChild(flag);
    }
  }

  // DOM position of code point offset `off` inside a turn
  function domPos(te, off) {
    for (const run of te.text.children) {
      const s = +run.dataset.s, e = +run.dataset.e;
      if (off >= s && off <= e) {
        const node = run.firstChild || run;
        return [node, node.nodeType === 3 ? u16Offset(node.data, off - s) : 0];
      }
    }
    return null;
  }

  function drawStripes(te, memos) {
    te.margin.replaceChildren();
    if (!te.codings.length) return;
    const base = te.margin.getBoundingClientRect().top;
    for (const c of te.codings) {
      const p0 = domPos(te, Math.max(c.start, te.turn.start));
      const p1 = domPos(te, Math.min(c.end, te.turn.end));
      if (!p0 || !p1) continue;
      const r = document.createRange();
      r.setStart(p0[0], p0[1]);
      r.setEnd(p1[0], p1[1]);
      const rects = [...r.getClientRects()].filter((x) => x.height > 0);
      if (!rects.length) continue;
      const top = Math.min(...rects.map((x) => x.top)) - base;
      const bottom = Math.max(...rects.map((x) => x.bottom)) - base;
      const stripe = h("div", "mcq-stripe");
      stripe.dataset.c = c.id;
      stripe.style.top = `${top}px`;
      stripe.style.height = `${Math.max(bottom - top, 6)}px`;
      stripe.style.left = `${lanes[c.code] * 7 + 2}px`;
      stripe.style.background = colorOf(c.code);
      if (c.status !== "active") stripe.classList.add("mcq-fuzzy");
      const memo = memos[c.id];
      if (memo) stripe.classList.add("mcq-has-memo");
      stripe.title = `${labelOf(c.code)} — ${c.coder}${c.status !== "active" ? ` [${c.status}]` : ""}` +
        (memo ? `\nmemo (${memo.coder}): ${memo.text}` : "");
      stripe.onclick = (ev) => { ev.stopPropagation(); openPanel(ev, [c.id], []); };
      te.margin.appendChild(stripe);
    }
  }

  function redrawAllStripes() {
    const memos = memoByCoding();
    for (const te of turnEls) if (te.codings && te.codings.length) drawStripes(te, memos);
  }

  // -- selection -> offsets ----------------------------------------------------------------------
  function endpoint(container, offset, isStart, range) {
    // a text node inside a run: run start + code points before the offset
    let node = container;
    if (node.nodeType === 3) {
      const run = node.parentElement && node.parentElement.closest(".mcq-run");
      if (run && doc.contains(run)) return +run.dataset.s + cpCount(node.data, offset);
    }
    // elsewhere (a turn's margin, the speaker, between turns): the nearest run inside the range
    const runs = [...doc.querySelectorAll(".mcq-run")].filter((r) => range.intersectsNode(r));
    if (!runs.length) return null;
    return isStart ? +runs[0].dataset.s : +runs[runs.length - 1].dataset.e;
  }

  function selectionSpan() {
    const sel = window.getSelection();
    if (!sel || sel.isCollapsed || !sel.rangeCount) return null;
    const range = sel.getRangeAt(0);
    if (!doc.contains(range.commonAncestorContainer) && !range.intersectsNode(doc)) return null;
    const s = endpoint(range.startContainer, range.startOffset, true, range);
    const e = endpoint(range.endContainer, range.endOffset, false, range);
    if (s === null || e === null || e <= s) return null;
    return { start: s, end: e, rect: range.getBoundingClientRect(), text: sel.toString() };
  }

  function placeNear(box, rect) {
    const rr = root.getBoundingClientRect();
    box.hidden = false;
    const w = box.offsetWidth || 320;
    let left = rect.left - rr.left;
    left = Math.max(4, Math.min(left, rr.width - w - 4));
    box.style.left = `${left}px`;
    box.style.top = `${rect.bottom - rr.top + 6}px`;
  }

  // -- the code picker ---------------------------------------------------------------------------------
  let pick = null; // {mode: "code"|"recode", start, end, coding}
  let recent = [];   // code ids, last used first
  function openPicker(p, rect) {
    pick = p;
    panel.hidden = true;
    picker.replaceChildren();
    const head = h("div", "mcq-picker-head",
      p.mode === "recode" ? `Change ${labelOf(p.fromCode)} to…` : `Code “${p.text.length > 60 ? p.text.slice(0, 60) + "…" : p.text}”`);
    const input = h("input", "mcq-picker-input");
    input.placeholder = "type to filter codes, Enter to code";
    input.setAttribute("aria-label", "code");
    const list = h("div", "mcq-picker-list");
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "codes");
    picker.append(head, input, list);
    if (p.mode === "code") {
      const memoBtn = h("button", "mcq-btn mcq-link", "✎ memo on this passage instead");
      memoBtn.onclick = () => { const r = picker.getBoundingClientRect(); picker.hidden = true; memoEditor({ start: p.start, end: p.end }, "", null, r); };
      picker.appendChild(memoBtn);
    }
    let active = 0;
    let shown = [];
    function fill() {
      const q = input.value.trim().toLowerCase();
      const all = model.get("codes");
      shown = all.filter((c) => !q || c.label.toLowerCase().includes(q) || c.id.toLowerCase().includes(q) ||
        (c.path || "").toLowerCase().includes(q));
      // the codes used last come first (Enter repeats the last one), then the whole tree
      const byId = Object.fromEntries(all.map((c) => [c.id, c]));
      const rec = q ? [] : recent.filter((id) => byId[id]).map((id) => ({ ...byId[id], recent: true }));
      shown = [...rec, ...shown];
      active = Math.min(active, Math.max(shown.length - 1, 0));
      list.replaceChildren(...shown.map((c, i) => {
        const last = c.recent && !(shown[i + 1] && shown[i + 1].recent);
        const item = h("div", "mcq-pick" + (i === active ? " mcq-active" : "") + (c.recent ? " mcq-recent" : "") +
          (last ? " mcq-recent-last" : ""));
        item.dataset.code = c.id;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", i === active ? "true" : "false");
        item.style.paddingLeft = `${8 + (q || c.recent ? 0 : c.depth * 14)}px`;
        const sw = h("span", "mcq-swatch");
        sw.style.background = c.color;
        const lab = h("span", "mcq-pick-label", c.label);
        item.append(sw, lab);
        if ((q || c.recent) && c.depth) item.appendChild(h("span", "mcq-pick-path", c.path));
        else if (c.recent) item.appendChild(h("span", "mcq-pick-path", "recent"));
        if (c.definition) item.title = c.definition;
        item.onmousedown = (ev) => { ev.preventDefault(); choose(c.id); };
        return item;
      }));
      if (!shown.length) list.appendChild(h("div", "mcq-pick-none", "no code matches"));
      const act = list.querySelector(".mcq-active");
      if (act && act.scrollIntoView) act.scrollIntoView({ block: "nearest" });
    }
    function choose(id) {
      recent = [id, ...recent.filter((x) => x !== id)].slice(0, 4);
      closePicker();
      if (pick_.mode === "recode") send({ action: "recode", coding_id: pick_.coding, code: id });
      else send({ action: "code", start: pick_.start, end: pick_.end, code: id });
      window.getSelection() && window.getSelection().removeAllRanges();
    }
    const pick_ = p;
    input.oninput = () => { active = 0; fill(); };
    input.onkeydown = (ev) => {
      if (ev.key === "ArrowDown") { active = Math.min(active + 1, shown.length - 1); fill(); ev.preventDefault(); }
      else if (ev.key === "ArrowUp") { active = Math.max(active - 1, 0); fill(); ev.preventDefault(); }
      else if (ev.key === "Enter") { if (shown[active]) choose(shown[active].id); ev.preventDefault(); }
      else if (ev.key === "Escape") { closePicker(); ev.preventDefault(); }
      ev.stopPropagation(); // keep JupyterLab's shortcuts out of the picker
    };
    fill();
    placeNear(picker, rect);
    input.focus({ preventScroll: true });
  }
  function closePicker() { picker.hidden = true; pick = null; }

  // -- the coding panel: remove / change code / memo, accept / reject suggestions --------------------
  function openPanel(ev, codingIds, suggIds) {
    closePicker();
    const me = model.get("coder");
    const memos = memoByCoding();
    const cods = model.get("codings").filter((c) => codingIds.includes(c.id));
    const sugs = model.get("suggestions").filter((s) => suggIds.includes(s.id));
    panel.replaceChildren();
    const close = h("button", "mcq-close", "×");
    close.title = "Close (Esc)";
    close.onclick = () => { panel.hidden = true; };
    panel.appendChild(close);
    for (const c of cods) {
      const box = h("div", "mcq-item");
      box.dataset.c = c.id;
      const head = h("div", "mcq-item-head");
      const sw = h("span", "mcq-swatch"); sw.style.background = colorOf(c.code);
      head.append(sw, h("b", null, labelOf(c.code)), h("span", "mcq-dim", ` · ${c.coder}${c.status !== "active" ? ` · ${c.status}` : ""} · #${c.id}`));
      box.appendChild(head);
      const memo = memos[c.id];
      if (memo) box.appendChild(h("div", "mcq-memo", `✎ ${memo.text} — ${memo.coder}, ${memo.at.replace("T", " ")}`));
      if (c.coder === me) {
        const row = h("div", "mcq-actions");
        const rm = h("button", "mcq-btn mcq-remove", "Remove");
        rm.onclick = () => { panel.hidden = true; send({ action: "uncode", coding_id: c.id }); };
        const ch = h("button", "mcq-btn mcq-change", "Change code…");
        ch.onclick = () => openPicker({ mode: "recode", coding: c.id, fromCode: c.code }, panel.getBoundingClientRect());
        const mm = h("button", "mcq-btn mcq-memo-btn", memo ? "Edit memo" : "Memo…");
        mm.onclick = () => memoEditor({ coding: c.id }, memo ? memo.text : "", memo ? memo.id : null, panel.getBoundingClientRect());
        row.append(rm, ch, mm);
        box.appendChild(row);
      } else {
        box.appendChild(h("div", "mcq-dim", `${c.coder}'s coding (open the view as ${c.coder} to change it)`));
      }
      panel.appendChild(box);
    }
    for (const s of sugs) {
      const box = h("div", "mcq-item mcq-sugg-item");
      box.dataset.g = s.id;
      const head = h("div", "mcq-item-head");
      const sw = h("span", "mcq-swatch mcq-swatch-dashed"); sw.style.borderColor = colorOf(s.code);
      head.append(sw, h("b", null, `${labelOf(s.code)}?`), h("span", "mcq-dim", ` · suggested ${s.score.toFixed(2)} · ${s.source}`));
      box.appendChild(head);
      if (s.reason) box.appendChild(h("div", "mcq-reason", s.reason));
      const row = h("div", "mcq-actions");
      const ac = h("button", "mcq-btn mcq-accept", "✓ Accept");
      ac.onclick = () => { panel.hidden = true; send({ action: "accept", suggestion_id: s.id }); };
      const rj = h("button", "mcq-btn mcq-reject", "✗ Reject");
      rj.onclick = () => { panel.hidden = true; send({ action: "reject", suggestion_id: s.id }); };
      row.append(ac, rj);
      box.appendChild(row);
      panel.appendChild(box);
    }
    if (!cods.length && !sugs.length) { panel.hidden = true; return; }
    const rect = ev.target.getBoundingClientRect();
    placeNear(panel, rect);
  }

  function memoEditor(target, text, replaces, rect) {
    panel.replaceChildren();
    const head = h("div", "mcq-item-head", target.coding ? `Memo on coding #${target.coding}` : "Memo on this passage");
    const ta = h("textarea", "mcq-memo-text");
    ta.value = text || "";
    ta.rows = 4;
    ta.placeholder = "Write a memo (Ctrl+Enter saves)";
    const row = h("div", "mcq-actions");
    const save = h("button", "mcq-btn mcq-save", "Save memo");
    const cancel = h("button", "mcq-btn", "Cancel");
    const doSave = () => {
      const msg = { action: "memo", text: ta.value };
      if (replaces !== null && replaces !== undefined) msg.replaces = replaces;
      else Object.assign(msg, target.coding ? { coding_id: target.coding } : { start: target.start, end: target.end });
      panel.hidden = true;
      send(msg);
    };
    save.onclick = doSave;
    cancel.onclick = () => { panel.hidden = true; };
    ta.onkeydown = (ev) => {
      if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { doSave(); ev.preventDefault(); }
      if (ev.key === "Escape") { panel.hidden = true; }
      ev.stopPropagation();
    };
    row.append(save, cancel);
    panel.append(head, ta, row);
    placeNear(panel, rect);
    ta.focus({ preventScroll: true });
  }

  // -- events --------------------------------------------------------------------------------------------
  doc.addEventListener("mouseup", (ev) => {
    setTimeout(() => {
      const span = selectionSpan();
      if (span) { openPicker({ mode: "code", start: span.start, end: span.end, text: span.text.trim() }, span.rect); return; }
      const run = ev.target.closest && ev.target.closest(".mcq-run");
      if (run && (run.dataset.c || run.dataset.g)) {
        const cs = run.dataset.c ? run.dataset.c.split(",").map(Number) : [];
        const gs = run.dataset.g ? run.dataset.g.split(",").map(Number) : [];
        openPanel(ev, cs, gs);
      }
    }, 0);
  });
  root.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape") { closePicker(); panel.hidden = true; }
  });
  document.addEventListener("mousedown", onOutside, true);
  function onOutside(ev) {
    if (!root.contains(ev.target)) { closePicker(); panel.hidden = true; }
    else if (!picker.contains(ev.target) && !panel.contains(ev.target)) { closePicker(); panel.hidden = true; }
  }

  tSel.onchange = () => send({ action: "transcript", id: tSel.value });
  codeFilter.onchange = () => { filters.code = codeFilter.value; fillToolbar(); patch(false); };
  coderFilter.onchange = () => { filters.coder = coderFilter.value; fillToolbar(); patch(false); };
  sugBox.onchange = () => patch(false);
  undoBtn.onclick = () => send({ action: "undo" });
  refreshBtn.onclick = () => send({ action: "refresh" });
  qualityBtn.onclick = () => {
    status.textContent = "Measuring how good the suggestions are…";
    status.className = "mcq-status";
    send({ action: "quality" });
  };

  // refresh when the view regains focus (another coder may have written to the file)
  const onFocus = () => { if (document.visibilityState !== "hidden") send({ action: "focus" }); };
  window.addEventListener("focus", onFocus);
  document.addEventListener("visibilitychange", onFocus);

  const ro = new ResizeObserver(() => requestAnimationFrame(redrawAllStripes));
  ro.observe(doc);

  model.on("change:doc", () => { readCodes(); fillToolbar(); renderDoc(); });
  model.on("change:version", () => { readCodes(); fillToolbar(); patch(false); });
  model.on("change:status", () => showStatus(model, status));
  model.on("change:quality_info", () => { fillToolbar(); fillQuality(); });
  model.on("change:height", () => { pane.style.maxHeight = `${model.get("height")}px`; });

  readCodes();
  fillToolbar();
  fillQuality();
  renderDoc();
  root.dataset.ready = "1";

  return () => {
    window.removeEventListener("focus", onFocus);
    document.removeEventListener("visibilitychange", onFocus);
    document.removeEventListener("mousedown", onOutside, true);
    ro.disconnect();
  };
}

export default { render };
