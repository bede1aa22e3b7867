// Checks the removal of unused exported classes against the release build's own wasm-bindgen
// output (target/wasm-bindgen/release, written by scripts/build-widget.sh).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dropClasses, UNUSED_CLASSES } from './unused-classes.mjs';

const dir = new URL('../target/wasm-bindgen/release/', import.meta.url);
const wasm = readFileSync(new URL('kling-expand_bg.wasm', dir));
const glue = readFileSync(new URL('kling-expand.js', dir), 'utf8');
const wasmOpt = fileURLToPath(new URL('../node_modules/.bin/wasm-opt', import.meta.url));

test('the unused stream classes leave the glue, and their exports and code leave the wasm', () => {
  const { wasm: after, js, dropped } = dropClasses(wasm, glue, UNUSED_CLASSES, wasmOpt);
  for (const name of UNUSED_CLASSES) assert.ok(!js.includes(name), `the glue still has ${name}`);
  assert.ok(dropped.length >= UNUSED_CLASSES.length, `dropped ${dropped}`);
  const exports = new Set(WebAssembly.Module.exports(new WebAssembly.Module(after)).map((e) => e.name));
  for (const name of dropped) assert.ok(!exports.has(name), `the wasm still exports ${name}`);
  for (const [, name] of js.matchAll(/\bwasm\.([\w$]+)/g)) assert.ok(exports.has(name), `wasm.${name} is gone`);
  assert.ok(after.length < wasm.length, `${after.length} < ${wasm.length}`);
});

test('a glue without the class fails the build instead of shipping it unnoticed', () => {
  assert.throws(() => dropClasses(wasm, glue, ['NoSuchClass'], wasmOpt), /no class NoSuchClass/);
});
