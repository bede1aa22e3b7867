// Access tokens from the host page, as a site that signs its users in would give them: the
// proxy in front of the fake provider with `--auth token`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  startProxy, startFake, openWithPicture, loadedResults, recordApiCalls, proxyBin, sharedJourneySetup,
} from './harness.mjs';

const SECRET = 'journeys-token-secret-of-at-least-32-bytes';
const shared = sharedJourneySetup();

/** A token minted the way a host's scripts can: `kling-expand-proxy token`. */
function mint(ttl, sub = 'alice') {
  return execFileSync(proxyBin, ['token', '--sub', sub, '--ttl', ttl], {
    env: { ...process.env, KLING_EXPAND_TOKEN_SECRET: SECRET },
  }).toString().trim();
}

const expandButton = (page) => page.getByRole('button', { name: 'Expand', exact: true });

async function tokenProxy() {
  // Long enough for a token of 1 s (the proxy allows 5 s of clock skew) to expire mid-task.
  const fake = await startFake(['--submitted', '3s', '--processing', '9s']);
  const proxy = await startProxy(['--auth', 'token'], { KLING_EXPAND_TOKEN_SECRET: SECRET }, { upstream: fake.url });
  return { fake, proxy, async stop() { await proxy.stop(); await fake.stop(); } };
}

test('a token that expires mid-task is renewed once through getToken, and the task finishes', async () => {
  const run = await tokenProxy();
  try {
    const tokens = [mint('1s'), mint('10m')];
    const { page, errors } = await openWithPicture(shared.browser, run.proxy.url, shared.picture);
    const calls = recordApiCalls(page);
    const authorizations = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname.startsWith('/api/kling/v1/')) {
        authorizations.push(request.headers().authorization ?? '');
      }
    });
    await page.evaluate((given) => {
      window.tokensAsked = 0;
      document.querySelector('[data-kling-expand]').getToken = async () => given[Math.min(window.tokensAsked++, 1)];
    }, tokens);
    await expandButton(page).click();
    const results = await loadedResults(page, 60_000);
    assert.equal(results.length, 1);
    assert.equal(await page.evaluate(() => window.tokensAsked), 2, 'one new token was fetched');
    assert.ok(authorizations.every((a) => a.startsWith('Bearer ')), 'every request carried a token');
    assert.ok(authorizations.includes(`Bearer ${tokens[1]}`), 'the new token was used');
    assert.equal(calls.filter((c) => c.method === 'POST').length, 1);
    assert.equal(await run.fake.tasks(), 1);
    assert.equal(await page.getByRole('alert').count(), 0);
    assert.deepEqual(errors.filter((e) => !/Failed to load resource/.test(e)), []);
  } finally {
    await run.stop();
  }
});

test('without a token the person is asked to sign in again, nothing is sent upstream, and the picture stays', async () => {
  const run = await tokenProxy();
  try {
    const { page } = await openWithPicture(shared.browser, run.proxy.url, shared.picture);
    await expandButton(page).click();
    const alert = page.getByRole('alert');
    await alert.getByText('Sign in again', { exact: true }).waitFor();
    assert.match(await alert.innerText(), /no access token|missing/i);
    assert.equal(await run.fake.tasks(), 0, 'nothing reached the provider');
    assert.deepEqual(await run.fake.requests(), [], 'no request reached the provider');
    await page.locator('.ke-picture-facts').getByText('640 × 480 px').waitFor();
    await page.close();
  } finally {
    await run.stop();
  }
});
