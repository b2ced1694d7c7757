// The wasm3 gate: the device runs wasm3 v0.5.0, so the build refuses a module that uses
// anything it cannot run. Two independent checks:
//  1. binaryen.js validates the module with only the features wasm3 v0.5.0 implements
//     (MVP, mutable globals, sign extension, non-trapping float-to-int, bulk memory for
//     memory.copy/fill only). That rejects SIMD, reference types, threads, tail calls,
//     exceptions, multi-memory, GC, ...
//  2. Our own walk of every instruction and segment rejects what the bulk-memory feature
//     flag would otherwise let through: passive data segments, memory.init, data.drop,
//     table.* mutation, and non-active element segments. wasm3 v0.5.0 compiles only
//     memory.copy (0xFC 0x0A) and memory.fill (0xFC 0x0B) of the 0xFC 0x08.. range.
// It also holds the module to our ABI: imports only from `hal`, one memory of at most the
// page budget.
import binaryen from "binaryen";
import { readFileSync } from "node:fs";
import {
  SectionId, instructions, readFunctionBodies, readImports, readMemoryLimits, readSections, readSegmentFlags,
} from "./wasm-binary.ts";

export const WASM3_FEATURES =
  binaryen.Features.MVP | binaryen.Features.MutableGlobals | binaryen.Features.SignExt |
  binaryen.Features.NontrappingFPToInt | binaryen.Features.BulkMemory;

const FORBIDDEN_PREFIX: Record<number, string> = { 0xfd: "SIMD", 0xfe: "threads/atomics" };
const FORBIDDEN_OPS: Record<number, string> = {
  0x06: "exceptions (try)", 0x07: "exceptions (catch)", 0x08: "exceptions (throw)", 0x09: "exceptions (rethrow)",
  0x18: "exceptions (delegate)", 0x19: "exceptions (catch_all)", 0x1f: "exceptions (try_table)",
  0x12: "tail calls (return_call)", 0x13: "tail calls (return_call_indirect)",
  0x1c: "reference types (typed select)", 0x25: "reference types (table.get)", 0x26: "reference types (table.set)",
  0xd0: "reference types (ref.null)", 0xd1: "reference types (ref.is_null)", 0xd2: "reference types (ref.func)",
};
const FC_ALLOWED = new Set([0, 1, 2, 3, 4, 5, 6, 7, 10, 11]);
const FC_NAMES: Record<number, string> = {
  8: "passive data (memory.init)", 9: "passive data (data.drop)", 12: "table mutation (table.init)",
  13: "table mutation (elem.drop)", 14: "table mutation (table.copy)", 15: "table mutation (table.grow)",
  16: "table mutation (table.size)", 17: "table mutation (table.fill)",
};

export interface GateOptions { maxMemoryPages: number; importModule: string }

/** Returns the list of violations; an empty list means wasm3 v0.5.0 can run the module. */
export function wasm3Violations(bytes: Uint8Array, opts: GateOptions): string[] {
  const problems: string[] = [];
  const module = binaryen.readBinary(bytes);
  try {
    module.setFeatures(WASM3_FEATURES);
    if (!module.validate()) problems.push("binaryen: module does not validate with wasm3 v0.5.0's feature set");
  } finally {
    module.dispose();
  }

  for (const s of readSections(bytes)) {
    if (s.id === SectionId.DataCount) problems.push("data count section (passive data segments)");
    if (s.id > SectionId.DataCount) problems.push(`unknown section id ${s.id}`);
  }
  for (const imp of readImports(bytes)) {
    if (imp.module !== opts.importModule) problems.push(`import ${imp.module}.${imp.name}: only '${opts.importModule}' imports are allowed`);
    if (imp.kind !== 0) problems.push(`import ${imp.module}.${imp.name}: only function imports are allowed`);
  }
  const mem = readMemoryLimits(bytes);
  if (mem) {
    if (mem.flags & 2) problems.push("shared memory (threads)");
    if (mem.maximum === null || mem.maximum > opts.maxMemoryPages) problems.push(`memory maximum must be set and at most ${opts.maxMemoryPages} page(s)`);
  }
  if (readSegmentFlags(bytes, SectionId.Data).some((f) => f !== 0)) problems.push("passive or explicitly indexed data segment");
  if (readSegmentFlags(bytes, SectionId.Element).some((f) => f !== 0)) problems.push("non-MVP element segment");

  const seen = new Set<string>();
  for (const body of readFunctionBodies(bytes)) {
    for (const ins of instructions(bytes, body)) {
      let why: string | undefined;
      if (FORBIDDEN_PREFIX[ins.op]) why = FORBIDDEN_PREFIX[ins.op];
      else if (FORBIDDEN_OPS[ins.op]) why = FORBIDDEN_OPS[ins.op];
      else if (ins.op === 0xfc && !FC_ALLOWED.has(ins.sub)) why = FC_NAMES[ins.sub] ?? `0xFC ${ins.sub}`;
      if (why && !seen.has(why)) { seen.add(why); problems.push(`function ${body.index}: ${why}`); }
    }
  }
  return problems;
}

if (process.argv[1]?.endsWith("wasm3-gate.ts")) {
  let failed = false;
  for (const file of process.argv.slice(2)) {
    const problems = wasm3Violations(readFileSync(file), { maxMemoryPages: 1, importModule: "hal" });
    if (problems.length) { failed = true; console.error(`${file}: not runnable on wasm3 v0.5.0:\n  ${problems.join("\n  ")}`); }
    else console.log(`${file}: passes the wasm3 v0.5.0 gate`);
  }
  process.exit(failed ? 1 : 0);
}
