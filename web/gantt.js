// gantt.js - the Gantt chart of one run in SVG: a row per task, a bar per
// try on a shared time axis (earlier tries of a retried task stand in the
// same row, hatched and labelled "try N", so retries show), bars coloured
// and labelled by state; a running try grows to now. Bars are links to
// the task instance and its try.

import { esc, glyph, stateWords, fmtTime, fmtDur, ms } from './util.js';

const ROW = 28;
const LABEL_W = 190;
const AXIS_H = 26;

function niceStep(span) {
  const steps = [0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400].map((s) => s * 1000);
  return steps.find((s) => span / s <= 8) || 86400e3;
}

/** Clock time for steps of a second or more, else the offset from t0. */
function tickLabel(t, step, t0) {
  if (step < 1000) return `+${((t - t0) / 1000).toFixed(step < 100 ? 2 : 1)}s`;
  return fmtTime(new Date(t).toISOString(), { date: false, seconds: step < 60000 });
}

/**
 * Draw the run (GET .../runs/{run}: tasks with state, try_number, start,
 * end) into el. tries: {task: [tries from GET .../tries]} for retried
 * tasks; order: task ids in DAG order; linkOf(task, try) an href.
 */
export function renderGantt(el, run, tries, order, linkOf, selTask) {
  const byTask = new Map(run.tasks.map((t) => [t.task, t]));
  const names = order.filter((t) => byTask.has(t));
  for (const t of run.tasks) if (!names.includes(t.task)) names.push(t.task);
  const now = Date.now();
  const rows = names.map((name) => {
    const ti = byTask.get(name);
    let bars = (tries[name] || []).filter((x) => x.start).map((x) => ({
      n: x.try_number, state: x.state, a: ms(x.start), b: ms(x.end),
    }));
    if (!bars.length && ti.start) bars = [{ n: ti.try_number, state: ti.state, a: ms(ti.start), b: ms(ti.end) }];
    return { name, ti, bars };
  });
  const all = rows.flatMap((r) => r.bars);
  if (!all.length) {
    el.innerHTML = `<p class="muted pad">No task of run <code>${esc(run.run_id)}</code> has started yet.</p>`;
    return;
  }
  const t0 = Math.min(...all.map((b) => b.a), ms(run.start) ?? Infinity);
  const t1 = Math.max(...all.map((b) => b.b ?? now), ms(run.end) ?? 0, t0 + 1000);
  const width = Math.max(640, Math.min(1400, el.clientWidth || 900));
  const plotW = width - LABEL_W - 24; // room at the right end for a last short bar
  const X = (t) => LABEL_W + ((t - t0) / (t1 - t0)) * plotW;
  const height = AXIS_H + rows.length * ROW + 8;
  const step = niceStep(t1 - t0);
  const ticks = [];
  const origin = step < 1000 ? t0 : Math.ceil(t0 / step) * step;
  for (let t = origin; t <= t1; t += step) {
    ticks.push(`<line class="tick" x1="${X(t)}" x2="${X(t)}" y1="${AXIS_H - 4}" y2="${height}"/>
      <text class="ticklbl" x="${X(t)}" y="${AXIS_H - 9}" text-anchor="middle">${esc(tickLabel(t, step, t0))}</text>`);
  }
  const body = rows.map((r, i) => {
    const y = AXIS_H + i * ROW;
    const last = r.bars.length ? r.bars[r.bars.length - 1].n : 0;
    const bars = r.bars.map((b) => {
      const x = X(b.a);
      const w = Math.max(5, X(b.b ?? now) - x);
      const old = b.n !== last ? ' old' : '';
      const label = `${r.name} try ${b.n}: ${stateWords(b.state)}, ${fmtTime(new Date(b.a).toISOString())} → ${b.b ? fmtTime(new Date(b.b).toISOString()) : 'now'} (${fmtDur((b.b ?? now) - b.a)})`;
      const txt = w > 60 ? `${glyph(b.state)} try ${b.n}` : w > 18 ? glyph(b.state) : '';
      return `<a class="gbar s-${esc(b.state)}${old}" href="${esc(linkOf(r.name, b.n))}" aria-label="${esc(label)}">
        <title>${esc(label)}</title>
        <rect x="${x}" y="${y + 5}" width="${w}" height="${ROW - 10}" rx="3"/>
        ${old ? `<rect class="hatch" x="${x}" y="${y + 5}" width="${w}" height="${ROW - 10}" rx="3"/>` : ''}
        ${txt ? `<text x="${x + 5}" y="${y + ROW / 2 + 4}">${esc(txt)}</text>` : ''}</a>`;
    }).join('');
    const state = r.ti.state;
    return `<g class="grow-g${selTask === r.name ? ' sel' : ''}">
      <rect class="rowbg" x="0" y="${y}" width="${width}" height="${ROW}"/>
      <text class="tname" x="8" y="${y + ROW / 2 + 4}"><tspan class="gl s-${esc(state)}-t" aria-hidden="true">${glyph(state) || '·'}</tspan> ${esc(r.name.length > 24 ? r.name.slice(0, 23) + '…' : r.name)}</text>
      ${bars}</g>`;
  }).join('');
  el.innerHTML = `<div class="gantt-head"><span>Run <code>${esc(run.run_id)}</code></span>
      <span class="muted">${esc(fmtTime(new Date(t0).toISOString()))} → ${run.end ? esc(fmtTime(run.end)) : 'now'} · ${esc(fmtDur(t1 - t0))}</span>
      <span class="muted legend-inline"><span class="sw hatch-sw"></span> earlier try (retried)</span></div>
    <div class="scroll-x"><svg class="gantt" role="group" aria-label="Gantt chart of run ${esc(run.run_id)}: one row per task, one bar per try" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">
    <defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" class="hatchline"/></pattern></defs>
    ${ticks.join('')}${body}</svg></div>`;
}
