// What the browser tests share: a real tshost serving a real experiment (local platform,
// the NFS storage plugin over a local directory, trial agent), and headless Debian chromium
// driven by playwright-core. Everything waits for conditions with deadlines, never sleeps.
import { spawn } from 'node:child_process';
import {
  appendFileSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));

export function env(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the browser tests through ctest (web.browser)`);
  return value;
}

export const artifacts = process.env.TSHOST_TEST_ARTIFACTS ?? join(tmpdir(), 'tshost-web-artifacts');
mkdirSync(artifacts, { recursive: true });

/** A measured figure: printed, and appended to <artifacts>/figures.txt. */
export function figure(line) {
  console.log(`FIGURE ${line}`);
  appendFileSync(join(artifacts, 'figures.txt'), `${new Date().toISOString()} ${line}\n`);
}

/** Polls `check` (sync or async) until it returns a truthy value; throws `what` after the deadline. */
export async function waitFor(what, check, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last.message}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function portFree(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A port whose successor is free too (the host puts the trial-metrics server on port + 1). */
export async function freePortPair() {
  for (let i = 0; i < 200; i++) {
    const port = 20_000 + Math.floor(Math.random() * 20_000) * 2;
    if ((await portFree(port)) && (await portFree(port + 1))) return port;
  }
  throw new Error('no two free consecutive ports on 127.0.0.1');
}

/**
 * A gated experiment in a fresh directory: trials wait for the test (see fixtures/gated_trial.py).
 * Returns paths; `config` is the experiment file.
 */
export function writeExperiment({ trials = 6, concurrency = 2 } = {}) {
  const root = mkdtempSync(join(tmpdir(), 'tshost-web-'));
  const dirs = Object.fromEntries(['code', 'share', 'gates', 'data'].map((d) => [d, join(root, d)]));
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  copyFileSync(join(here, 'fixtures', 'gated_trial.py'), join(dirs.code, 'trial.py'));
  const config = join(root, 'config.yml');
  writeFileSync(config, [
    'experimentName: portal-browser-test',
    'searchSpace:',
    '  x: {_type: uniform, _value: [0, 1]}',
    '  opt: {_type: choice, _value: [sgd, adam]}',
    'trialCommand: python3 trial.py',
    `trialCodeDirectory: ${dirs.code}`,
    `trialConcurrency: ${concurrency}`,
    `maxTrialNumber: ${trials}`,
    'maxExperimentDuration: 30m',
    'tuner: {name: Random, classArgs: {seed: 7, optimize_mode: maximize}}',
    'trainingService:',
    '  platform: local',
    '  useTrialAgent: true',
    `  shareDirectory: ${dirs.share}`,
    '  storage:',
    '    storageType: nfs',
    '    server: 127.0.0.1',
    '    path: /export',
    `    localMountPath: ${dirs.share}`,
    '',
  ].join('\n'));
  return { root, config, ...dirs };
}

/** Starts `tshost <args>` in its own process group, output to a log file. */
export function startTshost(args, { logFile, extraEnv = {} }) {
  const out = openSync(logFile, 'a');
  const child = spawn(env('TSHOST_BINARY'), ['--plugin-dir', env('TSHOST_PLUGIN_DIR'), ...args], {
    stdio: ['ignore', out, out],
    detached: true,
    env: { ...process.env, TSHOST_METRICS_FLUSH_SECONDS: '1', ...extraEnv },
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, exited, log: () => readFileSync(logFile, 'utf8') };
}

/** Stops a started host: SIGINT (a clean stop), then SIGKILL of its group after a deadline. */
export async function stopTshost(host, timeoutMs = 30_000) {
  if (host.child.exitCode !== null || host.child.signalCode !== null) return;
  host.child.kill('SIGINT');
  const timer = setTimeout(() => {
    try {
      process.kill(-host.child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }, timeoutMs);
  await host.exited;
  clearTimeout(timer);
}

/**
 * Starts `tshost <command args> --port PORT --web-dir ...` and waits until its portal answers;
 * on failure stops it and throws with its log.
 */
export async function servePortal(args, { logFile, port, extraEnv = {} }) {
  const host = startTshost([...args, '--port', String(port), '--web-dir', env('TSHOST_WEB_DIR')],
    { logFile, extraEnv });
  const base = `http://127.0.0.1:${port}/`;
  try {
    await waitFor(`the portal of 'tshost ${args[2] ?? ''}' to answer /api/v1/tshost/overview`, async () => {
      if (host.child.exitCode !== null) throw new Error('tshost exited');
      return (await fetch(`${base}api/v1/tshost/overview`)).ok;
    }, 60_000);
  } catch (e) {
    await stopTshost(host);
    throw new Error(`${e.message}\n--- tshost log ---\n${host.log()}`);
  }
  return { host, base };
}

/** A running experiment served by the real host, with its portal's base URL. */
export async function startExperiment(options = {}) {
  const exp = writeExperiment(options);
  const port = await freePortPair();
  const id = `web${Math.random().toString(36).slice(2, 8)}`;
  const { host, base } = await servePortal(['--data-dir', exp.data, 'run', exp.config, '--id', id],
    { logFile: join(exp.root, 'tshost.log'), port, extraEnv: { PORTAL_TEST_GATES: exp.gates } });
  return { ...exp, id, port, base, host, api: (path) => getJson(`${base}api/v1/tshost/${path}`) };
}

export async function getJson(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
  return response.json();
}

export function releaseTrial(exp, trialId) {
  writeFileSync(join(exp.gates, trialId), '');
}

export function releaseAll(exp) {
  writeFileSync(join(exp.gates, 'all'), '');
}

/** Headless Debian chromium with a fresh profile and no background networking. */
export async function launchBrowser() {
  const profile = mkdtempSync(join(tmpdir(), 'tshost-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1366, height: 768 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { context, page, errors };
}

/** A running experiment (see startExperiment) and a browser: how a live-page suite begins. */
export async function experimentWithBrowser(options) {
  const exp = await startExperiment(options);
  const browser = await launchBrowser();
  return { exp, browser, page: browser.page };
}

/** Closes the browser and stops the hosts, the experiment's last (its gated trials released). */
export async function tearDown({ browser, exp, hosts = [] }) {
  await browser?.context.close();
  for (const host of hosts) if (host) await stopTshost(host);
  if (exp) {
    releaseAll(exp);
    await stopTshost(exp.host);
  }
}

export async function screenshot(page, name) {
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
}
