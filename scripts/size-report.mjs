// Prints the raw and brotli sizes of what a visitor downloads for the widget (the release wasm,
// JS and CSS in dist/) against the budget, and fails when the brotli total is over the ceiling.
// The budget is the size the widget is meant to fit in; the ceiling, when given, is the size main
// had when its last feature landed, so that no change grows the bundle without saying so (it
// only ever comes down, towards the budget, or goes up in a change that says what it bought).
// Without a ceiling the budget is the limit.
// Usage: node scripts/size-report.mjs [dist-dir] [budget-KB] [ceiling-KB]
import { readdirSync, readFileSync } from 'node:fs';
import { join, extname } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';

const dist = process.argv[2] ?? 'dist';
const budgetKb = Number(process.argv[3] ?? process.env.KLING_EXPAND_SIZE_BUDGET_KB ?? 150);
const ceilingKb = Number(process.argv[4] ?? budgetKb);
const kinds = new Set(['.wasm', '.js', '.css']);

// Recursive: wasm-bindgen's inline JavaScript lands in dist/snippets/. The demo page's own
// stylesheet is not part of the widget, and the host bundle (dist/embed/, the same widget under
// other names) is measured on its own: `node scripts/size-report.mjs dist/embed`.
const files = readdirSync(dist, { recursive: true })
  .filter((name) => kinds.has(extname(name)) && !name.startsWith('demo-') && !name.startsWith('embed/'))
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
const totalKb = (brotliTotal / 1024).toFixed(1);
const overBy = (brotliTotal / 1024 - budgetKb).toFixed(1);
console.log(
  brotliTotal > budgetKb * 1024
    ? `budget: ${budgetKb} KB brotli, over it by ${overBy} KB`
    : `budget: ${budgetKb} KB brotli, within it`,
);
if (ceilingKb > budgetKb) console.log(`ceiling: ${ceilingKb} KB brotli`);
if (brotliTotal > Math.max(budgetKb, ceilingKb) * 1024) {
  const limit = ceilingKb > budgetKb ? `${ceilingKb} KB ceiling` : `${budgetKb} KB budget`;
  console.error(`size report: ${totalKb} KB brotli is over the ${limit}`);
  process.exit(1);
}
