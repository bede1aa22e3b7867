// Trunk post-build hook: minifies the JavaScript of a release build (wasm-bindgen's glue and
// the widget's own glue.js), which Trunk's own minifier cannot parse, and updates the
// subresource-integrity hashes in index.html to match. Debug builds are left as they are.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { minify } from 'terser';

if (process.env.TRUNK_PROFILE !== 'release') process.exit(0);
const staging = process.env.TRUNK_STAGING_DIR;
if (!staging) {
  console.error('minify-js: TRUNK_STAGING_DIR is not set (run as a Trunk hook)');
  process.exit(2);
}

const sri = (bytes) => `sha384-${createHash('sha384').update(bytes).digest('base64')}`;
const indexPath = join(staging, 'index.html');
let index = readFileSync(indexPath, 'utf8');

for (const name of readdirSync(staging, { recursive: true }).filter((n) => n.endsWith('.js'))) {
  const path = join(staging, name);
  const original = readFileSync(path);
  const { code } = await minify(original.toString('utf8'), {
    module: true,
    compress: { passes: 2 },
    mangle: true,
    format: { comments: false },
  });
  writeFileSync(path, code);
  index = index.replaceAll(sri(original), sri(Buffer.from(code)));
}
writeFileSync(indexPath, index);
