// The portal against the real tshost running a real (gated) experiment: the overview follows
// it live, the table sorts and filters, cancelling from the page cancels, the detail page
// reads the trial's output through the storage plugin, dark mode renders.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { join } from 'node:path';
import {
  experimentWithBrowser,
  figure,
  releaseTrial,
  screenshot,
  servePortal,
  stopTshost,
  tearDown,
  waitFor,
} from './harness.mjs';

describe('portal on a live experiment', () => {
  let exp;
  let browser;
  let page;

  before(async () => {
    ({ exp, browser, page } = await experimentWithBrowser({ trials: 6, concurrency: 2 }));
  });

  after(() => tearDown({ browser, exp }));

  const count = async (status) => Number(await page.locator(`[data-count="${status}"]`).textContent());
  const running = async () => (await exp.api('trials')).trials.filter((t) => t.status === 'RUNNING');

  test('the overview shows the live status and the counts by status', async () => {
    await page.goto(exp.base);
    await page.locator('[data-stream="live"]').waitFor();
    await waitFor('two trials running', async () => (await running()).length === 2, 60_000);
    await waitFor('the page to count two running trials', async () => (await count('RUNNING')) === 2);
    const overview = await exp.api('overview');
    assert.equal(await page.getByTestId('experiment-status').textContent(), overview.status);
    assert.equal(overview.status, 'RUNNING');
    assert.equal(await count('SUCCEEDED'), 0);
    await screenshot(page, 'overview');
  });

  test("a trial's status change arrives without a reload", async () => {
    // A marker on the window survives only as long as the page is not reloaded.
    await page.evaluate(() => (window.__notReloaded = true));
    const [first] = await running();
    const released = Date.now();
    releaseTrial(exp, first.id);
    await waitFor('the overview to count the finished trial', async () => (await count('SUCCEEDED')) === 1, 60_000);
    // Includes the trial's own exit and the host noticing it, not only the stream.
    figure(`trial released -> open overview counts it SUCCEEDED: ${Date.now() - released} ms`);
    assert.equal(await page.evaluate(() => window.__notReloaded), true);
    await waitFor('the best metric to show', () => page.getByTestId('best-value').isVisible());
    const overview = await exp.api('overview');
    assert.equal(overview.best.trialId, first.id);
    assert.equal(Number(await page.getByTestId('best-value').textContent()).toFixed(3), overview.best.value.toFixed(3));
  });

  test('the trial table sorts and filters', async () => {
    await page.goto(`${exp.base}#/trials`);
    const trials = (await exp.api('trials')).trials;
    assert.ok(trials.length >= 3, `expected at least 3 trials, got ${trials.length}`);
    const firstRowSeq = () => page.locator('tbody tr[data-index="0"] td:nth-child(2)').textContent();
    await waitFor('the rows', async () => (await firstRowSeq()) === '0');
    await page.locator('button[data-sort="sequenceId"]').click(); // ascending already: flips
    const maxSeq = Math.max(...trials.map((t) => t.sequenceId));
    await waitFor('descending order', async () => Number(await firstRowSeq()) >= maxSeq);
    await page.locator('button[data-sort="finalMetric"]').click(); // best first when maximising
    const succeeded = trials.filter((t) => t.finalMetric !== null);
    await waitFor('the trial with a metric first', async () =>
      (await page.locator('tbody tr[data-index="0"]').getAttribute('data-trial')) === succeeded[0].id);

    await page.getByLabel('SUCCEEDED').check();
    await waitFor('only succeeded rows', async () =>
      (await page.locator('tbody tr[data-trial]').count()) === succeeded.length);
    await page.getByLabel('SUCCEEDED').uncheck();
    await page.locator('#trial-search').fill(trials[2].id);
    await waitFor('one row found by id', async () => {
      const rows = page.locator('tbody tr[data-trial]');
      return (await rows.count()) === 1 && (await rows.first().getAttribute('data-trial')) === trials[2].id;
    });
    await page.locator('#trial-search').fill('');
    await screenshot(page, 'trials');
  });

  test('cancelling a trial from the page cancels it', async () => {
    await page.goto(`${exp.base}#/trials`);
    const target = (await running())[0];
    assert.ok(target, 'a running trial to cancel');
    await page.getByRole('button', { name: `Cancel trial ${target.id}` }).click();
    await waitFor('the host to cancel the trial', async () =>
      (await exp.api(`trials/${target.id}`)).status === 'USER_CANCELED', 60_000);
    await waitFor('the row to show it', async () =>
      (await page.locator(`tr[data-trial="${target.id}"] .badge`).textContent()) === 'USER_CANCELED');
  });

  test("the detail page shows the trial's output tail", async () => {
    const done = (await exp.api('trials')).trials.find((t) => t.status === 'SUCCEEDED');
    await page.goto(`${exp.base}#/trials/${done.id}`);
    await waitFor('the stdout tail', async () =>
      ((await page.getByTestId('log-text').textContent({ timeout: 1000 })) ?? '').includes(`portal-test stdout of ${done.id}`),
    60_000);
    await page.getByLabel('stderr').check();
    await waitFor('the stderr tail', async () =>
      ((await page.getByTestId('log-text').textContent({ timeout: 1000 })) ?? '').includes(`portal-test stderr of ${done.id}`));
    assert.equal(await page.getByTestId('trial-status').textContent(), 'SUCCEEDED');
    // One local process: every record came from the replica whose records reach the tuner.
    const metrics = (await exp.api(`trials/${done.id}`)).metrics;
    assert.ok(metrics.length >= 3 && metrics.every((m) => m.primary === true), JSON.stringify(metrics));
    assert.equal(await page.locator('table.metrics tr[data-origin="tuner"]').count(), metrics.length);
    assert.equal(await page.getByTestId('metrics-heading').textContent(), `${metrics.length} records`);
    await screenshot(page, 'trial-detail');
  });

  test('the plots draw one point per finished trial', async () => {
    const trials = (await exp.api('trials')).trials;
    const scored = trials.filter((t) => t.finalMetric !== null).length;
    await page.goto(`${exp.base}#/plots?trials=${trials[0].id}`);
    await waitFor('the final-metric scatter', async () =>
      (await page.getByTestId('plot-final').getAttribute('data-points')) === String(scored));
    await waitFor('the parallel coordinates', async () =>
      (await page.getByTestId('plot-parallel').getAttribute('data-lines')) === String(scored));
    await screenshot(page, 'plots');
  });

  test('dark mode renders, and the toggle switches back', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(exp.base);
    await page.locator('[data-stream="live"]').waitFor();
    const luminance = () => page.evaluate(() => {
      const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\d+/g).map(Number);
      return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
    });
    assert.ok((await luminance()) < 0.2, 'dark background');
    await screenshot(page, 'overview-dark');
    await page.getByRole('button', { name: 'Switch to light theme' }).click();
    assert.ok((await luminance()) > 0.8, 'light background after the toggle');
    await page.keyboard.press('d'); // the shortcut toggles back
    assert.ok((await luminance()) < 0.2, 'dark again from the keyboard');
  });

  test('the page shows when the stream is down and reconnects on its own', async () => {
    await page.goto(exp.base);
    await page.locator('[data-stream="live"]').waitFor();
    await page.evaluate(() => (window.__notReloaded = true));
    await stopTshost(exp.host);
    await page.locator('[data-stream="down"]').waitFor({ timeout: 30_000 });
    assert.match(await page.getByRole('status').first().textContent(), /disconnected/);
    // The page reconnects on its own while the host comes back on the same port.
    const restarted = servePortal(['--data-dir', exp.data, 'resume', exp.id],
      { logFile: join(exp.root, 'tshost.log'), port: exp.port, extraEnv: { PORTAL_TEST_GATES: exp.gates } });
    exp.host = (await restarted).host;
    await page.locator('[data-stream="live"]').waitFor({ timeout: 60_000 });
    assert.equal(await page.evaluate(() => window.__notReloaded), true);
    const overview = await exp.api('overview');
    assert.equal(await page.getByTestId('experiment-status').textContent(), overview.status);
  });

  test('no script errors on any page', () => {
    assert.deepEqual(browser.errors, []);
  });
});
