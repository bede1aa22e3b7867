// What a compromised or careless provider could send, through the real proxy in front of the
// fake provider: links that are not web addresses, and markup or script in its words. None of it
// may run, be shown as a link, or be opened; the rest of the answer still works.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  startProxy, startFake, openWithPicture, loadedResults, sharedJourneySetup,
} from './harness.mjs';

const MARKUP = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=1</script>';
const shared = sharedJourneySetup();

const expandButton = (page) => page.getByRole('button', { name: 'Expand', exact: true });
const fault = (spec) => ['--fault', JSON.stringify(spec)];

async function setUp(faults) {
  const fake = await startFake(faults.flatMap(fault));
  const proxy = await startProxy([], {}, { upstream: fake.url });
  const { page, errors } = await openWithPicture(shared.browser, proxy.url, shared.picture);
  // A page that opened a link would show it here.
  const opened = [];
  page.context().on('page', (p) => opened.push(p.url()));
  return {
    page, errors, opened,
    async stop() { await page.close(); await proxy.stop(); await fake.stop(); },
  };
}

/** Every link-like attribute in the widget, to find any that is not a web address. */
const linkAttributes = (page) => page.evaluate(() => [...document.querySelectorAll('.kling-expand *')]
  .flatMap((el) => ['href', 'src', 'action', 'formaction'].map((a) => el.getAttribute(a)).filter(Boolean)));

test('javascript: and data: result links are left out and said so; the real result works', async () => {
  const run = await setUp([{ on: 'create', kind: 'hostile_links', times: 1 }]);
  try {
    await expandButton(run.page).click();
    const results = await loadedResults(run.page);
    assert.equal(results.length, 1, 'only the web address became a result');
    await run.page.getByText('2 result links that are not web addresses').waitFor();
    for (const value of await linkAttributes(run.page)) {
      assert.ok(!/^\s*(javascript|data:text|vbscript)/i.test(value), `no hostile link on the page: ${value}`);
    }
    const item = run.page.getByRole('list', { name: 'Results' }).getByRole('listitem').first();
    await item.getByRole('button', { name: 'Result 1' }).click();
    assert.equal(await run.page.evaluate(() => window.__pwned), undefined);
    assert.deepEqual(run.opened, [], 'nothing was opened');
    // After a reload the saved history holds no such link either.
    await run.page.reload();
    await loadedResults(run.page);
    for (const value of await linkAttributes(run.page)) {
      assert.ok(!/^\s*(javascript|data:text)/i.test(value), value);
    }
  } finally {
    await run.stop();
  }
});

test('a failure reason that is markup and script is shown as text and runs nothing', async () => {
  const run = await setUp([{ on: 'create', kind: 'hostile_reason', times: 1 }]);
  try {
    await expandButton(run.page).click();
    const alert = run.page.getByRole('alert');
    await alert.getByText('The expansion failed').waitFor({ timeout: 20_000 });
    const text = await alert.innerText();
    assert.ok(text.includes('<img src=x onerror='), `the markup is shown as text: ${text}`);
    assert.equal(await alert.locator('img, script, b').count(), 0, 'no element was made from it');
    assert.equal(await run.page.evaluate(() => window.__pwned), undefined);
  } finally {
    await run.stop();
  }
});

test('an error message and a prompt that are markup stay text', async () => {
  const run = await setUp([{
    on: 'create', kind: 'status', status: 400, code: 1201, message: `Bad ${MARKUP} request`, times: 1,
  }]);
  try {
    await run.page.getByLabel('Prompt', { exact: true }).fill(MARKUP);
    await expandButton(run.page).click();
    const alert = run.page.getByRole('alert');
    await alert.getByText('Request refused as invalid').waitFor();
    assert.ok((await alert.innerText()).includes('<script>window.__pwned=1</script>'));
    assert.equal(await run.page.locator('.kling-expand script, .kling-expand img[src="x"]').count(), 0);
    assert.equal(await run.page.evaluate(() => window.__pwned), undefined);
    assert.equal(await run.page.getByLabel('Prompt', { exact: true }).inputValue(), MARKUP, 'the prompt is kept');
  } finally {
    await run.stop();
  }
});
