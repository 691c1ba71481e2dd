// The experiment's actions from the overview page, against the real tshost: each change must
// reach the engine (the API reports it and the engine behaves by it), stopping stops the
// experiment, and `tshost view` (read-only) answers every action with a 409 the page shows.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { join } from 'node:path';
import * as h from './harness.mjs';

const { getJson, releaseTrial, screenshot, servePortal, waitFor } = h;

describe('experiment actions from the page', () => {
  let exp;
  let browser;
  let page;
  let viewer;

  before(async () => {
    ({ exp, browser, page } = await h.experimentWithBrowser({ trials: 8, concurrency: 1 }));
  });

  after(() => h.tearDown({ browser, exp, hosts: [viewer] }));

  const trials = async () => (await exp.api('trials')).trials;
  const running = async () => (await trials()).filter((t) => t.status === 'RUNNING');
  const nniProfile = () => getJson(`${exp.base}api/v1/nni/experiment`);

  /**
   * Types the limits into the overview's form and applies them; returns the page's answer to
   * this request (the message of an earlier one may still be on the page until then).
   */
  async function applyLimits(fields) {
    for (const [name, value] of Object.entries(fields)) {
      await page.locator(`input[name="${name}"]`).fill(value);
    }
    const apply = page.getByRole('button', { name: 'Apply' });
    await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/v1/tshost/limits') && r.request().method() === 'PATCH'),
      apply.click(),
    ]);
    await waitFor('the form to take the answer', () => apply.isEnabled());
    const message = page.getByTestId('limits-message');
    return { text: await message.textContent(), role: await message.getAttribute('role') };
  }

  test('raising trialConcurrency from the page starts another trial', async () => {
    await page.goto(exp.base);
    await page.locator('[data-stream="live"]').waitFor();
    await waitFor('one trial running', async () => (await running()).length === 1, 60_000);
    assert.equal((await exp.api('overview')).limits.trialConcurrency, 1);

    const answer = await applyLimits({ trialConcurrency: '2' });
    assert.deepEqual(answer, { text: 'Limits updated.', role: 'status' });
    assert.equal((await exp.api('overview')).limits.trialConcurrency, 2);
    assert.equal((await nniProfile()).params.trialConcurrency, 2);
    // The engine acts on it: a second trial starts while the first still runs.
    await waitFor('a second trial running', async () => (await running()).length === 2, 60_000);
    await screenshot(page, 'actions-concurrency');
  });

  test('lowering, then raising maxTrialNumber from the page stops, then resumes submitting', async () => {
    assert.equal((await trials()).length, 2);
    const answer = await applyLimits({ maxTrialNumber: '3' });
    assert.equal(answer.text, 'Limits updated.');
    assert.equal((await exp.api('overview')).limits.maxTrialNumber, 3);
    assert.equal((await nniProfile()).params.maxTrialNumber, 3);

    // One trial ends: the engine submits the third and then says it will submit no more.
    releaseTrial(exp, (await running())[0].id);
    await waitFor('the third trial', async () => (await trials()).length === 3, 60_000);
    await waitFor('NO_MORE_TRIAL', async () => (await exp.api('overview')).status === 'NO_MORE_TRIAL', 30_000);
    await waitFor('the page to show NO_MORE_TRIAL', async () =>
      (await page.getByTestId('experiment-status').textContent()) === 'NO_MORE_TRIAL');
    assert.equal((await exp.api('overview')).submitted, 3);

    // A value below what was already submitted is refused, and the page says why.
    const refused = await applyLimits({ maxTrialNumber: '1' });
    assert.equal(refused.role, 'alert');
    assert.match(refused.text, /at least/);
    assert.equal((await exp.api('overview')).limits.maxTrialNumber, 3);

    await applyLimits({ maxTrialNumber: '5' });
    assert.equal((await exp.api('overview')).limits.maxTrialNumber, 5);
    await waitFor('the experiment running again', async () => (await exp.api('overview')).status === 'RUNNING', 30_000);
    // Two run (concurrency 2): ending one lets the engine submit a fourth.
    releaseTrial(exp, (await running())[0].id);
    await waitFor('a fourth trial', async () => (await trials()).length === 4, 60_000);
  });

  test('shortening maxExperimentDuration from the page ends submitting', async () => {
    assert.equal((await exp.api('overview')).limits.maxExperimentDurationMs, 30 * 60_000);
    assert.equal(await page.locator('input[name="maxExperimentDuration"]').inputValue(), '30m');
    const answer = await applyLimits({ maxExperimentDuration: '1s' });
    assert.equal(answer.text, 'Limits updated.');
    assert.equal((await exp.api('overview')).limits.maxExperimentDurationMs, 1000);
    assert.equal((await nniProfile()).params.maxExperimentDuration, '1s');
    // The experiment has run longer than 1 s: it submits nothing more although trials and
    // concurrency would allow it, and a trial that ends is not replaced.
    await waitFor('NO_MORE_TRIAL', async () => (await exp.api('overview')).status === 'NO_MORE_TRIAL', 30_000);
    const [ending] = await running();
    releaseTrial(exp, ending.id);
    await waitFor('the released trial to end', async () =>
      (await exp.api(`trials/${ending.id}`)).status === 'SUCCEEDED', 60_000);
    const overview = await exp.api('overview');
    assert.equal(overview.status, 'NO_MORE_TRIAL');
    assert.equal(overview.submitted, 4);
    assert.ok((await running()).length < overview.limits.trialConcurrency);
    await screenshot(page, 'actions-limits');
  });

  test('stopping the experiment from the page stops it', async () => {
    const stillRunning = await running();
    assert.equal(stillRunning.length, 1, 'one trial left running');
    await page.getByRole('button', { name: 'Stop experiment…' }).click();
    await page.getByRole('button', { name: 'Stop now' }).click();
    await waitFor('the page to confirm', async () =>
      ((await page.locator('.stop [role="status"]').textContent({ timeout: 1000 })) ?? '') === 'Experiment stopping.');
    await screenshot(page, 'actions-stopping');
    // The host ends the experiment (cancelling the running trial) and exits as after Ctrl-C.
    const { code } = await exp.host.exited;
    assert.equal(code, 0);
    assert.match(exp.host.log(), new RegExp(`Experiment ${exp.id} STOPPED`));
  });

  test('`tshost view` shows the stopped experiment, and every action answers 409 on the page', async () => {
    ({ host: viewer } = await servePortal(['--data-dir', exp.data, 'view', exp.id], {
      logFile: join(exp.root, 'view.log'), port: exp.port,
    }));
    const list = (await exp.api('trials')).trials;
    assert.equal(list.length, 4);
    assert.deepEqual(list.filter((t) => t.status === 'RUNNING'), []);
    assert.ok(list.some((t) => t.status === 'USER_CANCELED' || t.status === 'SYS_CANCELED'),
      `the running trial was cancelled: ${list.map((t) => t.status).join(', ')}`);
    const before = (await exp.api('overview')).limits;
    // The limits changed from the page outlived the run.
    assert.deepEqual([before.trialConcurrency, before.maxTrialNumber, before.maxExperimentDurationMs], [2, 5, 1000]);

    await page.goto(exp.base);
    await page.locator('[data-stream="live"]').waitFor();
    assert.equal(await page.getByTestId('experiment-status').textContent(), 'VIEWED');
    const answer = await applyLimits({ trialConcurrency: '3' });
    assert.equal(answer.role, 'alert');
    assert.match(answer.text, /read-only/);
    await page.getByRole('button', { name: 'Stop experiment…' }).click();
    await page.getByRole('button', { name: 'Stop now' }).click();
    const stopError = page.locator('.stop [role="alert"]');
    await stopError.waitFor();
    assert.match(await stopError.textContent(), /read-only/);
    await screenshot(page, 'actions-view-409');
    assert.deepEqual((await exp.api('overview')).limits, before);
    const put = await fetch(`${exp.base}api/v1/nni/experiment?update_type=TRIAL_CONCURRENCY`, {
      method: 'PUT', body: JSON.stringify({ params: { trialConcurrency: 3 } }),
    });
    assert.equal(put.status, 409);
  });

  test('no script errors', () => {
    assert.deepEqual(browser.errors, []);
  });
});
