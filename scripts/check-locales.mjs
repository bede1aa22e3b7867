// Checks that every locale pack (locales/*.json) says every string the widget shows: the
// English table (src/i18n/en.rs) and the core's sentences (the templates of the `sentence`
// methods in crates/core), with the same placeholders. Prints what is missing; fails if any.
// Usage: node scripts/check-locales.mjs [locales-dir]
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const dir = process.argv[2] ?? join(root, 'locales');

/** A Rust string literal's text: escapes read, line continuations joined. */
function unquote(body) {
  return body
    .replace(/\\\n\s*/g, '')
    .replace(/\\"/g, '"')
    .replace(/\\\\/g, '\\');
}

const literal = /"((?:[^"\\]|\\[\s\S])*)"/g;

/** The English table: every `pub const NAME: &str = "…";`. */
function table() {
  const source = readFileSync(join(root, 'src/i18n/en.rs'), 'utf8');
  const found = [];
  for (const m of source.matchAll(/pub const \w+: &str =\s*"((?:[^"\\]|\\[\s\S])*)";/g)) found.push(unquote(m[1]));
  return found;
}

/** The templates of the core's `sentence` methods (every literal in them but match guards). */
function coreSentences() {
  const found = [];
  for (const file of ['validate.rs', 'geometry.rs', 'inspect.rs']) {
    const source = readFileSync(join(root, 'crates/core/src', file), 'utf8');
    for (const start of [...source.matchAll(/pub fn sentence\(&self\) -> Sentence \{/g)].map((m) => m.index)) {
      // The method's body: up to the brace that closes it.
      let depth = 0;
      let end = start;
      for (let i = source.indexOf('{', start); i < source.length; i += 1) {
        if (source[i] === '{') depth += 1;
        if (source[i] === '}') { depth -= 1; if (depth === 0) { end = i; break; } }
      }
      for (const m of source.slice(start, end).matchAll(literal)) {
        const text = unquote(m[1]);
        if (text !== 'data') found.push(text);
      }
    }
  }
  return found;
}

const placeholders = (text) => [...text.matchAll(/\{\d\}/g)].map((m) => m[0]).sort().join();
const english = [...new Set([...table(), ...coreSentences()])];
let failed = false;
for (const name of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
  const pack = JSON.parse(readFileSync(join(dir, name), 'utf8'));
  const missing = english.filter((text) => typeof pack[text] !== 'string');
  const unknown = Object.keys(pack).filter((text) => !english.includes(text));
  const mismatched = english.filter((text) => typeof pack[text] === 'string' && placeholders(pack[text]) !== placeholders(text));
  console.log(`${name}: ${english.length - missing.length} of ${english.length} strings`);
  for (const text of missing) console.log(`  missing: ${JSON.stringify(text)}`);
  for (const text of unknown) console.log(`  not in the English table: ${JSON.stringify(text)}`);
  for (const text of mismatched) console.log(`  other placeholders: ${JSON.stringify(text)}`);
  if (missing.length || unknown.length || mismatched.length) failed = true;
}
process.exit(failed ? 1 : 0);
