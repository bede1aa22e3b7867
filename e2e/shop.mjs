// The shop of examples/host/ served as its own site, for the journeys on a page that is not
// ours (e2e/embed.test.mjs in Chromium, e2e/embed-firefox.test.mjs in Firefox).
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { distDir } from './harness.mjs';

const examples = resolve(import.meta.dirname, '..', 'examples', 'host');
const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json' };

/** The strict policy README gives to hosts, with the API's origin (`api`) allowed for requests
 * and for the result pictures it serves. */
const strictPolicy = (api) =>
  `default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; ` +
  `img-src 'self' blob: data: ${api}; connect-src 'self' ${api}`;

/** The shop's own web server: examples/host/ at /, the host bundle at /kling/; `/slow.js` is
 * answered after 1.5 s (it holds the page's parsing up); with `?csp=<API origin>`, every answer
 * carries the strict policy. */
export async function startShop() {
  const server = createServer(async (request, response) => {
    const url = new URL(request.url, 'http://shop');
    const path = decodeURIComponent(url.pathname);
    const csp = url.searchParams.get('csp') ?? new URL(request.headers.referer ?? 'http://shop').searchParams.get('csp');
    if (csp) response.setHeader('content-security-policy', strictPolicy(csp));
    if (path === '/slow.js') {
      await new Promise((done) => setTimeout(done, 1500));
      response.writeHead(200, { 'content-type': 'text/javascript' }).end('window.slowLoaded = true;');
      return;
    }
    const [base, rest] = path.startsWith('/kling/') ? [join(distDir, 'embed'), path.slice(7)] : [examples, path.slice(1) || 'index.html'];
    const file = normalize(join(base, rest));
    if (!file.startsWith(base)) return response.writeHead(404).end();
    try {
      const body = await readFile(file);
      response.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${server.address().port}`, stop: () => new Promise((done) => server.close(done)) };
}

