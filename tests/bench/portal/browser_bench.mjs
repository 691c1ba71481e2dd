// Issue 9's portal targets in headless Chromium against the real tshost, run by hand (not in
// CI): with 10,000 trials and 1,000,000 metrics in the database, the trial table's first page
// (< 300 ms), the parallel-coordinates plot (< 1 s) and a trial finishing on an open overview
// (< 500 ms). Each figure is measured first on the same experiment while it holds a few
// trials (the baseline), then after its database was grown (fixtures/grow_db.py) and the
// experiment resumed; then portal_bench prints the server's route latencies.
//
// Usage, after building tshost, local, nfs, tshost_web and portal_bench in a Release tree:
//   node tests/bench/portal/browser_bench.mjs BUILD_DIR [TRIALS [METRICS [REPEATS]]]
// It uses the browser tests' harness as staged in BUILD_DIR (its playwright-core).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [buildArg, trialsArg, metricsArg, repeatsArg] = process.argv.slice(2);
if (!buildArg) {
  console.error('usage: node browser_bench.mjs BUILD_DIR [TRIALS [METRICS [REPEATS]]]');
  process.exit(2);
}
const build = resolve(buildArg);
const TRIALS = Number(trialsArg ?? 10_000);
const METRICS = Number(metricsArg ?? 1_000_000);
const REPEATS = Number(repeatsArg ?? 5);
const work = join(build, 'host/web/work');
const needed = {
  TSHOST_BINARY: join(build, 'bin/tshost'),
  TSHOST_PLUGIN_DIR: join(build, 'lib/tshost/plugins'),
  TSHOST_WEB_DIR: join(build, 'share/tshost/web'),
  harness: join(work, 'test/browser/harness.mjs'),
  portal_bench: join(build, 'bin/portal_bench'),
};
for (const [what, path] of Object.entries(needed)) {
  if (!existsSync(path)) {
    console.error(`${what}: ${path} is missing; build tshost local nfs tshost_web portal_bench ` +
      `(-DTSHOST_BUILD_BENCH=ON) in ${build}`);
    process.exit(2);
  }
}
process.env.TSHOST_BINARY ??= needed.TSHOST_BINARY;
process.env.TSHOST_PLUGIN_DIR ??= needed.TSHOST_PLUGIN_DIR;
process.env.TSHOST_WEB_DIR ??= needed.TSHOST_WEB_DIR;
process.env.TSHOST_TEST_ARTIFACTS ??= join(build, 'host/web/bench-artifacts');
const h = await import(pathToFileURL(needed.harness).href);

const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (xs) => xs.length === 0 ? 'not asked' :
  `median ${median(xs).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, ` +
  `max ${Math.max(...xs).toFixed(0)}, n=${xs.length})`;

// Marks in the page: when (performance.now(), from the navigation's start) the table's first
// row and each parallel-coordinates line count were painted, and when (Date.now()) the
// overview's SUCCEEDED count changed. A mutation observer sees the DOM change; the next
// animation frame is when it is painted.
function installMarks() {
  const marks = (window.__marks = { firstRow: null, wholeList: null, lines: [], succeeded: [] });
  let lines = null;
  let succeeded = null;
  const check = () => {
    if (marks.firstRow === null && document.querySelector('tbody tr[data-index="0"]')) {
      marks.firstRow = -1;
      requestAnimationFrame(() => (marks.firstRow = performance.now()));
    }
    if (marks.wholeList === null && marks.firstRow !== null &&
        document.querySelector('[data-testid="trial-count"][data-complete="true"]')) {
      marks.wholeList = -1;
      requestAnimationFrame(() => (marks.wholeList = performance.now()));
    }
    const l = document.querySelector('[data-testid="plot-parallel"]')?.getAttribute('data-lines');
    if (l && l !== lines) {
      lines = l;
      requestAnimationFrame(() => marks.lines.push({ value: Number(l), at: performance.now() }));
    }
    const s = document.querySelector('[data-count="SUCCEEDED"]')?.textContent;
    if (s && s !== succeeded) {
      succeeded = s;
      marks.succeeded.push({ value: Number(s), at: Date.now() });
    }
  };
  new MutationObserver(check).observe(document, {
    subtree: true, childList: true, attributes: true, characterData: true,
  });
}

async function freshLoad(page, url) {
  await page.goto('about:blank');
  await page.goto(url);
}

/**
 * Navigation to the trial table until its first row is painted, and until it holds the whole
 * list; and the requests for the first page and for the whole list (absent for a small
 * experiment, whose first page is all of it).
 */
async function firstPage(page, base) {
  await freshLoad(page, `${base}#/trials`);
  await h.waitFor('the whole list in the table', () => page.evaluate(() =>
    (window.__marks.firstRow ?? -1) > 0 && (window.__marks.wholeList ?? -1) > 0), 60_000);
  return page.evaluate(() => {
    const fetched = (suffix) => performance.getEntriesByType('resource')
      .find((e) => e.name.endsWith(suffix))?.duration ?? NaN;
    return {
      shown: window.__marks.firstRow,
      whole: window.__marks.wholeList,
      firstFetch: fetched('/api/v1/tshost/trials?limit=100'),
      wholeFetch: fetched('/api/v1/tshost/trials'),
    };
  });
}

