// list.js - the DAG list page (#/): every DAG with its id and description,
// schedule (and in words), next run, its last 10 run states as marks,
// a paused switch and tags; a search box, a tag filter and an
// active/paused filter (kept in the URL); the import-errors banner with
// file:line:col. Built as one HTML string per answer that changed (ETag),
// filtered by hiding rows; a changed answer replaces only the rows that
// changed, and rows out of view skip layout (content-visibility), so
// 1,000 DAGs stay quick.

import { getJSON, send } from './api.js';
import { scheduleWords } from './cron.js';
import { esc, glyph, stateWords, timeEl, relTime, href } from './util.js';

const PAGE = `
<section class="page list" aria-labelledby="list-h">
  <h1 id="list-h" class="vh">DAGs</h1>
  <div class="banner bad import-errors" role="region" aria-label="Import errors" hidden></div>
  <p class="err page-err" role="alert" hidden></p>
  <div class="toolbar">
    <label class="search"><span class="vh">Search DAGs</span>
      <input type="search" name="q" placeholder="Search id, description, tag  ( / )" autocomplete="off"></label>
    <label class="tagsel">Tag <select name="tag"><option value="">all</option></select></label>
    <div class="seg" role="group" aria-label="Show DAGs">
      <button type="button" data-show="">All</button>
      <button type="button" data-show="active">Active</button>
      <button type="button" data-show="paused">Paused</button>
    </div>
    <span class="count muted" aria-live="polite"></span>
  </div>
  <div class="dags" role="table" aria-label="DAGs">
    <div class="drow dhead" role="row">
      <span role="columnheader" class="c-sw"><span class="vh">Active (unpaused)</span></span>
      <span role="columnheader">DAG</span>
      <span role="columnheader">Schedule</span>
      <span role="columnheader">Next run</span>
      <span role="columnheader">Last 10 runs <span class="muted">(oldest → newest)</span></span>
      <span role="columnheader">Tags</span>
    </div>
    <div class="dbody" role="rowgroup"></div>
  </div>
  <p class="empty muted" hidden>No DAG matches.</p>
</section>`;

function lastRuns(states) {
  const s = (states || []).slice(0, 10).reverse();
  let h = '<span class="mark blank"></span>'.repeat(10 - s.length);
  for (const st of s) h += `<span class="mark s-${esc(st)}" title="${esc(stateWords(st))}">${glyph(st)}</span>`;
  const words = s.length ? `last ${s.length} runs, oldest first: ${s.map(stateWords).join(', ')}` : 'no run yet';
  return `<span class="marks" role="img" aria-label="${esc(words)}">${h}</span>`;
}

function row(d) {
  const words = scheduleWords(d.schedule, d.timezone);
  const tags = (d.tags || []).map((t) => `<button type="button" class="tag" data-tag="${esc(t)}" title="Show only tag ${esc(t)}">${esc(t)}</button>`).join(' ');
  const text = [d.dag, d.description || '', ...(d.tags || [])].join(' ').toLowerCase();
  return `<div class="drow${d.paused ? ' is-paused' : ''}" role="row" data-dag="${esc(d.dag)}" data-text="${esc(text)}" data-tags="|${esc((d.tags || []).join('|'))}|" data-paused="${d.paused ? 1 : 0}">
    <span role="cell" class="c-sw"><button type="button" class="switch" role="switch" aria-checked="${d.paused ? 'false' : 'true'}" aria-label="${esc(d.dag)}: ${d.paused ? 'paused' : 'active'}" title="${d.paused ? 'Paused: click to unpause' : 'Active: click to pause'}"><span class="knob"></span></button></span>
    <span role="cell" class="c-dag"><a href="${href(d.dag)}" class="dag-link">${esc(d.dag)}</a>${d.paused ? ' <span class="pill">paused</span>' : ''}
      ${d.description ? `<span class="desc">${esc(d.description)}</span>` : ''}</span>
    <span role="cell" class="c-sched"><code>${esc(d.schedule)}</code>${words ? `<span class="words">${esc(words)}</span>` : ''}</span>
    <span role="cell" class="c-next">${d.next_run ? `${timeEl(d.next_run, { seconds: false })}<span class="muted rel">${esc(relTime(d.next_run))}</span>` : '<span class="muted">—</span>'}</span>
    <span role="cell" class="c-last">${lastRuns(d.last_runs)}</span>
    <span role="cell" class="c-tags">${tags}</span>
  </div>`;
}

function importErrors(errs) {
  if (!errs || !errs.length) return '';
  const files = new Set(errs.map((e) => e.file));
  return `<details ${errs.length <= 5 ? 'open' : ''}><summary><strong>${errs.length} import error${errs.length === 1 ? '' : 's'}</strong> in ${files.size} file${files.size === 1 ? '' : 's'}: these DAGs did not load (a DAG that loaded before keeps its last good version)</summary>
    <ul class="ie">${errs.map((e) => `<li><code>${esc(e.file)}:${e.line}:${e.column}</code>: ${esc(e.message)}</li>`).join('')}</ul></details>`;
}

