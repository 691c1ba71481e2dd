// 10,000 trials: a real experiment run to its end by the real tshost, its database grown to
// 10,000 finished trials (fixtures/grow_db.py), served again by `tshost view`. The table and
// the parallel-coordinates plot must show all of them; the times are printed as figures.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  figure,
  freePortPair,
  getJson,
  launchBrowser,
  releaseAll,
  screenshot,
  servePortal,
  startExperiment,
  stopTshost,
  waitFor,
} from './harness.mjs';

const TRIALS = 10_000;
const METRICS = 1_000_000; // the figures
const MIXED_TRIAL = 'g000005';
const here = dirname(fileURLToPath(import.meta.url));

describe('portal with 10,000 trials', () => {
  let base;
  let viewer;
  let browser;
  let page;
  let trials;

  before(async () => {
    const exp = await startExperiment({ trials: 2, concurrency: 2 });
    releaseAll(exp);
    try {
      // `tshost run` may exit when the experiment is done, or keep serving it.
      await waitFor('the experiment to finish', async () =>
        exp.host.child.exitCode !== null || (await exp.api('overview')).status === 'DONE', 120_000);
    } finally {
      await stopTshost(exp.host);
    }
    const db = join(exp.data, exp.id, 'experiment.db');
    execFileSync('/usr/bin/python3', [join(here, 'fixtures', 'grow_db.py'), db, String(TRIALS),
      String(METRICS)], { stdio: 'inherit' });
    // One trial as a distributed job leaves it: a second replica's records beside the primary's,
    // and a record of an earlier attempt.
    execFileSync('/usr/bin/python3', ['-c', `
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
with db:
    db.execute("UPDATE trials SET attempt = 1 WHERE id = ?", (sys.argv[2],))
    db.execute("UPDATE metrics SET attempt = 1 WHERE trial_id = ?", (sys.argv[2],))
    for replica, attempt, primary in (("worker-1", 1, 0), ("worker-1", 1, 0), ("0", 0, 1)):
        db.execute("INSERT INTO metrics(trial_id, attempt, replica, seq, time, type, sequence, value, "
                   "default_value, is_primary) VALUES(?, ?, ?, (SELECT count(*) FROM metrics), 1, "
                   "'PERIODICAL', 0, '0.25', 0.25, ?)", (sys.argv[2], attempt, replica, primary))
`, db, MIXED_TRIAL]);
    ({ host: viewer, base } = await servePortal(['--data-dir', exp.data, 'view', exp.id],
      { logFile: join(exp.root, 'view.log'), port: await freePortPair() }));
    trials = (await getJson(`${base}api/v1/tshost/trials`)).trials;
    browser = await launchBrowser();
    page = browser.page;
  });

  after(async () => {
    await browser?.context.close();
    if (viewer) await stopTshost(viewer);
  });

  test('the host serves all trials', () => {
    assert.equal(trials.length, TRIALS);
  });

  test('the table renders 10,000 trials, virtualised, and sorts them', async () => {
    const started = Date.now();
    await page.goto(`${base}#/trials`);
    await waitFor('the table to hold every trial', async () =>
      (await page.getByTestId('trial-count').getAttribute('data-shown')) === String(TRIALS), 60_000);
    await page.locator('tbody tr[data-index="0"]').waitFor();
    const fetchMs = await page.evaluate(() => Math.round(performance.getEntriesByType('resource')
      .find((e) => e.name.endsWith('/api/v1/tshost/trials'))?.duration ?? -1));
    // Coarse (a cold browser, polled): tests/bench/portal/browser_bench.mjs measures the pages.
    figure(`trial table with ${TRIALS} trials: whole list shown ${Date.now() - started} ms after the first ` +
      `navigation of a fresh browser (of which GET /trials ${fetchMs} ms)`);
    const inDom = await page.locator('tbody tr[data-trial]').count();
    assert.ok(inDom > 0 && inDom < 200, `only visible rows are in the DOM (${inDom})`);

    const sortStarted = Date.now();
    await page.locator('button[data-sort="finalMetric"]').click();
    const best = trials.reduce((a, b) => (b.finalMetric > a.finalMetric ? b : a));
    await waitFor('the best trial on top', async () =>
      (await page.locator('tbody tr[data-index="0"]').getAttribute('data-trial')) === best.id);
    figure(`sorting ${TRIALS} trials by final metric: ${Date.now() - sortStarted} ms`);

    // Scrolling to the end renders the last rows.
    await page.locator('.table-viewport').evaluate((el) => (el.scrollTop = el.scrollHeight));
    await page.locator(`tbody tr[data-index="${TRIALS - 1}"]`).waitFor();
    await screenshot(page, 'trials-10000');
  });

  test('the parallel-coordinates plot draws 10,000 lines', async () => {
    const started = Date.now();
    await page.goto(`${base}#/plots`);
    const scored = trials.filter((t) => t.finalMetric !== null).length;
    await waitFor('every trial drawn', async () =>
      (await page.getByTestId('plot-parallel').getAttribute('data-lines')) === String(scored), 60_000);
    const drawMs = await page.getByTestId('plot-parallel').getAttribute('data-draw-ms');
    figure(`parallel coordinates with ${scored} trials: shown ${Date.now() - started} ms after navigation, canvas drawing ${drawMs} ms`);
    assert.equal(await page.getByTestId('plot-final').getAttribute('data-points'), String(scored));
    await screenshot(page, 'plots-10000');
  });

  test("the trial page marks the records the tuner did not see", async () => {
    const detail = await getJson(`${base}api/v1/tshost/trials/${MIXED_TRIAL}`);
    const others = detail.metrics.filter((m) => !m.primary).length;
    assert.equal(others, 2);
    await page.goto(`${base}#/trials/${MIXED_TRIAL}`);
    await waitFor('the metrics heading', async () =>
      (await page.getByTestId('metrics-heading').textContent({ timeout: 1000 })) ===
        `${detail.metrics.length} records, 3 of them not sent to the tuner`);
    assert.equal(await page.locator('table.metrics tr[data-origin="other-replica"]').count(), others);
    assert.equal(await page.locator('table.metrics tr[data-origin="earlier-attempt"]').count(), 1);
    assert.equal(await page.locator('table.metrics tr[data-origin="tuner"]').count(), detail.metrics.length - 3);
    assert.equal(await page.locator('table.metrics .tag').count(), others);
    await screenshot(page, 'trial-detail-replicas');
  });

  test('no script errors', () => {
    assert.deepEqual(browser.errors, []);
  });
});
