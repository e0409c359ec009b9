// util.js - small helpers shared by the dashboard's pages: HTML escaping,
// the states (colour class, glyph and words: colour is never the only
// carrier), time and duration formatting (local time or UTC, as the user
// chose), and hash-route building. No DOM state lives here.

/** Escape text for HTML (element content and quoted attributes). */
export function esc(s) {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({
    '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
  }[c]));
}

/** State -> [glyph, words]. The CSS class is "s-" + state. */
const STATES = {
  success: ['✓', 'success'],
  failed: ['✕', 'failed'],
  running: ['▶', 'running'],
  queued: ['…', 'queued'],
  scheduled: ['◷', 'scheduled'],
  up_for_retry: ['↻', 'up for retry'],
  up_for_reschedule: ['◔', 'up for reschedule'],
  upstream_failed: ['!', 'upstream failed'],
  skipped: ['»', 'skipped'],
  removed: ['∅', 'removed'],
  none: ['', 'no status'],
};
export const STATE_NAMES = Object.keys(STATES);

export function glyph(state) {
  return (STATES[state] || ['?'])[0];
}

export function stateWords(state) {
  return (STATES[state] || [null, String(state || 'no status')])[1];
}

/** A badge: glyph + words, coloured. */
export function badge(state) {
  const s = state || 'none';
  return `<span class="badge s-${esc(s)}"><span class="g" aria-hidden="true">${glyph(s)}</span>${esc(stateWords(s))}</span>`;
}

/** A small square mark with its glyph, labelled for assistive tech. */
export function mark(state, label) {
  const s = state || 'none';
  const l = label ? `${label}: ${stateWords(s)}` : stateWords(s);
  return `<span class="mark s-${esc(s)}" role="img" aria-label="${esc(l)}" title="${esc(l)}">${glyph(s)}</span>`;
}

/** Is the state one that still changes on its own? */
export function isActive(state) {
  return ['running', 'queued', 'scheduled', 'up_for_retry', 'up_for_reschedule'].includes(state);
}

// --- time -----------------------------------------------------------------

let useUtc = localStorage.getItem('dagd.utc') === '1';
export function utcMode() { return useUtc; }
export function setUtcMode(on) {
  useUtc = !!on;
  localStorage.setItem('dagd.utc', useUtc ? '1' : '0');
}

/** ms since the epoch of an RFC 3339 string, or null. */
export function ms(t) {
  if (!t) return null;
  const v = Date.parse(t);
  return Number.isNaN(v) ? null : v;
}

const pad = (n, w = 2) => String(n).padStart(w, '0');

/** "2026-01-10 03:00:00" in local time or UTC (with a "Z"). */
export function fmtTime(t, { seconds = true, date = true } = {}) {
  const v = ms(t);
  if (v === null) return '—';
  const d = new Date(v);
  const y = useUtc ? d.getUTCFullYear() : d.getFullYear();
  const mo = useUtc ? d.getUTCMonth() + 1 : d.getMonth() + 1;
  const da = useUtc ? d.getUTCDate() : d.getDate();
  const h = useUtc ? d.getUTCHours() : d.getHours();
  const mi = useUtc ? d.getUTCMinutes() : d.getMinutes();
  const s = useUtc ? d.getUTCSeconds() : d.getSeconds();
  let out = date ? `${y}-${pad(mo)}-${pad(da)} ` : '';
  out += `${pad(h)}:${pad(mi)}${seconds ? ':' + pad(s) : ''}`;
  return useUtc ? out + 'Z' : out;
}

/** A short <time>: "05:29:23" today, "12-01 05:29" on another day. */
export function shortTime(t) {
  const v = ms(t);
  if (v === null) return '<span class="muted">—</span>';
  const day = (x) => fmtTime(new Date(x).toISOString()).slice(0, 10);
  const s = day(v) === day(Date.now()) ? fmtTime(t).slice(11) : fmtTime(t, { seconds: false }).slice(5);
  return `<time datetime="${esc(t)}" title="${esc(fmtTime(t))} (${esc(t)})">${esc(s)}</time>`;
}

/** A <time> element with the exact UTC instant as its title. */
export function timeEl(t, opts) {
  if (!t) return '<span class="muted">—</span>';
  return `<time datetime="${esc(t)}" title="${esc(t)}">${esc(fmtTime(t, opts))}</time>`;
}

/** "1h 02m", "3.2s", "450ms" from milliseconds. */
export function fmtDur(d) {
  if (d === null || d === undefined || Number.isNaN(d)) return '—';
  if (d < 0) d = 0;
  if (d < 1000) return `${Math.round(d)}ms`;
  if (d < 60000) return `${(d / 1000).toFixed(d < 10000 ? 2 : 1)}s`;
  const s = Math.round(d / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}

/** Duration between two RFC 3339 times; a running one counts to now. */
export function duration(start, end) {
  const a = ms(start);
  if (a === null) return null;
  const b = ms(end) ?? Date.now();
  return b - a;
}

/** "in 3h 20m" / "5m ago". */
export function relTime(t) {
  const v = ms(t);
  if (v === null) return '';
  const d = v - Date.now();
  const a = Math.abs(d);
  // coarse on purpose: the text changes once a minute, not every second
  let s;
  if (a < 60e3) s = `${Math.round(a / 1000)}s`;
  else if (a < 3600e3) s = `${Math.round(a / 60e3)}m`;
  else if (a < 86400e3) s = `${Math.floor(a / 3600e3)}h ${Math.round((a % 3600e3) / 60e3)}m`;
  else s = `${Math.floor(a / 86400e3)}d ${Math.round((a % 86400e3) / 3600e3)}h`;
  return d >= 0 ? `in ${s}` : `${s} ago`;
}

// --- routes ---------------------------------------------------------------

/** "#/dags/ID/view?run=..&task=.." from parts; empty values are left out. */
export function href(dag, view, q = {}) {
  let h = '#/';
  if (dag) h += 'dags/' + encodeURIComponent(dag) + (view ? '/' + view : '');
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== null && v !== undefined && v !== '') p.set(k, v);
  const qs = p.toString();
  return qs ? `${h}?${qs}` : h;
}

/** The API path of a DAG (and more segments), each segment encoded. */
export function apiPath(...segs) {
  return '/api/v1/' + segs.map((s) => encodeURIComponent(s)).join('/');
}

/** Debounce fn by ms. */
export function debounce(fn, wait) {
  let t = null;
  return (...a) => { clearTimeout(t); t = setTimeout(() => fn(...a), wait); };
}
