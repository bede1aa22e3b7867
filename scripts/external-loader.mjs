// Trunk post-build hook: moves the inline module script Trunk writes into index.html (the loader
// that imports the glue, starts the wasm and sets `window.wasmBindings`) into a file of its own,
// `loader-<hash>.js`, loaded with `<script type="module" src integrity>`. A page with no inline
// script runs under `script-src 'self' 'wasm-unsafe-eval'` without a hash or a nonce.
// Called by shrink-release.mjs once it has written the final glue (Trunk runs the hooks of one
// stage at the same time, so the two are one hook).
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const staging = process.env.TRUNK_STAGING_DIR;
if (!staging) {
  console.error('external-loader: TRUNK_STAGING_DIR is not set (run as a Trunk hook)');
  process.exit(2);
}
const indexPath = join(staging, 'index.html');
let index = readFileSync(indexPath, 'utf8');
// Trunk's loader: a module script without src (the page may already be minified: attributes
// unquoted).
const inline = /<script(?![^>]*\bsrc=)[^>]*\btype=["']?module["']?[^>]*>([\s\S]*?)<\/script>/g;
let count = 0;
index = index.replace(inline, (whole, body) => {
  const code = `${body.trim()}\n`;
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
  const name = `loader-${hash}.js`;
  writeFileSync(join(staging, name), code);
  const imported = body.match(/from\s+['"]([^'"]+)['"]/);
  // Next to the glue it imports (Trunk's public_url).
  const base = imported ? imported[1].replace(/[^/]*$/, '') : '/';
  const integrity = `sha384-${createHash('sha384').update(code).digest('base64')}`;
  count += 1;
  return `<script type="module" src="${base}${name}" integrity="${integrity}" crossorigin="anonymous"></script>`;
});
if (/<script(?![^>]*\bsrc=)[^>]*>\s*\S/.test(index)) {
  console.error('external-loader: index.html still has an inline script');
  process.exit(1);
}
writeFileSync(indexPath, index);
console.log(`external-loader: ${count} inline script(s) moved to files`);
