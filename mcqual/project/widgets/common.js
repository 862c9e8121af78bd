// Helpers shared by the coding view and the review card; prepended to each module by _base.asset_module.

function h(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = text;
  return e;
}

function tint(color, alpha) {
  const c = (color || "#999999").replace("#", "");
  if (c.length !== 6) return color;
  const r = parseInt(c.slice(0, 2), 16), g = parseInt(c.slice(2, 4), 16), b = parseInt(c.slice(4, 6), 16);
  return `rgba(${r},${g},${b},${alpha})`;
}

// the reply to the last action in the status line; a success fades after 6 s
function showStatus(model, status) {
  const s = model.get("status") || {};
  if (!s.text) return;
  status.textContent = s.text;
  status.className = "mcq-status " + (s.ok ? "mcq-ok" : "mcq-err");
  clearTimeout(status._mcqTimer);
  if (s.ok) status._mcqTimer = setTimeout(() => { status.textContent = ""; }, 6000);
}
