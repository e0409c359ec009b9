// demo.test.mjs - `make demo` from a fresh copy of the tree under test
// (its tracked and new files, no build, no var/), as a new user runs it:
// it builds, starts the throwaway PostgreSQL and ClickHouse, the daemon on
// the example DAGs and the demo's backfills; every example DAG must show in
// the dashboard with its runs succeeding (screenshots demo-*.png). Ctrl-C
// (SIGINT to the process group, as a terminal sends it) must stop the
// daemon and both servers; a second `make demo` reuses the warehouse and
// the state (no new initdb, no new runs). As root in a private temp dir
// this also covers a checkout the postgres user cannot reach.

import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { Steps, assert, sleep, freePort } from './lib.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const SHOTS = path.join(HERE, 'screenshots');
const README_SHOTS = path.join(HERE, 'readme');
const WRITE_README = process.env.DAGD_E2E_README === '1';
const steps = new Steps();
fs.mkdirSync(SHOTS, { recursive: true });

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dagd-e2e-demo-'));
const tree = path.join(work, 'dagd');
let ports = null;
let demo = null;
let browser = null;

/** The tree under test as a fresh checkout would have it. */
function copyTree() {
  fs.mkdirSync(tree);
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    { cwd: ROOT }).toString().split('\0').filter((f) => f && fs.existsSync(path.join(ROOT, f)));
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(tree, f)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, f), path.join(tree, f));
    fs.chmodSync(path.join(tree, f), fs.statSync(path.join(ROOT, f)).mode & 0o777);
  }
  return files.length;
}

/** `make demo` in its own process group, its output kept in demo-N.out. */
function startDemo(n) {
  const out = path.join(work, `demo-${n}.out`);
  const fd = fs.openSync(out, 'w');
  const env = {
    ...process.env, DAGD_LISTEN: `127.0.0.1:${ports.http}`, DAGD_DEMO_PGPORT: String(ports.pg),
    DAGD_DEMO_CHPORT: String(ports.ch), MAKEFLAGS: '-j2',
  };
  delete env.DAGD_BIN; delete env.DAGD_JOB_BIN; delete env.DAGD_SQL_BIN;
  const p = spawn('make', ['demo'], { cwd: tree, env, detached: true, stdio: ['ignore', fd, fd] });
  const d = { p, out, exited: new Promise((r) => p.on('exit', (code, sig) => r({ code, sig }))) };
  d.text = () => fs.readFileSync(out, 'utf8');
  return d;
}

async function api(p) {
  const r = await fetch(`http://127.0.0.1:${ports.http}${p}`);
  return { status: r.status, body: await r.json() };
}

async function waitFor(what, ms, fn) {
  const deadline = Date.now() + ms;
  let last = null;
  while (Date.now() < deadline) {
    if (demo && demo.p.exitCode !== null) throw new Error(`make demo exited while waiting for ${what}:\n${demo.text().slice(-3000)}`);
    try {
      last = await fn();
      if (last === true) return;
    } catch (e) { last = String(e); }
    await sleep(500);
  }
  throw new Error(`timed out waiting for ${what}: ${JSON.stringify(last).slice(0, 2000)}\n${demo ? demo.text().slice(-3000) : ''}`);
}

/** Ctrl-C: SIGINT to the whole foreground group, then the exit. */
async function interrupt(d) {
  process.kill(-d.p.pid, 'SIGINT');
  const t = setTimeout(() => { try { process.kill(-d.p.pid, 'SIGKILL'); } catch { /* gone */ } }, 60000);
  const r = await d.exited;
  clearTimeout(t);
  return r;
}

function alive(pid) {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

/** The demo's ClickHouse, by its pid file (which it may remove on exit). */
function clickhouseAlive() {
  try {
    return alive(Number(fs.readFileSync(path.join(tree, 'var/ch/pid'), 'utf8').trim()));
  } catch { return false; }
}

const exampleDags = () => fs.readdirSync(path.join(ROOT, 'config/dags'))
  .filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, '')).sort();

