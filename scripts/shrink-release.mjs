// Trunk post-build hook for release builds: shortens the names the wasm and its glue share
// (see wasm-names.mjs), minifies the JavaScript (wasm-bindgen's glue and the widget's own
// glue.js, which Trunk's own minifier cannot parse), and updates the subresource-integrity
// hashes in index.html to match; then moves Trunk's inline loader to a file (external-loader.mjs).
// Debug builds are left as they are.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { minify } from 'terser';
import { shortenNames } from './wasm-names.mjs';
import { dropClasses, UNUSED_CLASSES } from './unused-classes.mjs';

// binaryen's wasm-opt from the npm dev tools (the one Trunk itself runs).
const wasmOpt = join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', '.bin', 'wasm-opt');

if (process.env.TRUNK_PROFILE !== 'release') process.exit(0);
const staging = process.env.TRUNK_STAGING_DIR;
if (!staging) {
  console.error('shrink-release: TRUNK_STAGING_DIR is not set (run as a Trunk hook)');
  process.exit(2);
}

const sri = (bytes) => `sha384-${createHash('sha384').update(bytes).digest('base64')}`;
const indexPath = join(staging, 'index.html');
let index = readFileSync(indexPath, 'utf8');
const files = readdirSync(staging, { recursive: true });

/** Writes a file's new content and moves its integrity hash in index.html along. */
function replaceFile(path, before, after) {
  writeFileSync(path, after);
  index = index.replaceAll(sri(before), sri(after));
}

// Trunk names the glue `<name>-<hash>.js` and the wasm `<name>-<hash>_bg.wasm`; wasm-bindgen
// named the glue's import module `./<name>_bg.js`.
for (const wasmName of files.filter((n) => n.endsWith('_bg.wasm'))) {
  const glueName = wasmName.replace(/_bg\.wasm$/, '.js');
  const crate = wasmName.replace(/-[0-9a-f]+_bg\.wasm$/, '');
  const wasm = readFileSync(join(staging, wasmName));
  const glue = readFileSync(join(staging, glueName));
  const trimmed = dropClasses(wasm, glue.toString('utf8'), UNUSED_CLASSES, wasmOpt);
  const shortened = shortenNames(trimmed.wasm, trimmed.js, `./${crate}_bg.js`);
  replaceFile(join(staging, wasmName), wasm, Buffer.from(shortened.wasm));
  replaceFile(join(staging, glueName), glue, Buffer.from(shortened.js));
}

for (const name of files.filter((n) => n.endsWith('.js'))) {
  const path = join(staging, name);
  const original = readFileSync(path);
  const { code } = await minify(original.toString('utf8'), {
    module: true,
    compress: { passes: 2 },
    mangle: true,
    format: { comments: false },
  });
  replaceFile(path, original, Buffer.from(code));
}
writeFileSync(indexPath, index);

// No inline script in the page: Trunk's loader moves to a file of its own (strict CSP).
await import('./external-loader.mjs');
