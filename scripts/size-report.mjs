// Prints the raw and brotli sizes of what a visitor downloads for the widget (the release wasm,
// JS and CSS in dist/) and fails when the brotli total is over the budget.
// Usage: node scripts/size-report.mjs [dist-dir] [budget-KB]
import { readdirSync, readFileSync } from 'node:fs';
import { join, extname } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';

const dist = process.argv[2] ?? 'dist';
const budgetKb = Number(process.argv[3] ?? process.env.KLING_EXPAND_SIZE_BUDGET_KB ?? 150);
const kinds = new Set(['.wasm', '.js', '.css']);

// Recursive: wasm-bindgen's inline JavaScript lands in dist/snippets/. The demo page's own
// stylesheet is not part of the widget.
const files = readdirSync(dist, { recursive: true })
  .filter((name) => kinds.has(extname(name)) && !name.startsWith('demo-'))
  .sort();
if (!files.some((name) => name.endsWith('.wasm'))) {
  console.error(`size report: no .wasm in ${dist}; build the widget first`);
  process.exit(2);
}

const kb = (bytes) => (bytes / 1024).toFixed(1).padStart(8);
let rawTotal = 0;
let brotliTotal = 0;
console.log(`${'file'.padEnd(60)} ${'raw KB'.padStart(8)} ${'brotli KB'.padStart(9)}`);
for (const name of files) {
  const bytes = readFileSync(join(dist, name));
  const compressed = brotliCompressSync(bytes, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
  });
  rawTotal += bytes.length;
  brotliTotal += compressed.length;
  console.log(`${name.padEnd(60)} ${kb(bytes.length)} ${kb(compressed.length).padStart(9)}`);
}
console.log(`${'total'.padEnd(60)} ${kb(rawTotal)} ${kb(brotliTotal).padStart(9)}`);
console.log(`budget: ${budgetKb} KB brotli`);
if (brotliTotal > budgetKb * 1024) {
  console.error(`size report: ${(brotliTotal / 1024).toFixed(1)} KB brotli is over the ${budgetKb} KB budget`);
  process.exit(1);
}
