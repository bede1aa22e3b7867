// Orders a wasm module's functions for brotli.
//
// The widget's code holds many functions that differ in little but a constant or a field offset
// (copies of one generic function, drop glue, closure shims). brotli finds what neighbours share
// more cheaply than what sits far apart, so the order of the code section matters: sorted by
// their own code, the functions come out 2.2 KB smaller in brotli than in the linker's order,
// and 1.0 KB smaller than sorted by their Rust names (measured on the widget). Keys of 32 to
// 2048 bytes of code were tried; they differ by 0.2 KB at most, and 96 was the smallest.
//
// binaryen can sort functions by name (`--reorder-functions-by-name`) and renumbers every call,
// export and table entry as it does. So this names each function after its code, in the name
// section, for that pass to sort by; the pass after it writes the module without names.
import { name, readName, readU32, sections, skipImportDescriptor, u32 } from './wasm-names.mjs';

/** How much of a function's code its sort key holds: enough to tell near-copies apart. */
const KEY_BYTES = 96;

/** The module with a name section naming every defined function after its code. */
export function nameFunctionsByCode(bytes) {
  const parts = [bytes.subarray(0, 8)];
  let importedFunctions = 0;
  const bodies = [];
  for (const { id, at, start, end } of sections(bytes)) {
    if (id === 0 && readName(bytes, start)[0] === 'name') continue; // replaced below
    if (id === 2) {
      let [count, p] = readU32(bytes, start);
      while (count-- > 0) {
        [, p] = readName(bytes, p);
        [, p] = readName(bytes, p);
        const kind = bytes[p];
        if (kind === 0) importedFunctions += 1;
        p = skipImportDescriptor(bytes, kind, p + 1);
      }
    }
    if (id === 10) {
      let [count, p] = readU32(bytes, start);
      while (count-- > 0) {
        const [length, bodyStart] = readU32(bytes, p);
        bodies.push(bytes.subarray(bodyStart, bodyStart + length));
        p = bodyStart + length;
      }
    }
    parts.push(bytes.subarray(at, end));
  }
  const names = [...u32(bodies.length)];
  bodies.forEach((body, i) => {
    const index = importedFunctions + i;
    // The index last: every name unique, and equal code keeps the linker's order.
    const key = `${Buffer.from(body.subarray(0, KEY_BYTES)).toString('hex')}.${String(index).padStart(7, '0')}`;
    names.push(...u32(index), ...name(key));
  });
  const content = [...name('name'), 1, ...u32(names.length), ...names];
  parts.push(Uint8Array.from([0, ...u32(content.length), ...content]));
  return Buffer.concat(parts);
}