/** Navigation to the plots until the parallel coordinates show every scored trial. */
async function parallel(page, base, scored) {
  await freshLoad(page, `${base}#/plots`);
  const at = await h.waitFor(`${scored} lines painted`, () => page.evaluate((n) =>
    window.__marks.lines.find((m) => m.value === n)?.at, scored), 60_000);
  const drawMs = Number(await page.getByTestId('plot-parallel').getAttribute('data-draw-ms'));
  return { shown: at, drawMs };
}

/** Releases the running gated trial; ms until the open overview counts it SUCCEEDED. */
async function finishToOverview(page, exp) {
  await freshLoad(page, exp.base);
  await page.locator('[data-stream="live"]').waitFor({ timeout: 60_000 });
  const running = await h.waitFor('a running trial', async () =>
    (await exp.api('trials')).trials.find((t) => t.status === 'RUNNING'), 120_000);
  const before = Number(await page.locator('[data-count="SUCCEEDED"]').textContent());
  const released = Date.now();
  h.releaseTrial(exp, running.id);
  const shownAt = await h.waitFor('the overview to count the trial', () => page.evaluate((n) =>
    window.__marks.succeeded.find((m) => m.value >= n)?.at, before + 1), 60_000);
  const ended = (await exp.api(`trials/${running.id}`)).endTime;
  return { total: shownAt - released, afterEnd: shownAt - ended };
}

async function measureAll(page, exp, label, { repeats }) {
  // First the finishing trials: the baseline's plot then has their lines.
  const finish = [];
  const afterEnd = [];
  for (let i = 0; i < Math.min(repeats, 3); i++) {
    const r = await finishToOverview(page, exp);
    finish.push(r.total);
    afterEnd.push(r.afterEnd);
  }
  const trials = (await exp.api('trials')).trials;
  const scored = trials.filter((t) => t.finalMetric !== null).length;
  const table = { shown: [], whole: [], firstFetch: [], wholeFetch: [] };
  for (let i = 0; i < repeats; i++) {
    const r = await firstPage(page, exp.base);
    for (const key of Object.keys(table)) if (!Number.isNaN(r[key])) table[key].push(r[key]);
  }
  await h.screenshot(page, `bench-trials-${label}`);
  const plots = [];
  const draws = [];
  for (let i = 0; i < repeats; i++) {
    const r = await parallel(page, exp.base, scored);
    plots.push(r.shown);
    draws.push(r.drawMs);
  }
  await h.screenshot(page, `bench-plots-${label}`);
  return { trials: trials.length, scored, table, plots, draws, finish, afterEnd };
}

function report(label, r) {
  h.figure(`[${label}: ${r.trials} trials] trial table first rows painted: ${fmt(r.table.shown)}; ` +
    `GET /trials?limit=100 ${fmt(r.table.firstFetch)}`);
  h.figure(`[${label}: ${r.trials} trials] trial table holding the whole list: ${fmt(r.table.whole)}; ` +
    `GET /trials ${fmt(r.table.wholeFetch)}`);
  h.figure(`[${label}: ${r.trials} trials] parallel coordinates of ${r.scored} trials painted: ` +
    `${fmt(r.plots)}; canvas drawing ${fmt(r.draws)}`);
  h.figure(`[${label}: ${r.trials} trials] trial released -> open overview counts it: ` +
    `${fmt(r.finish)}; of which after the host recorded its end: ${fmt(r.afterEnd)}`);
}

const exp = await h.startExperiment({ trials: TRIALS + 20, concurrency: 1 });
const { context, page } = await h.launchBrowser();
await context.addInitScript(installMarks);
let results;
try {
  // Baseline: the same experiment with its first few trials.
  const small = await measureAll(page, exp, 'baseline', { repeats: REPEATS });

  // Stop cleanly (the running trial is cancelled), grow the database, resume.
  await h.stopTshost(exp.host);
  const db = join(exp.data, exp.id, 'experiment.db');
  execFileSync('/usr/bin/python3', [join(work, 'test/browser/fixtures/grow_db.py'), db,
    String(TRIALS), String(METRICS)], { stdio: 'inherit' });
  const resumed = await h.servePortal(['--data-dir', exp.data, 'resume', exp.id], {
    logFile: join(exp.root, 'tshost.log'), port: exp.port, extraEnv: { PORTAL_TEST_GATES: exp.gates },
  });
  exp.host = resumed.host;
  const big = await measureAll(page, exp, 'grown', { repeats: REPEATS });
  results = { small, big };
} finally {
  await context.close();
  h.releaseAll(exp);
  await h.stopTshost(exp.host);
}
console.log('\n--- headless Chromium, real tshost (Release), same run ---');
report('baseline', results.small);
report('grown', results.big);
console.log(`targets: first page < 300 ms, parallel coordinates < 1000 ms, finish -> overview < 500 ms`);

console.log('\n--- server routes (portal_bench, same machine, right after) ---');
const perTrial = Math.round(METRICS / TRIALS);
console.log(execFileSync(needed.portal_bench, [String(TRIALS), String(perTrial), '3'], { encoding: 'utf8' }));
