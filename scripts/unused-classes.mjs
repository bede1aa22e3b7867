// Removes classes that a dependency exports through wasm-bindgen but the widget never uses.
//
// Leptos depends on server_fn, which depends on wasm-streams, whose `IntoUnderlyingSource`,
// `IntoUnderlyingSink` and `IntoUnderlyingByteSource` are `#[wasm_bindgen]` exports: an export
// is a root, so neither the linker nor wasm-opt may drop them or the stream and future code
// behind them, although nothing in the widget constructs one. This deletes each class, its
// FinalizationRegistry and its dispose line from the glue, takes the wasm exports only they called
// out of the wasm, and lets wasm-opt remove what is then unreachable.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropExports } from './wasm-names.mjs';
import { nameFunctionsByCode } from './wasm-order.mjs';

/**
 * The release wasm's optimisation (Trunk runs none of its own: `data-wasm-opt="0"`), in two
 * rounds with the functions ordered for brotli between them (wasm-order.mjs: 2.2 KB less).
 * Measured on the widget against a plain -Oz:
 * - `--low-memory-unused` lets wasm-opt fold small constant address offsets into the loads and
 *   stores (1.2 KB brotli less). It assumes that nothing lives in the first 1 KB of linear
 *   memory, which holds for Rust's wasm32 layout: the stack comes first and grows down towards
 *   address 0 from 1 MB, so its last 1 KB is reached only by a stack already overflowing.
 * - `-aimfs=4` inlines functions of up to 4 instructions everywhere (binaryen's default is 2),
 *   and `--converge` repeats -Oz while it still shrinks the module: 0.4 KB less together. At 8
 *   or more it grows again.
 */
const PASSES = ['-Oz', '--low-memory-unused', '-aimfs=4'];

export const UNUSED_CLASSES = ['IntoUnderlyingByteSource', 'IntoUnderlyingSink', 'IntoUnderlyingSource'];

/** Cuts one match of `pattern` out of `js`, returning [rest, cut]; fails when absent. */
function cut(js, pattern, what) {
  const match = js.match(pattern);
  if (!match) throw new Error(`unused-classes: the glue has no ${what}`);
  return [js.slice(0, match.index) + js.slice(match.index + match[0].length), match[0]];
}

/**
 * Returns the glue without `classes` and the wasm without the exports only they used, after
 * wasm-opt (`wasmOpt`, the binaryen binary; `features`, its feature flags) removed the
 * unreachable code. A class the glue does not define fails the build (a changed dependency
 * should be looked at, not silently shipped).
 */
export function dropClasses(wasmBytes, glue, classes, wasmOpt) {
  let js = glue;
  let removed = '';
  for (const name of classes) {
    let part;
    [js, part] = cut(js, new RegExp(`export class ${name} \\{\\n[\\s\\S]*?\\n\\}\\n`), `class ${name}`);
    removed += part;
    [js, part] = cut(js, new RegExp(`if \\(Symbol\\.dispose\\) ${name}\\.prototype\\[[^\\n]*\\n`), `dispose line of ${name}`);
    removed += part;
    [js, part] = cut(js, new RegExp(`const ${name}Finalization = [\\s\\S]*?\\);\\n`), `registry of ${name}`);
    removed += part;
    if (new RegExp(`\\b${name}\\b`).test(js)) throw new Error(`unused-classes: the glue still uses ${name}`);
  }
  const stillUsed = new Set([...js.matchAll(/\bwasm\.([\w$]+)/g)].map((m) => m[1]));
  const unused = new Set(
    [...removed.matchAll(/\bwasm\.([\w$]+)/g)].map((m) => m[1]).filter((n) => !stillUsed.has(n)),
  );
  const trimmed = dropExports(wasmBytes, unused);
  const dir = mkdtempSync(join(tmpdir(), 'unused-classes-'));
  try {
    const path = (name) => join(dir, `${name}.wasm`);
    writeFileSync(path('in'), trimmed);
    execFileSync(wasmOpt, [...PASSES, path('in'), '-o', path('first')], { stdio: 'inherit' });
    writeFileSync(path('named'), nameFunctionsByCode(readFileSync(path('first'))));
    execFileSync(wasmOpt, ['--reorder-functions-by-name', ...PASSES, '--converge', path('named'), '-o', path('out')],
      { stdio: 'inherit' });
    return { wasm: readFileSync(path('out')), js, dropped: [...unused] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
