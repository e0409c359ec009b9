// panel.js - the details panel beside a DAG view: nothing selected (the
// state legend), a run (its facts, conf, task instances, "rerun failed"),
// or a task instance (the try panel: every try with state, start, end,
// duration, exit code and pool; rerun with downstream / failed only, mark
// success or failed) and, in the wide pane under the view, the selected
// try's log, live while it runs.

import { send } from './api.js';
import { LogView } from './log.js';
import {
  esc, badge, timeEl, shortTime, fmtDur, duration, href, apiPath, STATE_NAMES, glyph, stateWords,
} from './util.js';

export function legend() {
  return `<ul class="legend" aria-label="States">${STATE_NAMES.map((s) => `<li><span class="mark s-${s}" aria-hidden="true">${glyph(s)}</span> ${esc(stateWords(s))}</li>`).join('')}
    <li><span class="mark s-success retried" aria-hidden="true">✓</span> dark base: retried (try 2 or later)</li></ul>`;
}

function runFacts(run) {
  return `<dl class="facts">
    <dt>State</dt><dd>${badge(run.state)}</dd>
    <dt>Type</dt><dd>${esc(run.run_type)}</dd>
    <dt>Logical date</dt><dd>${timeEl(run.logical_date)}</dd>
    <dt>Data interval</dt><dd>${timeEl(run.data_interval_start)} → ${timeEl(run.data_interval_end)}</dd>
    <dt>Start</dt><dd>${timeEl(run.start)}</dd>
    <dt>End</dt><dd>${timeEl(run.end)}</dd>
    <dt>Duration</dt><dd>${esc(fmtDur(duration(run.start, run.end)))}</dd>
  </dl>`;
}

export class Panel {
  /** el: the panel; logEl: the wide pane under the view that shows a try's log. */
  constructor(el, logEl, ctx) {
    this.el = el;
    this.logEl = logEl;
    this.ctx = ctx;
    this.kind = null;
    this.key = null;
    this.logView = null;
    el.addEventListener('click', (e) => this.onClick(e));
  }

  stop() {
    if (this.logView) this.logView.stop();
    this.logView = null;
    this.logEl.hidden = true;
    this.logEl.innerHTML = '';
  }

  /** Nothing selected. */
  showNone(dag) {
    if (this.kind === 'none') return;
    this.stop();
    this.kind = 'none';
    this.key = null;
    this.el.innerHTML = `<h2>Details</h2><p class="muted">Select a run (a column head) or a task instance (a cell) to see its details, tries and log.</p>
      <h3>States</h3>${legend()}<p class="muted small">${esc(dag.dag)}: ${dag.tasks.length} task${dag.tasks.length === 1 ? '' : 's'}</p>`;
  }

  /** A run: run is GET .../runs/{run}. */
  showRun(dag, run, view) {
    const key = run;
    if (this.kind === 'run' && this.key === key) return;
    this.stop();
    this.kind = 'run';
    this.key = key;
    this.dag = dag;
    this.run = run;
    const failed = run.tasks.filter((t) => ['failed', 'upstream_failed'].includes(t.state)).length;
    const conf = run.conf && Object.keys(run.conf).length ? `<h3>Conf</h3><pre class="conf">${esc(JSON.stringify(run.conf, null, 2))}</pre>` : '';
    this.el.innerHTML = `<div class="panel-head"><h2>Run</h2><a class="close" href="${href(dag.dag, view)}" aria-label="Close details">✕</a></div>
      <p class="runid"><code>${esc(run.run_id)}</code></p>
      ${runFacts(run)}
      <div class="actions">
        <button type="button" class="act-rerun-failed" ${failed ? '' : 'disabled'} title="Clear the failed and upstream-failed tasks of this run so they run again">Rerun failed tasks${failed ? ` (${failed})` : ''}</button>
        <a class="btn" href="${href(dag.dag, 'gantt', { run: run.run_id })}">Gantt</a>
      </div>
      <p class="act-msg" role="status" aria-live="polite"></p>
      ${conf}
      <h3>Task instances</h3>
      <table class="tbl compact tis"><thead><tr><th>task</th><th>state</th><th>try</th><th>duration</th></tr></thead><tbody>
      ${run.tasks.map((t) => `<tr><td><a href="${href(dag.dag, view, { run: run.run_id, task: t.task })}">${esc(t.task)}</a></td><td>${badge(t.state)}</td><td>${t.try_number || '—'}</td><td>${esc(fmtDur(duration(t.start, t.end)))}</td></tr>`).join('')}
      </tbody></table>`;
    if (this.last && this.last.key === run.run_id) this.msg(this.last.text, this.last.bad);
  }

