// app.js - the dashboard's entry module: the hash router (#/ is the DAG
// list, #/dags/ID/VIEW?run=&task=&try= a DAG page: every state has its own
// URL, so deep links and the back button work), the page header (UTC
// switch, token, live status), notices in the page (never alert()), and
// the polling loop: the page on screen is refreshed every POLL_MS with
// conditional GETs, faster while runs are active, paused while the tab
// is hidden.

import { setTokenPrompt, token, setToken } from './api.js';
import { askToken } from './dialogs.js';
import { mountList } from './list.js';
import { mountDag, VIEWS } from './dag.js';
import { esc, href, utcMode, setUtcMode } from './util.js';

const POLL_MS = 3000;
const POLL_ACTIVE_MS = 1000;

const main = document.getElementById('app');
const toasts = document.getElementById('toasts');
const crumbs = document.getElementById('crumbs');
const liveEl = document.getElementById('live');
let page = null;
let pageKind = null;
let pollTimer = null;

// --- performance marks, read by the e2e test -------------------------------
window.__dagd = { perf: [] };

const ctx = {
  perf(name, msTaken, n) {
    // the time to build the DOM, plus the layout and paint that follow it
    const t0 = performance.now() - msTaken;
    requestAnimationFrame(() => setTimeout(() => {
      const total = performance.now() - t0;
      window.__dagd.perf.push({ name, build_ms: msTaken, paint_ms: total, n });
      document.body.dataset[`${name}Ms`] = String(Math.round(total));
    }, 0));
  },
  notice(text) { toast(text, false); },
  error(text) { toast(text, true); },
  title(t) { document.title = t; },
  refreshSoon() { schedule(150); },
  utcKey() { return utcMode() ? 'utc' : 'local'; },
};

function toast(text, bad) {
  const d = document.createElement('div');
  d.className = `toast ${bad ? 'bad' : 'ok'}`;
  d.setAttribute('role', bad ? 'alert' : 'status');
  d.innerHTML = `<span>${esc(text)}</span><button type="button" class="x" aria-label="Dismiss">✕</button>`;
  d.querySelector('button').addEventListener('click', () => d.remove());
  toasts.appendChild(d);
  if (!bad) setTimeout(() => d.remove(), 4000);
  while (toasts.children.length > 4) toasts.firstChild.remove();
}

/** Parse location.hash: {kind, dag, view, query}. */
export function parseRoute(hash) {
  const h = (hash || '').replace(/^#/, '') || '/';
  const [path, qs] = h.split('?');
  const query = new URLSearchParams(qs || '');
  const segs = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (segs[0] === 'dags' && segs[1]) {
    const view = VIEWS.includes(segs[2]) ? segs[2] : 'grid';
    return { kind: 'dag', dag: segs[1], view, query };
  }
  return { kind: 'list', query };
}

function drawCrumbs(r) {
  const parts = [`<a href="#/">DAGs</a>`];
  if (r.kind === 'dag') {
    parts.push(`<a href="${href(r.dag)}">${esc(r.dag)}</a>`);
    const run = r.query.get('run');
    const task = r.query.get('task');
    if (run) parts.push(`<a href="${href(r.dag, r.view, { run })}" title="${esc(run)}">${esc(run.length > 34 ? run.slice(0, 33) + '…' : run)}</a>`);
    if (task) parts.push(`<span>${esc(task)}</span>`);
  }
  crumbs.innerHTML = parts.map((p, i) => (i === parts.length - 1 ? p.replace('<a ', '<a aria-current="page" ') : p)).join('<span class="sep" aria-hidden="true">›</span>');
}

function route() {
  const r = parseRoute(location.hash);
  drawCrumbs(r);
  const key = r.kind === 'dag' ? `dag:${r.dag}` : 'list';
  if (page && pageKind === key) {
    page.update(r);
  } else {
    if (page && page.unmount) page.unmount();
    document.title = 'dagd';
    pageKind = key;
    page = r.kind === 'dag' ? mountDag(main, r, ctx) : mountList(main, r, ctx);
    main.focus({ preventScroll: true });
    window.scrollTo(0, 0);
    schedule(0);
    return;
  }
  schedule();
}

async function tick() {
  pollTimer = null;
  if (document.hidden || !page) return;
  try {
    if ((await page.refresh()) === false) throw new Error('offline');
    liveEl.className = 'live ok';
    liveEl.title = 'Live: updated every few seconds';
    liveEl.querySelector('.txt').textContent = 'live';
  } catch {
    liveEl.className = 'live bad';
    liveEl.querySelector('.txt').textContent = 'offline';
  }
  schedule();
}

function schedule(ms) {
  if (pollTimer) clearTimeout(pollTimer);
  const fast = page && page.active && page.active();
  pollTimer = setTimeout(tick, ms ?? (fast ? POLL_ACTIVE_MS : POLL_MS));
}

document.addEventListener('visibilitychange', () => { if (!document.hidden) schedule(0); });
window.addEventListener('hashchange', route);

// --- header controls ---------------------------------------------------------
const utcBtn = document.getElementById('utc');
const tokBtn = document.getElementById('token');
function drawControls() {
  utcBtn.setAttribute('aria-pressed', utcMode() ? 'true' : 'false');
  utcBtn.textContent = utcMode() ? 'UTC' : 'Local time';
  utcBtn.title = utcMode() ? 'Times in UTC: click for local time' : 'Times in local time: click for UTC';
  tokBtn.hidden = !token();
}
utcBtn.addEventListener('click', () => {
  setUtcMode(!utcMode());
  drawControls();
  if (page) page.refresh();
});
tokBtn.addEventListener('click', () => {
  setToken(null);
  drawControls();
  toast('API token forgotten for this tab', false);
});
setTokenPrompt(async (reason) => {
  const t = await askToken(reason);
  setTimeout(drawControls, 0);
  return t;
});
drawControls();
route();
