// views.js - the two plain views of a DAG page: "code" (the DAG file as
// loaded, with line numbers and light YAML colouring) and "runs" (the run
// list with durations, filtered by state and paged, and the next 10
// scheduled runs).

import { esc, badge, timeEl, fmtDur, duration, relTime, href } from './util.js';

/** One YAML line as HTML: comments, keys, quoted strings, templates. */
function yamlLine(line) {
  let code = line;
  let comment = '';
  // a '#' that starts a comment: at the start or after a space, outside quotes
  let q = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (q) { if (c === q) q = null; continue; }
    if (c === '"' || c === "'") q = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) { code = line.slice(0, i); comment = line.slice(i); break; }
  }
  let h = esc(code)
    .replace(/^(\s*(?:-\s+)?)([A-Za-z0-9_.-]+)(:)(?=\s|$)/, '$1<span class="y-key">$2</span>$3')
    .replace(/(&quot;[^&]*?&quot;|&#39;[^&]*?&#39;)/g, '<span class="y-str">$1</span>')
    .replace(/(\{\{.*?\}\})/g, '<span class="y-tpl">$1</span>');
  if (comment) h += `<span class="y-com">${esc(comment)}</span>`;
  return h;
}

export function renderCode(el, src) {
  const lines = src.source.replace(/\n$/, '').split('\n');
  el.innerHTML = `<div class="code-head"><span>File <code>${esc(src.file)}</code></span> <span class="muted">${lines.length} lines, as loaded by the daemon</span></div>
    <div class="code-scroll"><table class="code" aria-label="DAG file ${esc(src.file)}"><tbody>
    ${lines.map((l, i) => `<tr><td class="ln" aria-hidden="true">${i + 1}</td><td class="lc">${yamlLine(l) || ' '}</td></tr>`).join('')}
    </tbody></table></div>`;
}

export const RUNS_PAGE = 25;

/** runs: GET .../runs answer; next: GET .../next answer; q: {state, offset}. */
export function renderRuns(el, dag, runs, next, q, view) {
  const states = ['', 'queued', 'running', 'success', 'failed'];
  const off = q.offset || 0;
  const total = runs.total;
  const rows = runs.items.map((r) => `<tr>
      <td><a href="${href(dag.dag, 'runs', { run: r.run_id, state: q.state, offset: off || null })}"><code>${esc(r.run_id)}</code></a></td>
      <td>${esc(r.run_type)}</td><td>${badge(r.state)}</td><td>${timeEl(r.logical_date, { seconds: false })}</td>
      <td>${timeEl(r.start)}</td><td>${timeEl(r.end)}</td><td class="num">${esc(fmtDur(duration(r.start, r.end)))}</td></tr>`).join('');
  const nexts = (next.items || []).map((n, i) => `<tr><td class="num">${i + 1}</td><td>${timeEl(n.data_interval_start, { seconds: false })}</td>
      <td>${timeEl(n.data_interval_end, { seconds: false })}</td><td class="muted">${esc(relTime(n.data_interval_end))}</td></tr>`).join('');
  const pg = (o) => href(dag.dag, 'runs', { state: q.state, offset: o || null });
  el.innerHTML = `<section aria-labelledby="runs-h">
      <div class="view-head"><h2 id="runs-h">Runs</h2>
        <label>State <select class="runs-state">${states.map((s) => `<option value="${s}"${s === (q.state || '') ? ' selected' : ''}>${s || 'all'}</option>`).join('')}</select></label>
        <span class="muted">${total ? `${off + 1}–${Math.min(off + RUNS_PAGE, total)} of ${total}` : 'none'}</span>
        <nav class="pager" aria-label="Pages of runs">
          ${off > 0 ? `<a class="btn" href="${pg(Math.max(0, off - RUNS_PAGE))}">← newer</a>` : ''}
          ${off + RUNS_PAGE < total ? `<a class="btn" href="${pg(off + RUNS_PAGE)}">older →</a>` : ''}
        </nav></div>
      <div class="scroll-x"><table class="tbl runs"><thead><tr><th>run id</th><th>type</th><th>state</th><th>logical date</th><th>start</th><th>end</th><th class="num">duration</th></tr></thead>
      <tbody>${rows || `<tr><td colspan="7" class="muted">No run${q.state ? ` in state ${esc(q.state)}` : ''}.</td></tr>`}</tbody></table></div>
    </section>
    <section aria-labelledby="next-h">
      <h2 id="next-h">Next ${next.items && next.items.length ? next.items.length : ''} scheduled runs</h2>
      ${nexts ? `<p class="muted small">A run is created when its data interval ends${dag.paused ? ' (this DAG is paused: none will be created until it is unpaused)' : ''}.</p>
        <div class="scroll-x"><table class="tbl compact"><thead><tr><th class="num">#</th><th>data interval start (logical date)</th><th>end: created at</th><th></th></tr></thead><tbody>${nexts}</tbody></table></div>`
    : '<p class="muted">None: this DAG has no schedule (manual runs only), or it has ended.</p>'}
    </section>`;
  el.querySelector('.runs-state').addEventListener('change', (e) => {
    location.hash = href(dag.dag, 'runs', { state: e.target.value });
  });
}
