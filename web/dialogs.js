// dialogs.js - the dashboard's modal dialogs (<dialog>, keyboard-friendly:
// focus moves in, Esc closes, focus returns): the API token prompt, trigger
// with a conf JSON editor that validates as you type, and backfill with a
// preview of the runs it will create (dry_run) before creating them.
// Errors are written into the dialog, never into alert().

import { send, ApiError } from './api.js';
import { esc, apiPath, fmtTime, debounce } from './util.js';

/** Open a dialog built from html; returns {dlg, close}. */
function open(html, { label, onClose } = {}) {
  const dlg = document.createElement('dialog');
  dlg.className = 'dlg';
  if (label) dlg.setAttribute('aria-label', label);
  dlg.innerHTML = html;
  document.body.appendChild(dlg);
  const back = document.activeElement;
  const close = (v) => {
    if (dlg.open) dlg.close(v);
  };
  dlg.addEventListener('close', () => {
    dlg.remove();
    if (back && back.focus) back.focus();
    if (onClose) onClose(dlg.returnValue);
  });
  dlg.addEventListener('click', (e) => {
    if (e.target.closest('[data-close]')) close('');
  });
  dlg.showModal();
  return { dlg, close };
}

function errorText(e) {
  if (e instanceof ApiError) return e.code && e.detail ? `${e.detail} (${e.code})` : e.message;
  return String(e && e.message ? e.message : e);
}

/** Ask for the API token; resolves the token or null. */
export function askToken(reason) {
  return new Promise((resolve) => {
    let value = null;
    const { dlg, close } = open(`
      <form method="dialog" class="dlg-body">
        <h2>API token</h2>
        <p>${esc(reason)} It is kept in this tab only (sessionStorage).</p>
        <label>Token <input name="token" type="password" autocomplete="off" required></label>
        <div class="dlg-actions">
          <button type="button" data-close>Cancel</button>
          <button type="submit" class="primary">Use token</button>
        </div>
      </form>`, { label: 'API token', onClose: () => resolve(value) });
    dlg.querySelector('form').addEventListener('submit', (e) => {
      e.preventDefault();
      value = dlg.querySelector('input').value.trim() || null;
      close('ok');
    });
    dlg.querySelector('input').focus();
  });
}

/** Where JSON.parse failed, as "line L, column C", from its message. */
function jsonWhere(text, err) {
  const m = /position (\d+)/.exec(err.message);
  const lc = /line (\d+) column (\d+)/.exec(err.message);
  if (lc) return `line ${lc[1]}, column ${lc[2]}`;
  if (!m) return '';
  const pos = Number(m[1]);
  const before = text.slice(0, pos).split('\n');
  return `line ${before.length}, column ${before[before.length - 1].length + 1}`;
}

/** Validate conf text: {ok, value, message}. */
export function checkConf(text) {
  if (!text.trim()) return { ok: true, value: {}, message: 'empty: no conf' };
  try {
    const v = JSON.parse(text);
    if (v === null || typeof v !== 'object' || Array.isArray(v)) {
      return { ok: false, message: 'conf must be a JSON object: { "name": value, ... }' };
    }
    const n = Object.keys(v).length;
    return { ok: true, value: v, message: `valid JSON object, ${n} key${n === 1 ? '' : 's'}` };
  } catch (e) {
    const where = jsonWhere(text, e);
    const why = e.message.replace(/\s*(in JSON\s*)?at position \d+.*$/, '').replace(/^JSON\.parse: /, '');
    return { ok: false, message: `not valid JSON${where ? ' at ' + where : ''}: ${why}` };
  }
}

/** Trigger dialog; onDone(run) after a run was created. */
export function triggerDialog(dag, onDone) {
  const { dlg, close } = open(`
    <form class="dlg-body" novalidate>
      <h2>Trigger <code>${esc(dag.dag)}</code></h2>
      <label for="conf">Conf (JSON object; typed params may be overridden)</label>
      <textarea id="conf" name="conf" rows="8" spellcheck="false" aria-describedby="conf-check">{}</textarea>
      <p id="conf-check" class="check" aria-live="polite"></p>
      <label>Logical date (optional: YYYY-MM-DD or RFC 3339; empty: the last complete interval)
        <input name="logical_date" placeholder="2026-01-10" autocomplete="off"></label>
      <p class="err" role="alert" hidden></p>
      <div class="dlg-actions">
        <button type="button" data-close>Cancel</button>
        <button type="submit" class="primary">Trigger</button>
      </div>
    </form>`, { label: `Trigger ${dag.dag}` });
  const ta = dlg.querySelector('textarea');
  const check = dlg.querySelector('#conf-check');
  const err = dlg.querySelector('.err');
  const submit = dlg.querySelector('button[type=submit]');
  const validate = () => {
    const r = checkConf(ta.value);
    check.textContent = r.message;
    check.className = `check ${r.ok ? 'ok' : 'bad'}`;
    ta.setAttribute('aria-invalid', r.ok ? 'false' : 'true');
    submit.disabled = !r.ok;
    return r;
  };
  ta.addEventListener('input', validate);
  ta.addEventListener('keydown', (e) => {
    if (e.key === 'Tab' && !e.shiftKey && e.ctrlKey) return;
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      dlg.querySelector('form').requestSubmit();
    }
  });
  validate();
  dlg.querySelector('form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const r = validate();
    if (!r.ok) return;
    const body = { conf: r.value };
    const ld = dlg.querySelector('input[name=logical_date]').value.trim();
    if (ld) body.logical_date = ld;
    submit.disabled = true;
    err.hidden = true;
    try {
      const run = await send('POST', apiPath('dags', dag.dag, 'runs'), body);
      close('ok');
      onDone(run);
    } catch (x) {
      err.textContent = errorText(x);
      err.hidden = false;
      submit.disabled = false;
    }
  });
  ta.focus();
  ta.select();
}

