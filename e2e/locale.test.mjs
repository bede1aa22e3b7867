// Languages: with `data-locale="zh-CN"` (or a browser that prefers Chinese) the widget fetches
// the Simplified Chinese pack and every name and sentence a person meets is Chinese, numbers
// formatted for the locale; a host can override single strings; English stays as it is, and an
// English page fetches no pack.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  watchPageErrors, distDir, sharedJourneySetup,
} from './harness.mjs';
import { hostPage } from './host-page.mjs';

const zh = JSON.parse(readFileSync(join(distDir, 'locales', 'zh-CN.json'), 'utf8'));

const shared = sharedJourneySetup({ proxy: true });

/** Requests for locale packs the page made. */
function packRequests(page) {
  const seen = [];
  page.on('request', (request) => {
    if (new URL(request.url()).pathname.startsWith('/locales/')) seen.push(new URL(request.url()).pathname);
  });
  return seen;
}

test('data-locale="zh-CN": Chinese names, sentences and numbers through a whole journey', async () => {
  const context = await shared.browser.newContext();
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  const packs = packRequests(page);
  await page.goto(await hostPage(page, shared.proxy.url, { attributes: 'data-locale="zh-CN"' }));

  await page.getByLabel('图片', { exact: true }).waitFor();
  assert.equal(await page.locator('.kling-expand').getAttribute('lang'), 'zh-CN');
  assert.deepEqual(packs, ['/locales/zh-CN.json']);
  // Before a picture: why Expand cannot be pressed, in Chinese.
  const expand = page.getByRole('button', { name: '扩展', exact: true });
  assert.equal(await expand.isDisabled(), true);
  assert.match(await page.locator('.ke-blockers').innerText(), /请先选择、拖放或粘贴一张图片。/);
  assert.equal(await page.getByRole('button', { name: 'Expand', exact: true }).count(), 0, 'no English name left');

  await page.getByLabel('图片', { exact: true }).setInputFiles({ name: 'harbour.png', mimeType: 'image/png', buffer: shared.picture });
  await page.locator('.ke-picture-facts').getByText('640 × 480 像素').waitFor();
  await page.getByRole('radiogroup', { name: '宽高比' }).getByRole('radio', { name: '16:9' }).check();
  await page.getByRole('radiogroup', { name: '锚点' }).getByRole('radio', { name: '左侧居中' }).check();
  for (const name of ['上边', '下边', '左边', '右边', '图片位置', '右下角']) {
    await page.getByRole('slider', { name, exact: true }).waitFor();
  }
  assert.match(await page.getByRole('slider', { name: '右边' }).getAttribute('aria-valuetext'), /^右侧增加 \d+ 像素$/);
  for (const label of ['上', '下', '左', '右', '画布面积', '提示词', '图片数量']) {
    await page.getByLabel(label, { exact: true }).waitFor();
  }
  assert.match(await page.locator('.ke-output-size [aria-live]').innerText(), /^输出：853 × 480 像素$/);
  // A number of thousands is grouped as the locale writes it (21:9 around 640 × 480: 1120 wide).
  await page.getByRole('radio', { name: '21:9' }).check();
  assert.match(await page.locator('.ke-output-size [aria-live]').innerText(), /^输出：1,120 × 480 像素$/);
  await page.getByRole('radio', { name: '16:9' }).check();

  // A core sentence, translated: too many pictures asked for.
  await page.getByLabel('图片数量', { exact: true }).fill('12');
  assert.match(await page.locator('.ke-blockers').innerText(), /请求了 12 张图片；Kling 每个任务生成 1 到 9 张。/);
  await page.getByLabel('图片数量', { exact: true }).fill('1');

  await expand.click();
  await page.getByRole('list', { name: '结果' }).getByRole('img').first().waitFor();
  await page.getByRole('status').getByText(/^完成，用时 \d+ 秒：1 张图片。$/).waitFor();
  await page.getByRole('button', { name: '结果 1', exact: true }).click();
  const viewer = page.getByRole('dialog', { name: '结果 1' });
  await viewer.waitFor();
  for (const name of ['上一张', '下一张', '前后对比', '下载', '再次扩展', '关闭']) {
    await viewer.getByRole('button', { name, exact: true }).waitFor();
  }
  await page.keyboard.press('Escape');

  // Nothing the person sees is left in English among the strings the pack translates.
  const shown = await page.locator('.kling-expand').evaluate((root) => {
    const texts = [...root.querySelectorAll('*')].flatMap((el) => [
      ...[...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent.trim()),
      el.getAttribute('aria-label'), el.getAttribute('title'), el.getAttribute('placeholder'), el.getAttribute('alt'),
    ]).filter(Boolean);
    return texts;
  });
  const english = new Set(Object.keys(zh).filter((text) => zh[text] !== text && /[a-z]{3}/.test(text)));
  assert.deepEqual(shown.filter((text) => english.has(text)), []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a browser that prefers Chinese gets Chinese; a host overrides single strings', async () => {
  const context = await shared.browser.newContext({ locale: 'zh-CN' });
  const page = await context.newPage();
  const errors = watchPageErrors(page);
  // The host's own script (a file, as a strict CSP wants) sets strings on the widget's element
  // before the widget starts.
  const url = await hostPage(page, shared.proxy.url, {
    after: '<script src="/host-strings.js"></script>',
    files: {
      '/host-strings.js': {
        type: 'text/javascript',
        body: 'document.querySelector("[data-kling-expand]").strings = { "Expand": "开始扩图" };',
      },
    },
  });
  await page.goto(url);
  await page.getByLabel('图片', { exact: true }).waitFor();
  await page.getByRole('button', { name: '开始扩图', exact: true }).waitFor();
  assert.equal(await page.getByRole('button', { name: '取消', exact: true, includeHidden: true }).count(), 1);
  assert.deepEqual(errors, []);
  await context.close();
});

test('an English page fetches no pack and keeps its English names', async () => {
  const page = await shared.browser.newPage();
  const packs = packRequests(page);
  await page.goto(shared.proxy.url);
  await page.getByLabel('Image', { exact: true }).waitFor();
  await page.getByRole('button', { name: 'Expand', exact: true }).waitFor();
  assert.equal(await page.locator('.kling-expand').getAttribute('lang'), 'en');
  assert.deepEqual(packs, []);
  await page.close();
});
