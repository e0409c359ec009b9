// dag.js - the DAG page (#/dags/ID/VIEW?run=&task=&try=): the DAG's header
// (schedule in words, next run, paused switch, trigger and backfill), the
// views grid | graph | gantt | code | runs, and the details panel. Each
// refresh re-reads what is on screen through conditional GETs and redraws
// only the parts whose answer changed (a 304 returns the same object, so
// object identity tells).

import { getJSON, send, ApiError } from './api.js';
import { scheduleWords } from './cron.js';
import { triggerDialog, backfillDialog } from './dialogs.js';
import { renderGrid } from './grid.js';
import { renderGraph } from './graph.js';
import { renderGantt } from './gantt.js';
import { Panel } from './panel.js';
import { renderCode, renderRuns, RUNS_PAGE } from './views.js';
import {
  esc, badge, timeEl, relTime, href, apiPath, isActive, glyph, fmtTime,
} from './util.js';

export const VIEWS = ['grid', 'graph', 'gantt', 'code', 'runs'];
const VIEW_NAMES = { grid: 'Grid', graph: 'Graph', gantt: 'Gantt', code: 'Code', runs: 'Runs' };

const PAGE = `
<section class="page dagpage">
  <header class="dag-head"></header>
  <p class="err page-err" role="alert" hidden></p>
  <nav class="tabs" aria-label="Views of this DAG"></nav>
  <div class="dag-body">
    <div class="view" tabindex="-1"></div>
    <aside class="panel" aria-label="Details"></aside>
    <section class="logpane" aria-label="Log" hidden></section>
  </div>
</section>`;