/** Backfill dialog with a live preview; onDone(result) after creating. */
export function backfillDialog(dag, onDone) {
  const today = new Date().toISOString().slice(0, 10);
  const weekAgo = new Date(Date.now() - 7 * 86400e3).toISOString().slice(0, 10);
  const { dlg, close } = open(`
    <form class="dlg-body" novalidate>
      <h2>Backfill <code>${esc(dag.dag)}</code></h2>
      <p>Creates a backfill run for every interval of the schedule whose logical date lies in the range (both ends included). Intervals that have a run already are left alone; only intervals that have ended are run.</p>
      <div class="row">
        <label>From <input name="from" type="date" value="${weekAgo}" required></label>
        <label>To <input name="to" type="date" value="${today}" required></label>
      </div>
      <section class="preview" aria-live="polite" aria-label="Preview"></section>
      <p class="err" role="alert" hidden></p>
      <div class="dlg-actions">
        <button type="button" data-close>Cancel</button>
        <button type="button" class="preview-btn">Preview</button>
        <button type="submit" class="primary" disabled>Create runs</button>
      </div>
    </form>`, { label: `Backfill ${dag.dag}` });
  const from = dlg.querySelector('input[name=from]');
  const to = dlg.querySelector('input[name=to]');
  const preview = dlg.querySelector('.preview');
  const err = dlg.querySelector('.err');
  const submit = dlg.querySelector('button[type=submit]');
  let seq = 0;
  const body = (dry) => ({ from: from.value, to: to.value, dry_run: dry });
  const showError = (x) => {
    err.textContent = errorText(x);
    err.hidden = false;
  };
  const runPreview = async () => {
    const my = ++seq;
    err.hidden = true;
    submit.disabled = true;
    if (!from.value || !to.value) {
      preview.innerHTML = '<p class="muted">Pick both dates.</p>';
      return;
    }
    preview.innerHTML = '<p class="muted">Computing the runs…</p>';
    try {
      const r = await send('POST', apiPath('dags', dag.dag, 'backfill'), body(true));
      if (my !== seq) return;
      const items = r.items || [];
      const total = r.total ?? items.length;
      if (!total) {
        preview.innerHTML = '<p class="muted">No new run: every interval in this range has a run already (or has not ended yet).</p>';
        return;
      }
      const shown = items.slice(0, 200);
      preview.innerHTML = `<p class="preview-count"><strong>${total}</strong> run${total === 1 ? '' : 's'} will be created:</p>
        <div class="scroll"><table class="tbl compact"><thead><tr><th>logical date</th><th>data interval end</th><th>run id</th></tr></thead><tbody>
        ${shown.map((x) => `<tr><td>${esc(fmtTime(x.logical_date))}</td><td>${esc(fmtTime(x.data_interval_end))}</td><td><code>${esc(x.run_id || '')}</code></td></tr>`).join('')}
        </tbody></table></div>${total > shown.length ? `<p class="muted">and ${total - shown.length} more</p>` : ''}`;
      submit.textContent = `Create ${total} run${total === 1 ? '' : 's'}`;
      submit.disabled = false;
    } catch (x) {
      if (my !== seq) return;
      preview.innerHTML = '';
      showError(x);
    }
  };
  const later = debounce(runPreview, 250);
  from.addEventListener('input', later);
  to.addEventListener('input', later);
  dlg.querySelector('.preview-btn').addEventListener('click', runPreview);
  dlg.querySelector('form').addEventListener('submit', async (e) => {
    e.preventDefault();
    submit.disabled = true;
    err.hidden = true;
    try {
      const r = await send('POST', apiPath('dags', dag.dag, 'backfill'), body(false));
      close('ok');
      onDone(r);
    } catch (x) {
      showError(x);
      submit.disabled = false;
    }
  });
  from.focus();
  runPreview();
}
