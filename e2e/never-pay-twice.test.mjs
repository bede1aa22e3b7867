// Lost and odd create answers through the real proxy in front of a fake provider that answers as
// the seeds document, faults included: one press, one paid task, and the results on screen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  startProxy, startFake, openWithPicture, loadedResults, recordApiCalls, sharedJourneySetup,
} from './harness.mjs';

const shared = sharedJourneySetup();

const expandButton = (page) => page.getByRole('button', { name: 'Expand', exact: true });
const fault = (spec) => ['--fault', JSON.stringify(spec)];

/** A fake provider with `faults`, a proxy in front of it, and the widget open with a picture. */
async function setUp(faults, fakeArgs = []) {
  const fake = await startFake([...faults.flatMap(fault), ...fakeArgs]);
  const proxy = await startProxy([], {}, { upstream: fake.url });
  const { page, errors } = await openWithPicture(shared.browser, proxy.url, shared.picture);
  const calls = recordApiCalls(page);
  return {
    fake, proxy, page, errors, calls,
    async stop() { await page.close(); await proxy.stop(); await fake.stop(); },
  };
}

for (const [what, kind] of [
  ['the connection dropped after the task was made', { kind: 'drop' }],
  ['a 5000 answered after the task was made', { kind: 'internal_after_create' }],
]) {
  test(`${what}: the widget finds the task by its external id and shows its results, one task paid`, async () => {
    const run = await setUp([{ on: 'create', ...kind, times: 1 }]);
    try {
      await run.page.getByRole('radio', { name: '16:9' }).check();
      await expandButton(run.page).click();
      const results = await loadedResults(run.page);
      assert.equal(results.length, 1);
      assert.equal(await run.fake.tasks(), 1, 'exactly one task at the provider');
      const creates = run.calls.filter((c) => c.method === 'POST');
      assert.equal(creates.length, 1, 'nothing was sent again');
      const externalId = JSON.parse(creates[0].body).external_task_id;
      assert.ok(run.calls.some((c) => c.method === 'GET' && c.path.endsWith(`/${externalId}`)),
        'the task was looked up by the external id the widget gave it');
      // The browser logs the proxy's 502 itself; nothing else may go wrong in the page.
      assert.deepEqual(run.errors.filter((e) => !/Failed to load resource/.test(e)), []);
    } finally {
      await run.stop();
    }
  });
}

test('the answer lost and the look-ups failing too: Retry looks again first, and one task is paid', async () => {
  // The create's answer is dropped, then the widget's four look-ups are dropped as well: it
  // cannot know whether the task exists and must not send it again on its own.
  const run = await setUp([
    { on: 'create', kind: 'drop', times: 1 },
    { on: 'query', kind: 'drop', times: 4 },
  ]);
  try {
    await expandButton(run.page).click();
    const alert = run.page.getByRole('alert');
    await alert.getByText('Not known whether the task was made').waitFor({ timeout: 20_000 });
    const text = await alert.innerText();
    assert.match(text, /never charged twice/);
    // The title is said once, not repeated as the first sentence of the text.
    assert.equal(text.split('Not known whether the task was made').length - 1, 1, text);
    assert.equal(await run.fake.tasks(), 1);
    await alert.getByRole('button', { name: 'Retry' }).click();
    const results = await loadedResults(run.page);
    assert.equal(results.length, 1);
    assert.equal(await run.fake.tasks(), 1, 'Retry found the first task instead of paying again');
    assert.equal(run.calls.filter((c) => c.method === 'POST').length, 1, 'one create in all');
  } finally {
    await run.stop();
  }
});

test('a lost answer for a task that was never made: the widget says nothing was charged, and Retry sends once', async () => {
  // The provider refuses with a gateway page before making anything.
  const run = await setUp([{ on: 'create', kind: 'status', status: 502, code: null, times: 1 }]);
  try {
    await expandButton(run.page).click();
    const alert = run.page.getByRole('alert');
    await alert.getByText('Nothing was made').waitFor({ timeout: 20_000 });
    assert.equal(await run.fake.tasks(), 0);
    await alert.getByRole('button', { name: 'Retry' }).click();
    await loadedResults(run.page);
    assert.equal(await run.fake.tasks(), 1);
  } finally {
    await run.stop();
  }
});

