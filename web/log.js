// log.js - the log viewer of one try: reads the log in chunks
// (?offset=, X-Log-Next-Offset), then, while the try runs, follows it with
// the streaming answer (follow=1 from the offset reached) and appends as
// bytes arrive ("live tail": scrolls along while you are at the bottom).
// Wrap toggle (remembered), a download link (the file itself; past one
// answer's 1 MiB, what was read, as a blob), size and line count. Text
// only ever goes in as a text node.

import { stream, getText, ApiError } from './api.js';
import { esc } from './util.js';

const MAX_BYTES = 32 << 20; // stop reading a huge log here
const CHUNK = 1 << 20; // what one answer holds at most (api_logs.c)

export class LogView {
  constructor(el) {
    this.el = el;
    this.url = null;
    this.abort = null;
    this.live = false;
    el.innerHTML = `
      <div class="log-tools">
        <label><input type="checkbox" class="wrap-t"> Wrap lines</label>
        <label><input type="checkbox" class="follow-t" checked> Follow</label>
        <a class="dl" download>Download</a>
        <span class="log-stat muted" aria-live="polite"></span>
      </div>
      <pre class="log" tabindex="0" aria-label="Log"></pre>`;
    this.pre = el.querySelector('pre');
    this.stat = el.querySelector('.log-stat');
    this.wrapT = el.querySelector('.wrap-t');
    this.followT = el.querySelector('.follow-t');
    const saved = localStorage.getItem('dagd.wrap');
    // wrap by default on a narrow screen, until the user says otherwise
    this.wrapT.checked = saved === null ? window.innerWidth < 700 : saved === '1';
    this.pre.classList.toggle('wrap', this.wrapT.checked);
    this.wrapT.addEventListener('change', () => {
      localStorage.setItem('dagd.wrap', this.wrapT.checked ? '1' : '0');
      this.pre.classList.toggle('wrap', this.wrapT.checked);
    });
    this.followT.addEventListener('change', () => { if (this.followT.checked) this.toBottom(); });
  }

  toBottom() { this.pre.scrollTop = this.pre.scrollHeight; }

  atBottom() { return this.pre.scrollHeight - this.pre.scrollTop - this.pre.clientHeight < 24; }

  append(s) {
    if (!s) return;
    const stick = this.followT.checked && (this.atBottom() || this.bytes === 0);
    this.text.appendData(s);
    this.bytes += s.length;
    this.lines += (s.match(/\n/g) || []).length;
    if (stick) this.toBottom();
    this.status();
  }

  status(extra) {
    const kb = this.bytes < 1024 ? `${this.bytes} B` : `${(this.bytes / 1024).toFixed(1)} KB`;
    this.stat.innerHTML = `${this.lines} line${this.lines === 1 ? '' : 's'} · ${esc(kb)}${this.live ? ' · <span class="live-dot" aria-hidden="true">●</span> live' : ''}${extra ? ` · ${esc(extra)}` : ''}`;
    this.el.dataset.live = this.live ? '1' : '0';
  }

  stop() {
    if (this.abort) this.abort.abort();
    this.abort = null;
    this.live = false;
  }

  /**
   * Show the log at url (the .../tries/{n}/log path). live: the try is
   * running, so follow it. name: the download's file name. Calling again
   * with the same url and liveness does nothing.
   */
  async show(url, live, name) {
    if (url === this.url && (live === this.live || (!live && this.done))) return;
    if (url === this.url && live && !this.live && this.done) {
      // a try that started after we read its (empty) log: follow from here
      this.follow(this.offset);
      return;
    }
    this.stop();
    this.url = url;
    this.done = false;
    this.offset = 0;
    this.bytes = 0;
    this.lines = 0;
    this.pre.textContent = '';
    this.text = document.createTextNode('');
    this.pre.appendChild(this.text);
    const dl = this.el.querySelector('.dl');
    dl.href = url;
    dl.setAttribute('download', name);
    this.status('loading');
    const ac = new AbortController();
    this.abort = ac;
    try {
      for (;;) {
        const before = this.offset;
        const r = await getText(`${url}?offset=${before}`, { signal: ac.signal });
        if (ac.signal.aborted) return;
        this.append(r.text);
        if (r.next !== null) this.offset = r.next;
        // the daemon answers at most CHUNK bytes: a shorter answer is the end
        if (r.next === null || r.next - before < CHUNK) break;
        if (this.offset > MAX_BYTES) { this.status('truncated: download the file for the rest'); break; }
      }
    } catch (e) {
      if (e.name === 'AbortError') return;
      this.done = false;
      this.url = null; // try again on the next refresh
      this.pre.textContent = e instanceof ApiError && e.status === 404 ? 'No log yet.' : `Cannot read the log: ${e.message}`;
      this.status();
      return;
    }
    this.done = true;
    if (this.offset >= CHUNK && !live) {
      // one API answer holds CHUNK bytes: download what was read, whole
      if (this.blobUrl) URL.revokeObjectURL(this.blobUrl);
      this.blobUrl = URL.createObjectURL(new Blob([this.text.data], { type: 'text/plain' }));
      dl.href = this.blobUrl;
    }
    if (!this.bytes) this.pre.dataset.empty = '1'; else delete this.pre.dataset.empty;
    this.status(this.bytes ? '' : 'empty');
    if (live) this.follow(this.offset);
  }

  async follow(offset) {
    const ac = new AbortController();
    this.abort = ac;
    this.live = true;
    this.status();
    const dec = new TextDecoder();
    try {
      const r = await stream(`${this.url}?follow=1&offset=${offset}`, ac.signal);
      const rd = r.body.getReader();
      for (;;) {
        const { value, done } = await rd.read();
        if (done) break;
        const s = dec.decode(value, { stream: true });
        this.offset += value.length;
        delete this.pre.dataset.empty;
        this.append(s);
      }
      this.append(dec.decode());
    } catch (e) {
      if (e.name === 'AbortError') return;
    }
    if (this.abort === ac) {
      this.live = false;
      this.abort = null;
      this.status('try ended');
    }
  }
}