export function mountDag(root, route, ctx) {
  root.innerHTML = PAGE;
  const headEl = root.querySelector('.dag-head');
  const tabsEl = root.querySelector('.tabs');
  const viewEl = root.querySelector('.view');
  const errEl = root.querySelector('.page-err');
  const panel = new Panel(root.querySelector('.panel'), root.querySelector('.logpane'), ctx);
  const id = route.dag;
  let r = route; // current route
  let dag = null;
  let grid = null;
  let gridCtl = null;
  const drawn = {}; // what each part was last drawn from
  const base = apiPath('dags', id);

  const limit = () => {
    const n = Number(r.query.get('runs'));
    return [25, 50, 100, 250, 500].includes(n) ? n : 25;
  };
  const sel = () => ({ run: r.query.get('run'), task: r.query.get('task'), try: Number(r.query.get('try')) || null });
  const view = () => r.view;

  const showErr = (msg) => {
    errEl.textContent = msg;
    errEl.hidden = !msg;
  };

  function drawHead() {
    const words = scheduleWords(dag.schedule, dag.timezone);
    headEl.innerHTML = `
      <div class="title-row">
        <button type="button" class="switch" role="switch" aria-checked="${dag.paused ? 'false' : 'true'}" aria-label="${esc(dag.dag)}: ${dag.paused ? 'paused' : 'active'}" title="${dag.paused ? 'Paused: click to unpause' : 'Active: click to pause'}"><span class="knob"></span></button>
        <h1>${esc(dag.dag)}</h1>${dag.paused ? '<span class="pill">paused</span>' : ''}
        <span class="spacer"></span>
        <button type="button" class="primary act-trigger">▶ Trigger…</button>
        <button type="button" class="act-backfill"${dag.schedule === 'none' ? ' disabled title="No schedule to backfill"' : ''}>Backfill…</button>
      </div>
      ${dag.description ? `<p class="desc">${esc(dag.description)}</p>` : ''}
      <dl class="facts inline">
        <div><dt>Schedule</dt><dd><code>${esc(dag.schedule)}</code>${words ? ` · ${esc(words)}` : ''}</dd></div>
        <div><dt>Next run</dt><dd>${dag.next_run ? `${timeEl(dag.next_run, { seconds: false })} <span class="muted">(${esc(relTime(dag.next_run))})</span>` : '<span class="muted">—</span>'}</dd></div>
        <div><dt>Last runs</dt><dd class="marks">${(dag.last_runs || []).slice(0, 10).reverse().map((s) => `<span class="mark s-${esc(s)}" role="img" aria-label="${esc(s)}" title="${esc(s)}">${glyph(s)}</span>`).join('') || '<span class="muted">none</span>'}</dd></div>
        ${(dag.tags || []).length ? `<div><dt>Tags</dt><dd>${dag.tags.map((t) => `<a class="tag" href="${href(null, null, { tag: t })}">${esc(t)}</a>`).join(' ')}</dd></div>` : ''}
        <div><dt>File</dt><dd><code>${esc(dag.file || '')}</code></dd></div>
      </dl>`;
  }

  function drawTabs() {
    const s = sel();
    tabsEl.innerHTML = VIEWS.map((v) => {
      const q = { run: s.run, task: s.task, try: s.try };
      if (v === 'grid' && limit() !== 25) q.runs = limit();
      return `<a href="${href(id, v, q)}" data-view="${v}"${v === view() ? ' aria-current="page"' : ''}>${VIEW_NAMES[v]}</a>`;
    }).join('');
  }

  // the run whose states the graph and gantt show: the selected one, else the newest
  const effectiveRun = () => sel().run || (grid && grid.runs[0] && grid.runs[0].run_id) || null;

  async function fetchRun(runId) {
    if (!runId) return null;
    try {
      return (await getJSON(apiPath('dags', id, 'runs', runId))).data;
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return null;
      throw e;
    }
  }

  async function fetchTries(runId, task) {
    try {
      return (await getJSON(apiPath('dags', id, 'runs', runId, 'tasks', task, 'tries'))).data.items;
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return [];
      throw e;
    }
  }

  function drawGrid() {
    const key = [grid, limit(), ctx.utcKey()];
    const s = sel();
    if (drawn.grid && drawn.grid.every((k, i) => k === key[i]) && gridCtl && viewEl.querySelector('.grid')) {
      gridCtl.select(s);
      return;
    }
    const t0 = performance.now();
    if (gridCtl) gridCtl.unmount();
    gridCtl = renderGrid(viewEl, grid, { dag: id, limit: limit(), sel: s });
    drawn.grid = key;
    ctx.perf('grid', performance.now() - t0, grid.runs.length * grid.tasks.length);
  }

  async function drawGraph(run) {
    const states = {};
    if (run) for (const t of run.tasks) states[t.task] = [t.state, t.try_number];
    const s = sel();
    const runs = grid ? grid.runs : [];
    const cur = run ? run.run_id : null;
    const opts = runs.map((x) => `<option value="${esc(x.run_id)}"${x.run_id === cur ? ' selected' : ''}>${glyph(x.state)} ${esc(fmtTime(x.logical_date, { seconds: false }))} · ${esc(x.run_type)} · ${esc(x.state)}</option>`);
    if (cur && !runs.some((x) => x.run_id === cur)) opts.unshift(`<option value="${esc(cur)}" selected>${esc(cur)}</option>`);
    viewEl.innerHTML = `<div class="view-head"><label>Run <select class="runsel">${opts.join('') || '<option value="">no run yet</option>'}</select></label>
      ${run ? badge(run.state) : ''}<span class="muted hint">Click a task for its tries and log</span></div><div class="graph-box"></div>`;
    renderGraph(viewEl.querySelector('.graph-box'), dag, states, s, (task) => href(id, 'graph', { run: cur, task }));
    viewEl.querySelector('.runsel').addEventListener('change', (e) => {
      location.hash = href(id, 'graph', { run: e.target.value, task: s.task });
    });
  }

  async function drawGantt(run) {
    if (!run) {
      viewEl.innerHTML = '<p class="muted pad">No run yet.</p>';
      return;
    }
    const retried = run.tasks.filter((t) => t.try_number > 1);
    const tries = {};
    await Promise.all(retried.map(async (t) => { tries[t.task] = await fetchTries(run.run_id, t.task); }));
    const key = [run, ...retried.map((t) => tries[t.task])];
    if (drawn.gantt && drawn.gantt.length === key.length && drawn.gantt.every((k, i) => k === key[i]) && !isActive(run.state) && viewEl.querySelector('.gantt')) return;
    const s = sel();
    renderGantt(viewEl, run, tries, dag.tasks.map((t) => t.task), (task, n) => href(id, 'gantt', { run: run.run_id, task, try: n }), s.task);
    drawn.gantt = key;
  }

  async function drawView() {
    const v = view();
    if (v === 'grid') return drawGrid();
    drawn.grid = null;
    if (gridCtl) gridCtl.unmount();
    gridCtl = null;
    if (v === 'graph') {
      const run = await fetchRun(effectiveRun());
      const key = [run, sel().task, ctx.utcKey()];
      if (drawn.graph && drawn.graph.every((k, i) => k === key[i])) return undefined;
      drawn.graph = key;
      return drawGraph(run);
    }
    drawn.graph = null;
    if (v === 'gantt') return drawGantt(await fetchRun(effectiveRun()));
    drawn.gantt = null;
    if (v === 'code') {
      const src = (await getJSON(`${base}/source`)).data;
      if (drawn.code === src) return undefined;
      drawn.code = src;
      return renderCode(viewEl, src);
    }
    drawn.code = null;
    if (v === 'runs') {
      const state = r.query.get('state') || '';
      const offset = Math.max(0, Number(r.query.get('offset')) || 0);
      const qs = new URLSearchParams({ limit: RUNS_PAGE, offset });
      if (state) qs.set('state', state);
      const [runs, next] = await Promise.all([getJSON(`${base}/runs?${qs}`), getJSON(`${base}/next?n=10`)]);
      const key = [runs.data, next.data, dag, ctx.utcKey()];
      if (drawn.runs && drawn.runs.every((k, i) => k === key[i])) return undefined;
      drawn.runs = key;
      return renderRuns(viewEl, dag, runs.data, next.data, { state, offset }, v);
    }
    return undefined;
  }

  async function drawPanel() {
    const s = sel();
    if (!s.run && !s.task) {
      panel.showNone(dag);
      return;
    }
    const runId = s.run || effectiveRun();
    const run = await fetchRun(runId);
    if (!run) {
      panel.showNone(dag);
      if (s.run) showErr(`No run '${s.run}' of ${id}.`);
      return;
    }
    if (!s.task) {
      panel.showRun(dag, run, view());
      return;
    }
    const tries = await fetchTries(run.run_id, s.task);
    panel.showTask(dag, run, s.task, tries, s.try, view());
  }

  let busy = false;
  let again = false;
  async function refresh() {
    if (busy) { again = true; return true; }
    busy = true;
    try {
      do {
        again = false;
        const [d, g] = await Promise.all([getJSON(base), getJSON(`${base}/grid?limit=${limit()}`)]);
        if (d.data !== dag || drawn.headUtc !== ctx.utcKey()) {
          dag = d.data;
          drawn.headUtc = ctx.utcKey();
          drawHead();
          ctx.title(`${dag.dag} · dagd`);
        }
        grid = g.data;
        drawTabs();
        await drawView();
        await drawPanel();
        showErr('');
      } while (again);
      return true;
    } catch (e) {
      showErr(e instanceof ApiError && e.status === 404 ? `No DAG '${id}': it may have been removed, or its file has an import error.` : `Cannot load ${id}: ${e.message}`);
      return !(e instanceof ApiError && e.status === 0);
    } finally {
      busy = false;
    }
  }

  headEl.addEventListener('click', async (e) => {
    const b = e.target.closest('button');
    if (!b || !dag) return;
    if (b.classList.contains('act-trigger')) {
      triggerDialog(dag, (run) => {
        ctx.notice(`Triggered ${run.run_id}`);
        location.hash = href(id, view() === 'code' || view() === 'runs' ? 'grid' : view(), { run: run.run_id });
      });
    } else if (b.classList.contains('act-backfill')) {
      backfillDialog(dag, (res) => {
        ctx.notice(`Backfill: ${res.total} run${res.total === 1 ? '' : 's'} created`);
        refresh();
      });
    } else if (b.classList.contains('switch')) {
      const paused = !dag.paused;
      b.disabled = true;
      try {
        await send('PATCH', base, { paused });
        ctx.notice(`${id} ${paused ? 'paused' : 'unpaused'}`);
        await refresh();
      } catch (x) {
        ctx.error(`Cannot ${paused ? 'pause' : 'unpause'} ${id}: ${x.message}`);
      } finally {
        b.disabled = false;
        const sw = headEl.querySelector('.switch');
        if (sw) sw.focus();
      }
    }
  });

  return { // the app's first tick draws the page
    refresh,
    update(nr) {
      const oldView = r.view;
      r = nr;
      if (oldView !== nr.view) {
        viewEl.innerHTML = '';
        drawn.grid = drawn.graph = drawn.gantt = drawn.code = drawn.runs = null;
      }
      refresh();
    },
    unmount() {
      panel.stop();
      if (gridCtl) gridCtl.unmount();
    },
    active() { return !!(grid && grid.runs.some((x) => isActive(x.state))); },
  };
}