test('{} as the create answer (KKIAI\'s documented success): the task is followed by its external id', async () => {
  const run = await setUp([{ on: 'create', kind: 'empty', times: 1 }]);
  try {
    await expandButton(run.page).click();
    const results = await loadedResults(run.page);
    assert.equal(results.length, 1);
    assert.equal(await run.fake.tasks(), 1);
    assert.equal(await run.page.getByRole('alert').count(), 0, 'no error shown');
  } finally {
    await run.stop();
  }
});

test('results on an origin without CORS are saved and expanded again through the proxy\'s copy', async () => {
  const fake = await startFake();
  const proxy = await startProxy([], {}, { upstream: fake.url });
  const context = await shared.browser.newContext({ acceptDownloads: true });
  try {
    const { page, errors } = await openWithPicture(context, proxy.url, shared.picture);
    await page.getByRole('radio', { name: '1:1' }).check();
    await expandButton(page).click();
    const [first] = await loadedResults(page);
    const src = await page.getByRole('list', { name: 'Results' }).getByRole('img').first().getAttribute('src');
    assert.notEqual(new URL(src).origin, new URL(proxy.url).origin, 'the result lives on the provider\'s origin');
    // Asked from another page of the same demo, whose console refusal is not the widget's.
    const probe = await shared.browser.newPage();
    await probe.goto(proxy.url);
    const direct = await probe.evaluate((url) => fetch(url).then(() => 'read', () => 'refused'), src);
    await probe.close();
    assert.equal(direct, 'refused', 'the page cannot read the provider\'s origin itself');

    const item = page.getByRole('list', { name: 'Results' }).getByRole('listitem').first();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      item.getByRole('button', { name: /^Download/ }).first().click(),
    ]);
    const saved = await download.createReadStream();
    const chunks = [];
    for await (const chunk of saved) chunks.push(chunk);
    const bytes = Buffer.concat(chunks);
    assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG file');
    assert.equal(page.context().pages().length, 1, 'no tab was opened instead');

    await item.getByRole('button', { name: /^Expand again/ }).first().click();
    await page.locator('.ke-picture-facts').getByText(`${first.width} × ${first.height} px`).waitFor();
    // The widget reads a link on another origin through the proxy's copy first: it never tries
    // (and fails) the provider's origin, so the console stays quiet.
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    await proxy.stop();
    await fake.stop();
  }
});

test('the proxy serves copies only of results it relayed: another address is refused', async () => {
  const fake = await startFake();
  const proxy = await startProxy([], {}, { upstream: fake.url });
  try {
    const { page } = await openWithPicture(shared.browser, proxy.url, shared.picture);
    const calls = recordApiCalls(page);
    await expandButton(page).click();
    await loadedResults(page);
    const taskId = calls.map((c) => c.path.split('/').filter((part) => part !== 'events').pop())
      .find((id) => id && !id.startsWith('ke-') && id !== 'expand');
    assert.ok(taskId, 'the widget followed its task by id');
    const statuses = await page.evaluate(async (task) => {
      const get = (path) => fetch(`/api/kling${path}`).then((r) => r.status);
      return {
        relayed: await get(`/results/${task}/0`),
        others: [
          await get(`/results/${task}/7`),
          await get('/results/no-such-task/0'),
          await get('/results/..%2F..%2Fetc%2Fpasswd/0'),
          await get(`/results/${encodeURIComponent('http://127.0.0.1:1/x')}/0`),
        ],
      };
    }, taskId);
    assert.equal(statuses.relayed, 200, 'the copy of a relayed result');
    for (const status of statuses.others) assert.equal(status, 404, `refused: ${statuses.others}`);
    await page.close();
  } finally {
    await proxy.stop();
    await fake.stop();
  }
});
