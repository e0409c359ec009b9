// graph.js - the graph view: the DAG laid out left to right in SVG (a
// column per longest-path rank, rows ordered by a few barycenter sweeps to
// cut crossings, edges as curves with arrows), each task coloured and
// labelled (glyph and words) with its state in the selected run. Nodes
// are links: click, Enter or Space opens the task instance.

import { esc, glyph, stateWords } from './util.js';

const NODE_H = 44;
const ROW_GAP = 18;
const COL_GAP = 60;
const PAD = 16;

let measureCtx = null;
function textWidth(s, font = '600 13px system-ui, sans-serif') {
  if (!measureCtx) measureCtx = document.createElement('canvas').getContext('2d');
  measureCtx.font = font;
  return measureCtx.measureText(s).width;
}
const SUB_FONT = '11px system-ui, sans-serif';

/** Positions of the tasks: {nodes: {id: {x, y, w}}, width, height}.
 * subOf(id) is a node's second line (its width counts too). */
export function layout(tasks, subOf = () => '') {
  const ids = tasks.map((t) => t.task);
  const up = new Map(tasks.map((t) => [t.task, (t.depends || []).filter((d) => ids.includes(d))]));
  const down = new Map(ids.map((id) => [id, []]));
  for (const [id, us] of up) for (const u of us) down.get(u).push(id);
  // rank = longest path from a root (the DAG is acyclic: dagd checked it)
  const rank = new Map();
  const visit = (id, depth = 0) => {
    if (rank.has(id)) return rank.get(id);
    if (depth > ids.length) return 0;
    const r = Math.max(-1, ...up.get(id).map((u) => visit(u, depth + 1))) + 1;
    rank.set(id, r);
    return r;
  };
  ids.forEach((id) => visit(id));
  const layers = [];
  for (const id of ids) (layers[rank.get(id)] ||= []).push(id);
  const order = new Map();
  const renumber = () => layers.forEach((l) => l.forEach((id, i) => order.set(id, i)));
  renumber();
  const bary = (id, nb) => {
    const ns = nb.get(id);
    if (!ns.length) return order.get(id);
    return ns.reduce((a, n) => a + order.get(n), 0) / ns.length;
  };
  for (let it = 0; it < 4; it++) {
    for (let r = 1; r < layers.length; r++) {
      layers[r].sort((a, b) => bary(a, up) - bary(b, up));
      renumber();
    }
    for (let r = layers.length - 2; r >= 0; r--) {
      layers[r].sort((a, b) => bary(a, down) - bary(b, down));
      renumber();
    }
  }
  const nodes = {};
  const tallest = Math.max(1, ...layers.map((l) => l.length));
  const height = tallest * (NODE_H + ROW_GAP) - ROW_GAP + 2 * PAD;
  let x = PAD;
  for (const l of layers) {
    const w = Math.max(120, ...l.map((id) => Math.min(280, Math.max(textWidth(id), textWidth(subOf(id), SUB_FONT)) + 50)));
    const top = (height - (l.length * (NODE_H + ROW_GAP) - ROW_GAP)) / 2;
    l.forEach((id, i) => { nodes[id] = { x, y: top + i * (NODE_H + ROW_GAP), w }; });
    x += w + COL_GAP;
  }
  return { nodes, up, width: Math.max(x - COL_GAP + PAD, 200), height };
}

function trunc(s, w) {
  if (textWidth(s) + 40 <= w) return s;
  let t = s;
  while (t.length > 3 && textWidth(t + '…') + 40 > w) t = t.slice(0, -1);
  return t + '…';
}

/**
 * Draw dag's tasks into el with states {task: [state, try]} of the run
 * run_id (or none). sel: {task}; linkOf(task) gives a node's href.
 */
export function renderGraph(el, dag, states, sel, linkOf) {
  const sub = (id) => {
    const [state, tryNo] = states[id] || ['none', 0];
    return `${stateWords(state)}${tryNo > 1 ? ` · try ${tryNo}` : ''}`;
  };
  const L = layout(dag.tasks, sub);
  const edges = [];
  for (const [id, us] of L.up) {
    const b = L.nodes[id];
    for (const u of us) {
      const a = L.nodes[u];
      const x1 = a.x + a.w;
      const y1 = a.y + NODE_H / 2;
      const x2 = b.x - 2;
      const y2 = b.y + NODE_H / 2;
      const dx = Math.max(24, (x2 - x1) / 2);
      const hot = sel.task && (sel.task === id || sel.task === u) ? ' hot' : '';
      edges.push(`<path class="edge${hot}" d="M${x1},${y1} C${x1 + dx},${y1} ${x2 - dx},${y2} ${x2},${y2}" marker-end="url(#arrow)"/>`);
    }
  }
  const nodes = dag.tasks.map((t) => {
    const n = L.nodes[t.task];
    const [state] = states[t.task] || ['none', 0];
    const words = sub(t.task);
    const label = `${t.task}: ${words}`;
    return `<a class="node s-${esc(state)}${sel.task === t.task ? ' sel' : ''}" href="${esc(linkOf(t.task))}" aria-label="${esc(label)}" data-task="${esc(t.task)}">
      <title>${esc(label)} (${esc(t.kind)})</title>
      <rect x="${n.x}" y="${n.y}" width="${n.w}" height="${NODE_H}" rx="7"/>
      <rect class="stripe" x="${n.x}" y="${n.y}" width="6" height="${NODE_H}" rx="3"/>
      <text class="gl" x="${n.x + 22}" y="${n.y + 27}" text-anchor="middle" aria-hidden="true">${glyph(state)}</text>
      <text class="name" x="${n.x + 36}" y="${n.y + 19}">${esc(trunc(t.task, n.w))}</text>
      <text class="sub" x="${n.x + 36}" y="${n.y + 35}">${esc(words)}</text>
    </a>`;
  });
  el.innerHTML = `<svg class="graph" role="group" aria-label="Graph of ${esc(dag.dag)}: ${dag.tasks.length} tasks, left to right" width="${L.width}" height="${L.height}" viewBox="0 0 ${L.width} ${L.height}">
    <defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="10" markerHeight="10" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrowhead"/></marker></defs>
    <g class="edges">${edges.join('')}</g><g class="nodes">${nodes.join('')}</g></svg>`;
  el.querySelector('svg').addEventListener('keydown', (e) => {
    const a = e.target.closest('a.node');
    if (a && e.key === ' ') { e.preventDefault(); location.hash = a.getAttribute('href'); }
  });
}
