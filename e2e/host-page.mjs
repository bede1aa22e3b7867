// Host pages for journeys: the built widget's page, changed as a host site would change it
// (its own stylesheet, attributes on the widget's element, a script of its own), served on the
// proxy's origin by the browser's request interception so that every other file (the bundle,
// the locale packs, the API) comes from the running proxy.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { distDir } from './harness.mjs';

/**
 * Serves at `${origin}${path}` the widget's page with `attributes` on its `[data-kling-expand]`
 * element, `head` (HTML) at the end of its head, `body` (HTML) at the start of its body and
 * `after` (HTML) right after the widget's element (a script there runs before the widget starts);
 * `files` maps further paths to { type, body } served the same way.
 */
export async function hostPage(page, origin, { path = '/host.html', attributes = '', head = '', body = '', after = '', files = {} } = {}) {
  let html = readFileSync(join(distDir, 'index.html'), 'utf8');
  // The built page is minified: the element is `<div … data-kling-expand …></div>`.
  const tag = html.match(/<div[^>]*\bdata-kling-expand\b[^>]*>/);
  const end = html.indexOf('</div>', tag.index) + '</div>'.length;
  html = html.slice(0, end) + after + html.slice(end);
  html = html
    .replace(tag[0], tag[0].replace('<div', `<div ${attributes}`))
    .replace('</head>', `${head}</head>`)
    .replace(/<body[^>]*>/, (body_) => `${body_}${body}`);
  await page.route(`${origin}${path}`, (route) => route.fulfill({ contentType: 'text/html', body: html }));
  for (const [file, { type, body: content }] of Object.entries(files)) {
    await page.route(`${origin}${file}`, (route) => route.fulfill({ contentType: type, body: content }));
  }
  return `${origin}${path}`;
}
