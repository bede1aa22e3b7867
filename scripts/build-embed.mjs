// Makes the host bundle, dist/embed/, from Trunk's release output in dist/: one ES module
// (src/browser/embed.js bundled with wasm-bindgen's glue and glue.js, minified like the rest),
// the wasm and the widget's stylesheet under stable names, the TypeScript declarations, and
// manifest.json with each file's size, SHA-256 and subresource-integrity hash.
// Usage: node scripts/build-embed.mjs [dist-dir]
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { minify } from 'terser';

const root = resolve(import.meta.dirname, '..');
const dist = resolve(process.argv[2] ?? join(root, 'dist'));
const out = join(dist, 'embed');
const files = readdirSync(dist);
const only = (what, pattern, names = files) => {
  const found = names.filter((name) => pattern.test(name));
  if (found.length !== 1) {
    console.error(`build-embed: expected one ${what} in ${dist}, found ${found.length}; run trunk build --release first`);
    process.exit(2);
  }
  return found[0];
};
const wasm = only('wasm', /^kling-expand-[0-9a-f]+_bg\.wasm$/);
const glue = wasm.replace(/_bg\.wasm$/, '.js');
const css = only('widget stylesheet', /^widget-[0-9a-f]+\.css$/);
const snippet = only('glue.js snippet', /(^|\/)src\/browser\/glue\.js$/,
  readdirSync(join(dist, 'snippets'), { recursive: true }).map(String));

// The module's two imports are Trunk's output: wasm-bindgen's glue and its copy of glue.js (the
// very module the glue imports, so the two share one instance).
const sources = {
  'kling-expand:wasm': join(dist, glue),
  'kling-expand:glue': join(dist, 'snippets', snippet),
};
const bundled = await build({
  entryPoints: [join(root, 'src', 'browser', 'embed.js')],
  bundle: true,
  format: 'esm',
  target: 'es2022',
  write: false,
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [{
    name: 'trunk-output',
    setup(on) {
      on.onResolve({ filter: /^kling-expand:/ }, ({ path }) => ({ path: sources[path] }));
    },
  }],
});
const { code } = await minify(bundled.outputFiles[0].text, {
  module: true,
  compress: { passes: 2 },
  mangle: true,
  format: { comments: false },
});

rmSync(out, { recursive: true, force: true });
mkdirSync(out);
writeFileSync(join(out, 'kling-expand.js'), code);
copyFileSync(join(dist, wasm), join(out, 'kling-expand_bg.wasm'));
copyFileSync(join(dist, css), join(out, 'kling-expand.css'));
copyFileSync(join(root, 'src', 'browser', 'kling-expand.d.ts'), join(out, 'kling-expand.d.ts'));
// The locale packs, fetched from beside the module by a widget that speaks one.
mkdirSync(join(out, 'locales'));
for (const name of readdirSync(join(root, 'locales'))) {
  copyFileSync(join(root, 'locales', name), join(out, 'locales', name));
}

const manifest = { name: 'kling-expand', files: {} };
const listed = readdirSync(out, { recursive: true }).filter((name) => !name.endsWith('locales')).sort();
for (const name of listed) {
  const bytes = readFileSync(join(out, name));
  manifest.files[name] = {
    bytes: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    integrity: `sha384-${createHash('sha384').update(bytes).digest('base64')}`,
  };
}
writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`build-embed: ${Object.keys(manifest.files).join(', ')}, manifest.json in ${out}`);