export function mountList(root, route, ctx) {
  root.innerHTML = PAGE;
  const page = root.firstElementChild; // listeners go here: root outlives this page
  const q = page.querySelector('input[name=q]');
  const tagSel = root.querySelector('select[name=tag]');
  const tbody = root.querySelector('.dbody');
  const banner = root.querySelector('.import-errors');
  const count = root.querySelector('.count');
  const empty = root.querySelector('.empty');
  const pageErr = root.querySelector('.page-err');
  let data = null;
  const drawnRows = new Map(); // dag -> the HTML of its row on screen
  let drawnAt = 0;
  let show = route.query.get('show') || '';
  q.value = route.query.get('q') || '';
  let tag = route.query.get('tag') || '';

  const keepUrl = () => {
    const h = href(null, null, { q: q.value.trim(), tag, show });
    if (location.hash !== h && !(location.hash === '' && h === '#/')) history.replaceState(null, '', h);
  };

  const filter = () => {
    const words = q.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    let n = 0;
    for (const tr of tbody.children) {
      const t = tr.dataset.text;
      const ok = words.every((w) => t.includes(w)) &&
        (!tag || tr.dataset.tags.includes(`|${tag}|`)) &&
        (!show || (show === 'paused') === (tr.dataset.paused === '1'));
      tr.hidden = !ok;
      if (ok) n++;
    }
    const total = tbody.children.length;
    count.textContent = n === total ? `${total} DAG${total === 1 ? '' : 's'}` : `${n} of ${total} DAGs`;
    empty.hidden = n > 0 || !data;
    for (const b of page.querySelectorAll('.seg button')) b.setAttribute('aria-pressed', b.dataset.show === show ? 'true' : 'false');
  };

  const render = () => {
    const t0 = performance.now();
    const items = data.items || [];
    const focused = document.activeElement && document.activeElement.closest && document.activeElement.closest('.drow[data-dag]');
    const focusKey = focused ? [focused.dataset.dag, document.activeElement.className] : null;
    const html = items.map(row);
    const same = tbody.children.length === items.length &&
      items.every((d, i) => tbody.children[i].dataset.dag === d.dag);
    if (!same) {
      tbody.innerHTML = html.join('');
    } else {
      // the same DAGs: replace only the rows whose HTML changed
      const tpl = document.createElement('template');
      items.forEach((d, i) => {
        if (drawnRows.get(d.dag) === html[i]) return;
        tpl.innerHTML = html[i];
        tbody.replaceChild(tpl.content.firstElementChild, tbody.children[i]);
      });
    }
    drawnRows.clear();
    items.forEach((d, i) => drawnRows.set(d.dag, html[i]));
    drawnAt = Date.now();
    const tags = [...new Set(items.flatMap((d) => d.tags || []))].sort();
    tagSel.innerHTML = `<option value="">all</option>${tags.map((t) => `<option value="${esc(t)}">${esc(t)}</option>`).join('')}`;
    if (tag && !tags.includes(tag)) tagSel.insertAdjacentHTML('beforeend', `<option value="${esc(tag)}">${esc(tag)}</option>`);
    tagSel.value = tag;
    const errs = data.import_errors || [];
    banner.innerHTML = importErrors(errs);
    banner.hidden = !errs.length;
    filter();
    if (focusKey) {
      const tr = tbody.querySelector(`.drow[data-dag="${CSS.escape(focusKey[0])}"]`);
      const el = tr && tr.querySelector(`.${focusKey[1].split(' ')[0]}`);
      if (el) el.focus();
    }
    ctx.perf('list', performance.now() - t0, items.length);
  };

  const refresh = async () => {
    try {
      const r = await getJSON('/api/v1/dags');
      pageErr.hidden = true;
      // relative times ("in 7m") age: redraw (changed rows only) each minute
      if (r.changed || !data || Date.now() - drawnAt > 60000) {
        data = r.data;
        render();
      }
      return true;
    } catch (e) {
      pageErr.textContent = `Cannot load the DAGs: ${e.message}`;
      pageErr.hidden = false;
      return false;
    }
  };

  q.addEventListener('input', () => { filter(); keepUrl(); });
  tagSel.addEventListener('change', () => { tag = tagSel.value; filter(); keepUrl(); });
  page.addEventListener('click', async (e) => {
    const seg = e.target.closest('.seg button');
    if (seg) { show = seg.dataset.show; filter(); keepUrl(); return; }
    const tg = e.target.closest('button.tag');
    if (tg) { tag = tg.dataset.tag; tagSel.value = tag; filter(); keepUrl(); return; }
    const sw = e.target.closest('button.switch');
    if (sw) {
      const id = sw.closest('.drow').dataset.dag;
      const paused = sw.getAttribute('aria-checked') === 'true'; // active now: pause it
      sw.disabled = true;
      try {
        await send('PATCH', `/api/v1/dags/${encodeURIComponent(id)}`, { paused });
        ctx.notice(`${id} ${paused ? 'paused' : 'unpaused'}`);
        await refresh();
      } catch (x) {
        ctx.error(`Cannot ${paused ? 'pause' : 'unpause'} ${id}: ${x.message}`);
      } finally {
        sw.disabled = false;
      }
    }
  });
  const slash = (e) => {
    if (e.key === '/' && !e.target.closest('input, textarea, select')) {
      e.preventDefault();
      q.focus();
    }
  };
  document.addEventListener('keydown', slash);

  return { // the app's first tick draws the page
    refresh,
    update(r) {
      q.value = r.query.get('q') || '';
      tag = r.query.get('tag') || '';
      show = r.query.get('show') || '';
      tagSel.value = tag;
      filter();
    },
    unmount() { document.removeEventListener('keydown', slash); },
  };
}
