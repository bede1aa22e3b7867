// Checks the name shortening against the release build's own wasm-bindgen output
// (target/wasm-bindgen/release, written by scripts/build-widget.sh). The journeys in e2e/ run
// the shortened bundle itself; these check that a mismatch fails the build, not the page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { shortenNames } from './wasm-names.mjs';

const dir = new URL('../target/wasm-bindgen/release/', import.meta.url);
const wasm = readFileSync(new URL('kling-expand_bg.wasm', dir));
const glue = readFileSync(new URL('kling-expand.js', dir), 'utf8');
const BG = './kling-expand_bg.js';

test('every name the glue shares with the wasm becomes short, in both', () => {
  const before = WebAssembly.Module.imports(new WebAssembly.Module(wasm));
  const { wasm: after, js } = shortenNames(wasm, glue, BG);
  const module = new WebAssembly.Module(after);
  const imports = WebAssembly.Module.imports(module);
  assert.equal(imports.length, before.length);
  for (const [i, { module: from, name }] of imports.entries()) {
    assert.ok(from.length <= 2, `module ${from}`);
    if (before[i].module === BG) {
      assert.ok(name.length <= 2, `import ${name}`);
      assert.ok(!js.includes(before[i].name), `the glue still names ${before[i].name}`);
    } else {
      assert.equal(name, before[i].name, 'a snippet keeps its own export names');
    }
  }
  for (const { name } of WebAssembly.Module.exports(module)) assert.ok(name.length <= 2, name);
  assert.ok(after.length < wasm.length && js.length < glue.length);
});

test('a glue that lacks an import the wasm needs fails the build', () => {
  const broken = glue.replace(/__wbg_length_[0-9a-f]{16}: function\(/, 'renamed: function(');
  assert.throws(() => shortenNames(wasm, broken, BG), /names import __wbg_length_/);
});

test('a glue that calls an export the wasm lacks fails the build', () => {
  const broken = glue.replace('wasm.__wbindgen_malloc', 'wasm.__wbindgen_malloc_gone');
  assert.throws(() => shortenNames(wasm, broken, BG), /wasm\.__wbindgen_malloc_gone, not exported/);
});
