// Shortens the names by which wasm-bindgen's glue and the wasm module find each other.
//
// wasm-bindgen names every import after its binding plus a 16-digit hash
// (`__wbg_setAttribute_a1b2c3d4e5f6a7b8`) and spells both modules' paths in full. Those names
// are written twice, in the wasm and in the glue, and the hashes do not compress: about 4 KB of
// the brotli bundle. This renames every import, export and import module to a one- or
// two-letter name in the wasm and makes the same edits in the glue, then checks that the two
// still agree, so a glue of another shape fails the build instead of the page.
//
// Names of functions imported straight from a JavaScript snippet stay: they are that
// snippet's own export names.

/** The next identifier of a sequence: a, b, …, Z, $, _, aa, ab, … (valid JS property names). */
const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ$_';
function* shortNames() {
  for (let length = 1; ; length += 1) {
    const digits = new Array(length).fill(0);
    while (true) {
      yield digits.map((d) => ALPHABET[d]).join('');
      let i = length - 1;
      while (i >= 0 && ++digits[i] === ALPHABET.length) digits[i--] = 0;
      if (i < 0) break;
    }
  }
}

// ── the wasm binary ──

export function readU32(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) return [value, at];
  }
}

export function u32(value) {
  const out = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out.push(byte);
  } while (value > 0);
  return out;
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

export function readName(bytes, at) {
  const [length, start] = readU32(bytes, at);
  return [fromUtf8.decode(bytes.subarray(start, start + length)), start + length];
}

export function name(text) {
  const encoded = utf8.encode(text);
  return [...u32(encoded.length), ...encoded];
}

function skipLimits(bytes, at) {
  const flags = bytes[at++];
  [, at] = readU32(bytes, at);
  if (flags & 1) [, at] = readU32(bytes, at);
  return at;
}

/** Where an import's descriptor ends (kinds: function, table, memory, global, tag). */
export function skipImportDescriptor(bytes, kind, at) {
  switch (kind) {
    case 0: return readU32(bytes, at)[1];
    case 1: return skipLimits(bytes, at + 1);
    case 2: return skipLimits(bytes, at);
    case 3: return at + 2;
    case 4: return readU32(bytes, at + 1)[1];
    default: throw new Error(`wasm-names: unknown import kind ${kind}`);
  }
}

/** Each section of a wasm module: its id, where its header starts (`at`), its content's range. */
export function* sections(bytes) {
  let at = 8;
  while (at < bytes.length) {
    const [size, start] = readU32(bytes, at + 1);
    yield { id: bytes[at], at, start, end: start + size };
    at = start + size;
  }
}

/**
 * Rewrites the import and export sections; every other section is copied as it is. An export
 * whose new name is `null` is left out.
 */
function renameInWasm(bytes, renameImport, renameModule, renameExport) {
  const parts = [bytes.subarray(0, 8)];
  for (const { id, at, start, end } of sections(bytes)) {
    let body = null;
    if (id === 2 || id === 7) {
      body = [];
      let [count, p] = readU32(bytes, start);
      const entries = [];
      while (count-- > 0) {
        if (id === 2) {
          let module;
          let field;
          [module, p] = readName(bytes, p);
          [field, p] = readName(bytes, p);
          const kind = bytes[p];
          const descriptorEnd = skipImportDescriptor(bytes, kind, p + 1);
          entries.push([...name(renameModule(module)), ...name(renameImport(module, field)),
            ...bytes.subarray(p, descriptorEnd)]);
          p = descriptorEnd;
        } else {
          let field;
          [field, p] = readName(bytes, p);
          const kind = bytes[p];
          const indexEnd = readU32(bytes, p + 1)[1];
          const to = renameExport(field);
          if (to !== null) entries.push([...name(to), ...bytes.subarray(p, indexEnd)]);
          p = indexEnd;
        }
      }
      if (p !== end) throw new Error(`wasm-names: section ${id} did not parse to its end`);
      body.push(...u32(entries.length));
      for (const entry of entries) body.push(...entry);
    }
    if (body) parts.push(Uint8Array.from([id, ...u32(body.length), ...body]));
    else parts.push(bytes.subarray(at, end));
  }
  return Buffer.concat(parts);
}

/** The wasm without the exports named in `names` (a Set); nothing else changes. */
export function dropExports(bytes, names) {
  return renameInWasm(bytes, (_, field) => field, (from) => from, (field) => (names.has(field) ? null : field));
}

// ── the glue ──

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Replaces `pattern` exactly `expected` times (or at least once when expected is undefined). */
function replaceCounted(js, pattern, replacement, what, expected) {
  let found = 0;
  const result = js.replace(pattern, () => {
    found += 1;
    return replacement;
  });
  if (found === 0 || (expected !== undefined && found !== expected)) {
    throw new Error(`wasm-names: the glue names ${what} ${found} times`);
  }
  return result;
}

/**
 * Shortens the names in one wasm-bindgen output. `bgModule` is the module name the wasm imports
 * the glue's own functions from (`./<crate>_bg.js`).
 * Returns the new wasm bytes and glue text.
 */
export function shortenNames(wasmBytes, glue, bgModule) {
  const module = new WebAssembly.Module(wasmBytes);
  const imports = WebAssembly.Module.imports(module);
  const exports = WebAssembly.Module.exports(module);

  const moduleNames = new Map();
  const importNames = new Map();
  const exportNames = new Map();
  const nextModule = shortNames();
  const nextImport = shortNames();
  const nextExport = shortNames();
  for (const { module: from } of imports) {
    if (!moduleNames.has(from)) moduleNames.set(from, nextModule.next().value);
  }
  for (const { module: from, name: field } of imports) {
    if (from === bgModule) importNames.set(field, nextImport.next().value);
  }
  for (const { name: field } of exports) exportNames.set(field, nextExport.next().value);

  let js = glue;
  for (const [from, to] of moduleNames) {
    // The keys of the object `__wbg_get_imports` returns; `import … from "…"` lines stay.
    js = replaceCounted(js, new RegExp(`"${escape(from)}"(?=: import\\d+)`, 'g'), to, `module ${from}`);
  }
  for (const [from, to] of importNames) {
    js = replaceCounted(js, new RegExp(`\\b${escape(from)}(?=: function\\()`, 'g'), to, `import ${from}`, 1);
  }
  for (const [from, to] of exportNames) {
    // Unused exports (`main`, markers) are simply not found.
    js = js.replace(new RegExp(`\\bwasm\\.${escape(from)}\\b`, 'g'), `wasm.${to}`);
  }

  const renamed = renameInWasm(
    wasmBytes,
    (from, field) => (from === bgModule ? importNames.get(field) : field),
    (from) => moduleNames.get(from),
    (field) => exportNames.get(field),
  );

  // The two halves must still agree: every renamed import is offered by the glue, and the glue
  // asks for no export the wasm lacks.
  const check = new WebAssembly.Module(renamed);
  const offered = new Set([...js.matchAll(/(?<![\w$])([A-Za-z_$][\w$]*): function\(/g)].map((m) => m[1]));
  for (const { module: from, name: field } of WebAssembly.Module.imports(check)) {
    if (from === moduleNames.get(bgModule) && !offered.has(field)) {
      throw new Error(`wasm-names: the glue offers no import ${field}`);
    }
  }
  const exported = new Set(WebAssembly.Module.exports(check).map((e) => e.name));
  for (const [, field] of js.matchAll(/\bwasm\.([A-Za-z_$][\w$]*)/g)) {
    if (!exported.has(field)) throw new Error(`wasm-names: the glue uses wasm.${field}, not exported`);
  }
  return { wasm: renamed, js };
}