async function main() {
  ports = { http: await freePort(), pg: await freePort(), ch: await freePort() };
  const want = exampleDags();
  let runsBefore = null;

  await steps.run('a fresh copy of the tree (no build, no var/)', async () => {
    const n = copyTree();
    assert(n > 100 && !fs.existsSync(path.join(tree, 'build')) && !fs.existsSync(path.join(tree, 'var')), `${n} files`);
  });

  await steps.run('make demo builds, starts the servers and the daemon', async () => {
    const t0 = Date.now();
    demo = startDemo(1);
    await waitFor('the daemon', 600000, async () => (await api('/readyz')).status === 200);
    const out = demo.text();
    assert(/creating the demo warehouse/.test(out), 'initdb on the first demo');
    assert(out.includes(`dashboard and API at http://127.0.0.1:${ports.http}/`), 'the address printed');
    steps.note(`built and up in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  });

  await steps.run('every example DAG is listed, without import errors, and its runs succeed', async () => {
    const t0 = Date.now();
    await waitFor('every DAG to have only successful runs', 600000, async () => {
      const { body } = await api('/api/v1/dags');
      const ids = body.items.map((x) => x.dag).sort();
      if (JSON.stringify(ids) !== JSON.stringify(want)) return { ids };
      if ((body.import_errors || []).length) throw new Error(`import errors: ${JSON.stringify(body.import_errors)}`);
      const bad = body.items.filter((x) => !x.last_runs.length || x.last_runs.some((s) => s !== 'success'));
      const failed = bad.filter((x) => x.last_runs.some((s) => s === 'failed'));
      if (failed.length) throw new Error(`failed runs: ${failed.map((x) => x.dag)}\n${demo.text().slice(-3000)}`);
      return bad.length ? bad.map((x) => [x.dag, x.last_runs]) : true;
    });
    runsBefore = {};
    for (const dag of want) runsBefore[dag] = (await api(`/api/v1/dags/${dag}/runs?limit=100`)).body.total;
    assert(runsBefore.weblog_ingest >= 12 && runsBefore.feature_analytics >= 3, JSON.stringify(runsBefore));
    steps.note(`all ${want.length} DAGs green ${((Date.now() - t0) / 1000).toFixed(0)} s after the daemon was up`);
  });

  await steps.run('the dashboard shows them all with successful runs (screenshots)', async () => {
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
    const context = await browser.newContext({ viewport: { width: 1440, height: 1000 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`http://127.0.0.1:${ports.http}/`);
    await page.waitForSelector('.drow[data-dag="weblog_ingest"]');
    const rows = await page.$$eval('.drow[data-dag]', (rs) => rs.map((r) => ({
      dag: r.dataset.dag,
      ok: r.querySelectorAll('.mark.s-success').length,
      other: [...r.querySelectorAll('.mark:not(.blank):not(.s-success)')].map((m) => m.className),
    })));
    assert(JSON.stringify(rows.map((r) => r.dag).sort()) === JSON.stringify(want), JSON.stringify(rows));
    for (const r of rows) assert(r.ok >= 1 && !r.other.length, `${r.dag}: ${JSON.stringify(r)}`);
    await page.screenshot({ path: path.join(SHOTS, 'demo-dags.png'), fullPage: true });
    if (WRITE_README) {
      fs.mkdirSync(README_SHOTS, { recursive: true });
      fs.copyFileSync(path.join(SHOTS, 'demo-dags.png'), path.join(README_SHOTS, 'demo-dags.png'));
    }
    await page.goto(`http://127.0.0.1:${ports.http}/#/dags/report_popular_products`);
    await page.waitForSelector('.mark.s-success');
    await page.screenshot({ path: path.join(SHOTS, 'demo-report-grid.png') });
    assert(!errors.length, errors.join('\n'));
    await context.close();
  });

  await steps.run('the outputs are where the README says', async () => {
    const reports = path.join(tree, 'reports');
    for (const r of ['monthly_sales', 'popular_devices', 'popular_products', 'lessons_per_course',
      'lessons_per_course_clickhouse', 'daily_totals', 'feature_retention_rate']) {
      const dirs = fs.existsSync(path.join(reports, r)) ? fs.readdirSync(path.join(reports, r)) : [];
      assert(dirs.length >= 1 && fs.existsSync(path.join(reports, r, dirs[0], 'report.csv')), `${r}: ${dirs}`);
    }
  });

  let servers = null;
  await steps.run('Ctrl-C stops the daemon, ClickHouse and the warehouse', async () => {
    const pgPid = Number(fs.readFileSync(path.join(tree, 'var/pg/data/postmaster.pid'), 'utf8').split('\n')[0]);
    const chPid = Number(fs.readFileSync(path.join(tree, 'var/ch/pid'), 'utf8').trim());
    servers = { pgPid, chPid };
    assert(alive(pgPid) && alive(chPid), 'servers up before');
    await interrupt(demo);
    const out = demo.text();
    assert(/serve: stopping/.test(out), `the daemon drained:\n${out.slice(-1500)}`);
    await waitFor('the servers to stop', 20000, async () => !alive(pgPid) && !alive(chPid));
    let up = true;
    try { await api('/readyz'); } catch { up = false; }
    assert(!up, 'the daemon still answers');
    demo = null;
  });

  await steps.run('a second make demo reuses the warehouse and the state', async () => {
    demo = startDemo(2);
    await waitFor('the daemon again', 300000, async () => (await api('/readyz')).status === 200);
    await waitFor('the demo backfills to be asked for', 60000, async () => /watch them at/.test(demo.text()));
    const out = demo.text();
    assert(!/creating the demo warehouse/.test(out), 'no second initdb');
    const lines = out.split('\n').filter((l) => /dagd: demo: \S+ +\d+ run\(s\)/.test(l));
    // every DAG but hello (on in its file) is backfilled once, and none fails
    assert(lines.length === want.length - 1 && !/backfill of \S+ failed/.test(out), lines.join('\n'));
    // a new day may have begun since the first demo; otherwise nothing is new
    const sameDay = lines.every((l) => / 0 run\(s\)/.test(l));
    const { body } = await api('/api/v1/dags');
    for (const x of body.items) {
      const total = (await api(`/api/v1/dags/${x.dag}/runs?limit=100`)).body.total;
      if (sameDay && x.dag !== 'hello') assert(total === runsBefore[x.dag], `${x.dag}: ${total} runs, was ${runsBefore[x.dag]}`);
      assert(x.last_runs.every((s) => s === 'success' || s === 'running' || s === 'queued'), `${x.dag}: ${x.last_runs}`);
    }
    const r = await interrupt(demo);
    demo = null;
    assert(r.code === 0 || r.sig === 'SIGINT' || r.code === 130 || r.code === 2, JSON.stringify(r));
    await waitFor('the servers to stop again', 20000, async () => {
      const pg = fs.existsSync(path.join(tree, 'var/pg/data/postmaster.pid'));
      return !pg && !clickhouseAlive();
    });
  });
  void servers;
}

let code = 1;
try {
  await main();
} catch (e) {
  steps.failed++;
  console.log(`FAIL - the demo suite stopped: ${e && e.stack ? e.stack : e}`);
} finally {
  if (browser) await browser.close().catch(() => {});
  if (demo) {
    console.log(`make demo output:\n${demo.text().slice(-4000)}`);
    await interrupt(demo).catch(() => {});
  }
  code = steps.finish();
  if (code === 0) {
    // the warehouse may live in /var/tmp (see config/demo.sh): remove it too
    const link = path.join(tree, 'var/pg');
    try {
      if (fs.lstatSync(link).isSymbolicLink()) fs.rmSync(path.dirname(fs.readlinkSync(link)), { recursive: true, force: true });
    } catch { /* none */ }
    fs.rmSync(work, { recursive: true, force: true });
  }
}
process.exit(code);
