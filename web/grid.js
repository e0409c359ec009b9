// grid.js - the grid view: runs as columns (oldest left, newest right, each
// headed by a bar as tall as its duration), tasks as rows, one cell per
// task instance with its state's colour and glyph. Built as one HTML
// string from GET .../grid, only for the columns in view (so 500 runs x 30
// tasks cost what one screen costs);
// hover or focus shows the details in one shared tooltip; the cells form
// one tab stop with arrow-key moves (Home/End; Enter opens the instance),
// each cell labelled with task, run and state when it gets focus.

import { esc, glyph, stateWords, fmtTime, fmtDur, duration, href } from './util.js';

function cellTip(task, run, c) {
  if (!c) return `<strong>${esc(task)}</strong><br>no task instance in this run`;
  const [state, tryNo, start, end] = c;
  return `<strong>${esc(task)}</strong> · ${esc(stateWords(state))}${tryNo > 1 ? ` · try ${tryNo}` : ''}
    <br><span class="muted">run</span> ${esc(run.run_id)}
    <br><span class="muted">start</span> ${esc(fmtTime(start))}
    <br><span class="muted">end</span> ${esc(fmtTime(end))}
    <br><span class="muted">duration</span> ${esc(fmtDur(duration(start, end)))}`;
}

function runTip(run) {
  return `<strong>${esc(run.run_id)}</strong> · ${esc(stateWords(run.state))}
    <br><span class="muted">type</span> ${esc(run.run_type)}
    <br><span class="muted">logical date</span> ${esc(fmtTime(run.logical_date))}
    <br><span class="muted">start</span> ${esc(fmtTime(run.start))}
    <br><span class="muted">duration</span> ${esc(fmtDur(duration(run.start, run.end)))}`;
}

function cellLabel(task, run, c) {
  if (!c) return `${task}, run ${run.logical_date}: no task instance`;
  return `${task}, run ${run.logical_date}: ${stateWords(c[0])}${c[1] > 1 ? `, try ${c[1]}` : ''}`;
}

const COL_W = 18; // px per run column (.col in app.css)
const BUF = 30; // columns drawn beyond each side of the visible ones

/**
 * Draw grid (the API answer) into el. opts: {dag, limit, sel: {run,
 * task}}. Returns {select(sel)} to move the highlight without a rebuild.
 * Only the columns in view (and BUF more each side) are in the DOM, a
 * spacer stands for the others and scrolling redraws the window: the cost
 * is that of one screen of cells, whatever the number of runs.
 */