  /** A task instance: run detail, its tries, the DAG's task. */
  showTask(dag, run, task, tries, tryNo, view) {
    const ti = run.tasks.find((t) => t.task === task);
    const spec = dag.tasks.find((t) => t.task === task) || { task, kind: '?', depends: [] };
    const key = `${run.run_id}\u0000${task}`;
    const fresh = !(this.kind === 'task' && this.key === key);
    this.kind = 'task';
    this.dag = dag;
    this.run = run;
    this.task = task;
    if (fresh) {
      this.stop();
      this.key = key;
      this.el.innerHTML = `<div class="panel-head"><h2>Task <code>${esc(task)}</code></h2><a class="close" href="${href(dag.dag, view, { run: run.run_id })}" aria-label="Back to the run">✕</a></div>
        <p class="runid">run <a href="${href(dag.dag, view, { run: run.run_id })}"><code>${esc(run.run_id)}</code></a></p>
        <div class="ti-facts"></div>
        <div class="actions">
          <button type="button" class="act-clear" title="Clear this task instance so it runs again">Rerun</button>
          <label><input type="checkbox" class="opt-down" checked> with downstream</label>
          <label><input type="checkbox" class="opt-failed"> failed only</label>
        </div>
        <div class="actions">
          <button type="button" class="act-mark" data-state="success">Mark success</button>
          <button type="button" class="act-mark" data-state="failed">Mark failed</button>
        </div>
        <p class="act-msg" role="status" aria-live="polite"></p>
        <h3>Tries</h3>
        <div class="tries"></div>`;
      this.logEl.innerHTML = '<div class="view-head"><h2 class="log-h">Log</h2></div><div class="logbox"></div>';
      this.logView = new LogView(this.logEl.querySelector('.logbox'));
    }
    const facts = this.el.querySelector('.ti-facts');
    facts.innerHTML = `<dl class="facts">
      <dt>State</dt><dd>${badge(ti ? ti.state : 'none')}</dd>
      <dt>Kind</dt><dd>${esc(spec.kind)}${spec.trigger_rule && spec.trigger_rule !== 'all_success' ? ` · ${esc(spec.trigger_rule)}` : ''}</dd>
      <dt>Upstream</dt><dd>${(spec.depends || []).length ? spec.depends.map((d) => `<a href="${href(dag.dag, view, { run: run.run_id, task: d })}">${esc(d)}</a>`).join(', ') : '<span class="muted">none</span>'}</dd>
      <dt>Retries</dt><dd>${spec.retries ?? '—'}</dd>
    </dl>`;
    const pool = ti && ti.pool ? ti.pool : (spec.pool || 'default');
    const rows = (tries || []).slice().reverse();
    const shownTry = tryNo || (rows[0] && rows[0].try_number) || (ti && ti.try_number) || 0;
    this.el.querySelector('.tries').innerHTML = rows.length ? `<div class="scroll-x"><table class="tbl compact trytbl"><thead><tr>
        <th>try</th><th>state</th><th>start</th><th>end</th><th>duration</th><th>exit</th><th>pool</th></tr></thead><tbody>
        ${rows.map((t) => `<tr class="${t.try_number === shownTry ? 'cur' : ''}"${t.try_number === shownTry ? ' aria-current="true"' : ''}>
          <td><a href="${href(dag.dag, view, { run: run.run_id, task, try: t.try_number })}" aria-label="Show try ${t.try_number}">${t.try_number}</a></td>
          <td>${badge(t.state)}</td><td>${shortTime(t.start)}</td><td>${shortTime(t.end)}</td>
          <td>${esc(fmtDur(duration(t.start, t.end)))}</td>
          <td>${t.exit_code === null || t.exit_code === undefined ? '<span class="muted">—</span>' : `<code>${t.exit_code}</code>`}</td>
          <td>${esc(pool)}</td></tr>`).join('')}
        </tbody></table></div>` : '<p class="muted">No try yet.</p>';
    const running = ti && ti.state === 'running';
    this.el.querySelector('.act-clear').disabled = running;
    for (const b of this.el.querySelectorAll('.act-mark')) b.disabled = running || (ti && ti.state === b.dataset.state);
    const logH = this.logEl.querySelector('.log-h');
    if (!shownTry) {
      this.logEl.hidden = true;
      return;
    }
    this.logEl.hidden = false;
    const tr = (tries || []).find((t) => t.try_number === shownTry);
    const live = !!tr && ['running', 'queued'].includes(tr.state) && tr.try_number === (ti && ti.try_number);
    logH.innerHTML = `Log <span class="muted">·</span> <code>${esc(task)}</code> <span class="muted">· try ${shownTry}${rows.length > 1 ? ` of ${rows[0].try_number}` : ''}</span>`;
    const url = apiPath('dags', dag.dag, 'runs', run.run_id, 'tasks', task, 'tries', String(shownTry), 'log');
    const file = `${dag.dag}__${run.run_id}__${task}__${shownTry}.log`.replace(/[^A-Za-z0-9_.-]+/g, '_');
    this.logView.show(url, live, file);
  }

  msg(text, bad) {
    this.last = { text, bad, key: this.run && this.run.run_id };
    const m = this.el.querySelector('.act-msg');
    if (!m) return;
    m.textContent = text;
    m.className = `act-msg ${bad ? 'bad' : 'ok'}`;
  }

  async onClick(e) {
    const b = e.target.closest('button');
    if (!b || b.disabled) return;
    const dag = this.dag;
    const run = this.run;
    const path = apiPath('dags', dag.dag, 'runs', run.run_id);
    try {
      if (b.classList.contains('act-rerun-failed')) {
        b.disabled = true;
        await send('POST', `${path}/clear`, { failed_only: true, downstream: true });
        this.msg('Failed tasks cleared: they run again.');
      } else if (b.classList.contains('act-clear')) {
        const down = this.el.querySelector('.opt-down').checked;
        const failedOnly = this.el.querySelector('.opt-failed').checked;
        b.disabled = true;
        await send('POST', `${path}/clear`, { tasks: [this.task], downstream: down, failed_only: failedOnly });
        this.msg(`${this.task}${down ? ' and its downstream tasks' : ''} cleared: ${failedOnly ? 'the failed ones ' : ''}run again.`);
      } else if (b.classList.contains('act-mark')) {
        b.disabled = true;
        await send('POST', `${path}/tasks/${encodeURIComponent(this.task)}/state`, { state: b.dataset.state });
        this.msg(`${this.task} marked ${b.dataset.state}.`);
      } else {
        return;
      }
      this.ctx.refreshSoon();
    } catch (x) {
      b.disabled = false;
      this.msg(`Failed: ${x.message}`, true);
    }
  }
}
