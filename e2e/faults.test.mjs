// Faults end to end: the widget, the real proxy, and the fake provider answering as the seeds
// document, each fault injected once. For every one: what the person sees, that the task is
// recovered where it can be, that no paid task is made twice (counted at the fake), and that the
// picture and the settings survive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  startProxy, startFake, openWithPicture, loadedResults, recordApiCalls, sharedJourneySetup,
} from './harness.mjs';

const shared = sharedJourneySetup();

const expandButton = (page) => page.getByRole('button', { name: 'Expand', exact: true });

async function setUp(faults, proxyArgs = []) {
  const fake = await startFake(faults.flatMap((f) => ['--fault', JSON.stringify(f)]));
  const proxy = await startProxy(proxyArgs, {}, { upstream: fake.url });
  const { page, errors } = await openWithPicture(shared.browser, proxy.url, shared.picture);
  await page.getByRole('radio', { name: '16:9' }).check();
  await page.getByLabel('Prompt', { exact: true }).fill('a calm harbour');
  const calls = recordApiCalls(page);
  return {
    fake, proxy, page, errors, calls,
    async stop() { await page.close(); await proxy.stop(); await fake.stop(); },
  };
}

/** The person's input is all still there. */
async function inputKept(page) {
  await page.locator('.ke-picture-facts').getByText('640 × 480 px').waitFor();
  assert.equal(await page.getByLabel('Prompt', { exact: true }).inputValue(), 'a calm harbour');
  assert.ok(await page.getByRole('radio', { name: '16:9' }).isChecked());
}

const create = (fields) => ({ on: 'create', times: 1, ...fields });
const query = (fields, times = 1) => ({ on: 'query', times, ...fields });

// Each case: the faults, what the alert's title says (none: the task comes through on its own),
// whether Retry is then pressed, and how many tasks the provider ends with.
const cases = [
  { name: '429 with Retry-After on the create', faults: [create({ kind: 'status', status: 429, code: 1302, retry_after: 2 })],
    title: 'Too many requests: retry later', text: /Wait 2 s/, retry: true, tasks: 1 },
  { name: '1303 (concurrency over the limit)', faults: [create({ kind: 'status', status: 429, code: 1303 })],
    title: 'Too many requests: retry later', retry: true, tasks: 1 },
  { name: '5000 before the task is made', faults: [create({ kind: 'status', status: 500, code: 5000 })],
    title: 'Nothing was made', retry: true, tasks: 1 },
  { name: '5001 (maintenance)', faults: [create({ kind: 'status', status: 503, code: 5001 })],
    title: 'Provider error: retry', retry: true, tasks: 1 },
  { name: '5002 (internal timeout) before the task is made', faults: [create({ kind: 'status', status: 504, code: 5002 })],
    title: 'Nothing was made', retry: true, tasks: 1 },
  { name: 'malformed JSON after the task is made', faults: [create({ kind: 'malformed' })],
    tasks: 1 },
  { name: 'a gateway\'s HTML page after the task is made', faults: [create({ kind: 'not_json', status: 502 })],
    tasks: 1 },
  { name: 'code: null (a wrapper without the route)', faults: [create({ kind: 'status', status: 200, code: null, message: '404' })],
    title: 'Not offered by this provider', tasks: 0 },
  // The fake makes a slow create's task only if the caller is still there when it is done.
  { name: 'an answer slower than the proxy\'s read timeout, given up before the task was made', faults: [create({ kind: 'slow', ms: 2500 })],
    proxyArgs: ['--read-timeout', '1s'], title: 'Nothing was made', retry: true, tasks: 1 },
  { name: 'the connection dropped on three polls in a row', faults: [query({ kind: 'drop' }, 3)],
    tasks: 1 },
  { name: '5000 on two polls', faults: [query({ kind: 'status', status: 500, code: 5000 }, 2)],
    tasks: 1 },
  { name: 'malformed JSON on a poll', faults: [query({ kind: 'malformed' })],
    tasks: 1 },
];

for (const c of cases) {
  test(`${c.name}: ${c.title ? `"${c.title}"` : 'no error'}, ${c.tasks} task(s) paid, nothing lost`, async () => {
    const run = await setUp(c.faults, c.proxyArgs);
    try {
      await expandButton(run.page).click();
      if (c.title) {
        const alert = run.page.getByRole('alert');
        await alert.getByText(c.title, { exact: true }).waitFor({ timeout: 20_000 });
        if (c.text) assert.match(await alert.innerText(), c.text);
        await inputKept(run.page);
        if (c.retry) {
          await alert.getByRole('button', { name: 'Retry' }).click();
          await loadedResults(run.page, 30_000);
        } else {
          assert.equal(await alert.getByRole('button', { name: 'Retry' }).count(), 0, 'no Retry where it cannot help');
        }
      } else {
        await loadedResults(run.page, 30_000);
        assert.equal(await run.page.getByRole('alert').count(), 0, 'nothing went wrong in view');
      }
      assert.equal(await run.fake.tasks(), c.tasks, 'paid tasks at the provider');
      await inputKept(run.page);
      assert.ok(run.calls.filter((call) => call.method === 'POST').length <= (c.retry ? 2 : 1));
    } finally {
      await run.stop();
    }
  });
}

test('the provider down: the person is told, nothing is paid, and everything is kept', async () => {
  const fake = await startFake();
  const proxy = await startProxy([], {}, { upstream: fake.url });
  await fake.stop();
  try {
    const { page } = await openWithPicture(shared.browser, proxy.url, shared.picture);
    await page.getByLabel('Prompt', { exact: true }).fill('a calm harbour');
    await page.getByRole('radio', { name: '16:9' }).check();
    await expandButton(page).click();
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: 20_000 });
    assert.match(await alert.innerText(), /could not|unreachable|not known|Nothing was made/i);
    await inputKept(page);
    await page.close();
  } finally {
    await proxy.stop();
  }
});

test('a result link that answers 404 is said so, and the other parts still work', async () => {
  const run = await setUp([create({ kind: 'missing_results' })]);
  try {
    await expandButton(run.page).click();
    const results = run.page.getByRole('list', { name: 'Results' });
    await results.getByRole('listitem').first().waitFor({ timeout: 20_000 });
    await run.page.getByText(/could not be loaded|no longer|not found/i).first().waitFor({ timeout: 20_000 });
    assert.equal(await run.fake.tasks(), 1);
    await inputKept(run.page);
  } finally {
    await run.stop();
  }
});
