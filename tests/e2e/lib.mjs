// lib.mjs - helpers of the e2e suite: a real `dagd serve` on a free port
// with its own temp folder (config, DAGs, state, logs), JSON calls to it
// from the test (not the page), the benchmark store (500 runs x 30 tasks
// and 1,000 DAG files, filled with the sqlite3 CLI before the daemon
// starts), and a tiny step runner that prints "N passed, N failed".

import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const DAGD = process.env.DAGD_BIN;
export const JOB = process.env.DAGD_JOB_BIN;

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class Daemon {
  constructor(name, extraConfig = '') {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `dagd-e2e-${name}-`));
    this.dags = path.join(this.dir, 'dags');
    fs.mkdirSync(this.dags);
    this.extra = extraConfig;
    this.proc = null;
  }

  writeDag(name, text) {
    fs.writeFileSync(path.join(this.dags, `${name}.yaml`), text);
  }

  async start() {
    this.port = await freePort();
    this.url = `http://127.0.0.1:${this.port}`;
    fs.writeFileSync(path.join(this.dir, 'dagd.yaml'),
      `dags_folder: dags\nstate: sqlite://state.db\nlogs_folder: logs\nlisten: 127.0.0.1:${this.port}\n` +
      `parallelism: 16\nshutdown_grace: 1s\ntimezone: UTC\n${this.extra}`);
    const log = fs.openSync(path.join(this.dir, 'daemon.log'), 'a');
    this.proc = spawn(DAGD, ['serve', '--config', path.join(this.dir, 'dagd.yaml')], {
      stdio: ['ignore', log, log], env: { ...process.env, DAGD_JOB_BIN: JOB },
    });
    this.exited = new Promise((r) => this.proc.on('exit', r));
    const deadline = Date.now() + 30000;
    while (Date.now() < deadline) {
      if (this.proc.exitCode !== null) throw new Error(`dagd exited: ${this.log()}`);
      try {
        const r = await fetch(`${this.url}/readyz`);
        if (r.status === 200) return this;
      } catch { /* not yet */ }
      await sleep(50);
    }
    throw new Error(`dagd not ready: ${this.log()}`);
  }

  async stop() {
    if (!this.proc || this.proc.exitCode !== null) return;
    this.proc.kill('SIGTERM');
    const t = setTimeout(() => this.proc.kill('SIGKILL'), 10000);
    await this.exited;
    clearTimeout(t);
  }

  log() {
    try { return fs.readFileSync(path.join(this.dir, 'daemon.log'), 'utf8').slice(-4000); } catch { return ''; }
  }

  async api(method, p, body, headers = {}) {
    const r = await fetch(this.url + p, {
      method, headers: { 'Content-Type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    let j = null;
    try { j = JSON.parse(text); } catch { j = text; }
    return { status: r.status, body: j };
  }

  async waitRun(dag, runId, states = ['success', 'failed'], ms = 30000) {
    const deadline = Date.now() + ms;
    let last = null;
    while (Date.now() < deadline) {
      last = await this.api('GET', `/api/v1/dags/${dag}/runs/${encodeURIComponent(runId)}`);
      if (last.status === 200 && states.includes(last.body.state)) return last.body;
      await sleep(100);
    }
    throw new Error(`run ${runId} still ${last && last.body.state}`);
  }

  sql(text) {
    execFileSync('sqlite3', [path.join(this.dir, 'state.db')], { input: text });
  }
}

/** The benchmark DAG: 30 tasks in a binary tree, no schedule. */
export function perfDag() {
  let y = 'dag: perf_grid\ndescription: 30 tasks, 500 runs for the grid benchmark\nschedule: none\ntags: [bench]\ntasks:\n';
  for (let k = 1; k <= 30; k++) {
    const id = `t${String(k).padStart(2, '0')}`;
    const up = k > 1 ? `t${String(Math.floor(k / 2)).padStart(2, '0')}` : null;
    y += `  ${id}: {shell: "true"${up ? `, depends: [${up}]` : ''}}\n`;
  }
  return y;
}

const SCHEDULES = ['"0 3 * * *"', '"*/15 * * * *"', '"@daily"', '"30 6 * * 1-5"', '"every 2h"', '"@hourly"'];

export function benchDag(i) {
  const id = `bench_${String(i).padStart(4, '0')}`;
  return [id, `dag: ${id}
description: Generated DAG ${i} of the list benchmark
schedule: ${SCHEDULES[i % SCHEDULES.length]}
timezone: Europe/Berlin
start_date: 2026-01-01
catchup: false
paused: true
tags: [bench, team_${'abcde'[i % 5]}]
tasks:
  extract: {shell: "true"}
  load: {depends: [extract], shell: "true"}
`];
}

/** 500 runs x 30 task instances of perf_grid, 10 runs of each bench DAG. */
export const FILL_SQL = `
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)
INSERT INTO runs (dag, run_id, run_type, logical_date, data_interval_start, data_interval_end,
                  state, conf, created_us, start_us, end_us)
SELECT 'perf_grid', 'scheduled__' || strftime('%Y-%m-%dT%H:%M:%SZ', 1767225600 + i * 3600, 'unixepoch'),
       'scheduled', 1767225600 + i * 3600, 1767225600 + i * 3600, 1767225600 + (i + 1) * 3600,
       CASE WHEN i % 17 = 0 THEN 'failed' ELSE 'success' END, '{}',
       (1767225600 + (i + 1) * 3600) * 1000000, (1767225600 + (i + 1) * 3600) * 1000000,
       (1767225600 + (i + 1) * 3600 + 40 + (i % 9) * 20) * 1000000
FROM n;
WITH RECURSIVE m(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM m WHERE k < 30)
INSERT INTO task_instances (run, task, state, try_number, start_us, end_us, exit_code, pool)
SELECT r.id, 't' || printf('%02d', m.k),
       CASE WHEN r.state = 'failed' AND m.k = 7 THEN 'failed'
            WHEN r.state = 'failed' AND m.k IN (14, 15, 28, 29, 30) THEN 'upstream_failed'
            WHEN m.k % 13 = 0 AND r.id % 5 = 0 THEN 'skipped' ELSE 'success' END,
       CASE WHEN (m.k + r.id) % 23 = 0 THEN 2 ELSE 1 END,
       r.start_us + m.k * 1000000, r.start_us + m.k * 1000000 + 900000,
       CASE WHEN r.state = 'failed' AND m.k = 7 THEN 1 ELSE 0 END, 'default'
FROM runs r, m WHERE r.dag = 'perf_grid';
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10)
INSERT INTO runs (dag, run_id, run_type, logical_date, data_interval_start, data_interval_end, state, conf)
SELECT d.dag, 'scheduled__' || n.i, 'scheduled', 1767225600 + n.i * 86400, 1767225600 + n.i * 86400,
       1767225600 + (n.i + 1) * 86400,
       CASE WHEN (n.i + length(d.dag) + CAST(substr(d.dag, 7) AS INTEGER)) % 7 = 0 THEN 'failed' ELSE 'success' END, '{}'
FROM dags d, n WHERE d.dag LIKE 'bench_%';
COMMIT;
`;

/** A sequential step runner: prints each result and the closing line. */
export class Steps {
  constructor() {
    this.passed = 0;
    this.failed = 0;
    this.notes = [];
  }

  async run(name, fn) {
    const t0 = Date.now();
    try {
      await fn();
      this.passed++;
      console.log(`ok   - ${name} (${Date.now() - t0} ms)`);
      return true;
    } catch (e) {
      this.failed++;
      console.log(`FAIL - ${name}: ${e && e.stack ? e.stack.split('\n').slice(0, 4).join('\n       ') : e}`);
      return false;
    }
  }

  note(s) {
    this.notes.push(s);
    console.log(`     ${s}`);
  }

  finish() {
    console.log(`${this.passed} passed, ${this.failed} failed`);
    return this.failed === 0 ? 0 : 1;
  }
}

export function assert(cond, msg) {
  if (!cond) throw new Error(`assertion failed: ${msg}`);
}