export function renderGrid(el, grid, opts) {
  const runs = grid.runs.slice().reverse(); // oldest left
  const tasks = grid.tasks;
  const n = runs.length;
  const maxDur = Math.max(1, ...runs.map((r) => duration(r.start, r.end) || 0));
  const link = (run, task) => href(opts.dag, 'grid', { run, task, runs: opts.limit === 25 ? null : opts.limit });
  let selR = -1;
  let selT = -1;
  const colHtml = (i) => {
    const r = runs[i];
    const d = duration(r.start, r.end);
    const h = d ? Math.max(8, Math.round((d / maxDur) * 100)) : 8;
    let out = `<div class="col${i === selR ? ' sel' : ''}" data-r="${i}"><div class="rh" role="button" tabindex="-1"><span class="bar s-${esc(r.state)}" style="height:${h}%">${glyph(r.state)}</span></div>`;
    const cells = r.cells;
    for (let j = 0; j < tasks.length; j++) {
      const c = cells[j];
      const sc = i === selR && j === selT ? ' selcell' : '';
      if (!c) out += `<span class="c na${sc}" role="button" tabindex="-1"></span>`;
      else out += `<span class="c s-${c[0]}${c[1] > 1 ? ' retried' : ''}${sc}" role="button" tabindex="-1">${glyph(c[0])}</span>`;
    }
    return `${out}</div>`;
  };
  const names = tasks.map((t) => `<div class="gname" title="${esc(t)}">${esc(t)}</div>`).join('');
  const empty = n ? '' : '<p class="muted pad">No run yet. Trigger one, or wait for the schedule.</p>';
  const limits = [25, 50, 100, 250, 500].map((k) => `<option value="${k}"${k === opts.limit ? ' selected' : ''}>${k}</option>`).join('');
  el.innerHTML = `
    <div class="grid-tools">
      <label>Runs shown <select class="limit">${limits}</select></label>
      <span class="muted hint" id="grid-hint">Arrow keys move, Enter opens · hover for details</span>
    </div>
    ${empty}
    <div class="grid-scroll">
      <div class="grid" role="group" aria-label="Task instances: one row per task, one column per run, oldest run first" aria-describedby="grid-hint">
        <div class="names"><div class="corner muted">${n} of ${grid.total} runs</div>${names}</div>
        <div class="cols" style="width:${n * COL_W}px"></div>
      </div>
    </div>
    <div class="tip" role="tooltip" hidden></div>`;
  const scroll = el.querySelector('.grid-scroll');
  const g = el.querySelector('.grid');
  const colsEl = g.querySelector('.cols');
  const namesEl = g.querySelector('.names');
  const nameEls = namesEl.children; // [0] is the corner
  const tip = el.querySelector('.tip');
  let first = 0;
  let last = 0; // the window of drawn columns: [first, last)
  let cur = null; // the one tab stop
  let curRT = null;
  let hot = null;

  const visible = () => {
    const a = Math.floor(scroll.scrollLeft / COL_W);
    const b = Math.ceil((scroll.scrollLeft + scroll.clientWidth - namesEl.offsetWidth) / COL_W);
    return [Math.max(0, a), Math.min(n, Math.max(a + 1, b))];
  };
  const at = (r, t) => {
    if (r < first || r >= last) return null;
    const col = colsEl.children[r - first + 1];
    return col && col.children[t + 1];
  };
  const pos = (node) => {
    const col = node.parentElement;
    return [Number(col.dataset.r), Array.prototype.indexOf.call(col.children, node) - 1];
  };
  const label = (r, t) => {
    const run = runs[r];
    return t < 0 ? `run ${run.run_id}: ${stateWords(run.state)}` : cellLabel(tasks[t], run, run.cells[t]);
  };
  const setCur = (node, focus) => {
    if (!node) return;
    if (cur && cur !== node) cur.tabIndex = -1;
    cur = node;
    node.tabIndex = 0;
    curRT = pos(node);
    node.setAttribute('aria-label', label(...curRT));
    if (focus) node.focus({ preventScroll: false });
  };
  const draw = (force) => {
    const [a, b] = visible();
    if (!force && a >= first && b <= last) return;
    const hadFocus = cur && g.contains(document.activeElement);
    first = Math.max(0, a - BUF);
    last = Math.min(n, b + BUF);
    const parts = [`<div class="spacer" style="width:${first * COL_W}px"></div>`];
    for (let i = first; i < last; i++) parts.push(colHtml(i));
    colsEl.innerHTML = parts.join('');
    cur = null;
    if (curRT) {
      const r = Math.max(first, Math.min(last - 1, curRT[0]));
      setCur(at(r, curRT[1]), hadFocus);
    } else if (n) {
      setCur(at(last - 1, tasks.length ? 0 : -1), false);
    }
  };
  // bring column r into view, then draw
  const reveal = (r) => {
    const [a, b] = visible();
    if (r < a) scroll.scrollLeft = r * COL_W;
    else if (r >= b) scroll.scrollLeft = (r + 1) * COL_W - (scroll.clientWidth - namesEl.offsetWidth);
    draw(false);
  };

  const showTip = (node) => {
    const [r, t] = pos(node);
    const run = runs[r];
    if (!run) return;
    tip.innerHTML = t < 0 ? runTip(run) : cellTip(tasks[t], run, run.cells[t]);
    tip.hidden = false;
    const bx = node.getBoundingClientRect();
    const w = tip.offsetWidth;
    const hgt = tip.offsetHeight;
    let x = bx.right + 8;
    if (x + w > window.innerWidth - 4) x = Math.max(4, bx.left - w - 8);
    let y = bx.top - 4;
    if (y + hgt > window.innerHeight - 4) y = Math.max(4, window.innerHeight - hgt - 4);
    tip.style.left = `${x}px`;
    tip.style.top = `${y}px`;
    if (hot) hot.classList.remove('hot');
    hot = t >= 0 ? nameEls[t + 1] : null;
    if (hot) hot.classList.add('hot');
  };
  const hideTip = () => {
    tip.hidden = true;
    if (hot) hot.classList.remove('hot');
    hot = null;
  };
  const open = (node) => {
    const [r, t] = pos(node);
    const run = runs[r];
    if (run) location.hash = link(run.run_id, t < 0 ? null : tasks[t]);
  };
  const target = (e) => e.target.closest('.c, .rh');

  g.addEventListener('mouseover', (e) => {
    const nd = target(e);
    if (nd) showTip(nd);
  });
  g.addEventListener('mouseleave', hideTip);
  g.addEventListener('focusin', (e) => {
    const nd = target(e);
    if (nd) { setCur(nd, false); showTip(nd); }
  });
  g.addEventListener('focusout', hideTip);
  g.addEventListener('click', (e) => {
    const nd = target(e);
    if (nd && !nd.classList.contains('na')) open(nd);
  });
  g.addEventListener('keydown', (e) => {
    if (!cur) return;
    let [r, t] = pos(cur);
    const k = e.key;
    if (k === 'ArrowRight') r++;
    else if (k === 'ArrowLeft') r--;
    else if (k === 'ArrowDown') t++;
    else if (k === 'ArrowUp') t--;
    else if (k === 'Home') r = 0;
    else if (k === 'End') r = n - 1;
    else if (k === 'Enter' || k === ' ') { e.preventDefault(); open(cur); return; } else return;
    e.preventDefault();
    r = Math.max(0, Math.min(n - 1, r));
    t = Math.max(-1, Math.min(tasks.length - 1, t));
    curRT = [r, t];
    reveal(r);
    setCur(at(r, t), true);
  });
  let pending = false;
  const onScroll = () => {
    hideTip();
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; draw(false); });
  };
  scroll.addEventListener('scroll', onScroll, { passive: true });
  window.addEventListener('resize', onScroll);
  el.querySelector('.limit').addEventListener('change', (e) => {
    const k = Number(e.target.value);
    location.hash = href(opts.dag, 'grid', { run: opts.sel.run, task: opts.sel.task, runs: k === 25 ? null : k });
  });

  const select = (sel) => {
    selR = runs.findIndex((x) => x.run_id === sel.run);
    selT = selR >= 0 && sel.task ? tasks.indexOf(sel.task) : -1;
    for (const x of colsEl.querySelectorAll('.sel, .selcell')) x.classList.remove('sel', 'selcell');
    if (selR < 0) return;
    curRT = [selR, selT];
    const [a, b] = visible();
    if (selR < a || selR >= b) scroll.scrollLeft = Math.max(0, (selR + 1) * COL_W - (scroll.clientWidth - namesEl.offsetWidth) / 2);
    draw(false);
    const col = at(selR, -1) && at(selR, -1).parentElement;
    if (col) col.classList.add('sel');
    const nd = at(selR, selT);
    if (nd && selT >= 0) nd.classList.add('selcell');
    setCur(nd, false);
  };
  scroll.scrollLeft = n * COL_W; // newest runs in view
  selR = runs.findIndex((x) => x.run_id === opts.sel.run);
  draw(true);
  select(opts.sel);
  return {
    select,
    unmount() { window.removeEventListener('resize', onScroll); },
  };
}
