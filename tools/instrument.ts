// Builds the instruction-counting variant of the module (build/stack.counted.wasm).
// At the start of every basic block it adds `instr += N`, N being the number of wasm
// instructions in that block, and at every function entry `calls += 1`. The two counters
// are exported as mutable i64 globals `__instr_count` and `__call_count`; the simulator's
// CPU model reads them after each call into the module. Nothing else changes: the counters
// live in globals, never in linear memory, so the module's behaviour is identical (a test
// compares frame traces of both builds).
import { readFileSync, writeFileSync } from "node:fs";
import {
  SectionId, WasmReader, encodeName, encodeS64, encodeU32, instructions, readFunctionBodies, readSections,
} from "./wasm-binary.ts";

export const INSTR_COUNTER_EXPORT = "__instr_count";
export const CALL_COUNTER_EXPORT = "__call_count";

// Instructions after which a new basic block starts: loop/if/else bodies, block ends
// (branch targets), conditional branch fall-through, and code after unconditional control
// transfers (dead until the next leader, so its counter is never reached).
const ENDS_BLOCK = new Set([0x00, 0x03, 0x04, 0x05, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f]);

function increment(globalIndex: number, amount: number): number[] {
  return [0x23, ...encodeU32(globalIndex), 0x42, ...encodeS64(BigInt(amount)), 0x7c, 0x24, ...encodeU32(globalIndex)];
}

/** Appends without spreading (function bodies can exceed the engine's argument limit). */
function append(out: number[], items: ArrayLike<number>): void {
  for (let i = 0; i < items.length; i++) out.push(items[i]);
}

function instrumentBody(bytes: Uint8Array, body: ReturnType<typeof readFunctionBodies>[number], instrGlobal: number, callGlobal: number): number[] {
  const out: number[] = Array.from(bytes.subarray(body.start, body.localsEnd));
  append(out, increment(callGlobal, 1));
  let blockCount = 0;
  let pendingStart = -1, pendingEnd = -1;
  const flush = (): void => {
    if (blockCount > 0) append(out, increment(instrGlobal, blockCount));
    if (pendingStart >= 0) append(out, bytes.subarray(pendingStart, pendingEnd));
    pendingStart = pendingEnd = -1;
    blockCount = 0;
  };
  for (const ins of instructions(bytes, body)) {
    if (pendingStart < 0) pendingStart = ins.start;
    pendingEnd = ins.end;
    blockCount++;
    if (ENDS_BLOCK.has(ins.op)) flush();
  }
  flush();
  return out;
}

function section(id: number, payload: number[]): number[] {
  const out = [id, ...encodeU32(payload.length)];
  append(out, payload);
  return out;
}

export function instrument(bytes: Uint8Array): Uint8Array {
  const sections = readSections(bytes);
  // Existing globals keep their indices; ours are appended (the gate forbids imported globals).
  const globalSec = sections.find((s) => s.id === SectionId.Global);
  let globalCount = 0;
  let globalEntries: number[] = [];
  if (globalSec) {
    const r = new WasmReader(bytes, globalSec.start);
    globalCount = r.u32();
    globalEntries = Array.from(bytes.subarray(r.pos, globalSec.end));
  }
  const instrGlobal = globalCount, callGlobal = globalCount + 1;
  const newGlobal = [0x7e, 0x01, 0x42, 0x00, 0x0b]; // mut i64 = 0
  const globalPayload = [...encodeU32(globalCount + 2)];
  append(globalPayload, globalEntries);
  append(globalPayload, newGlobal);
  append(globalPayload, newGlobal);

  const exportSec = sections.find((s) => s.id === SectionId.Export);
  if (!exportSec) throw new Error("instrument: the module has no export section");
  let exportCount = 0;
  let exportEntries: number[] = [];
  if (exportSec) {
    const r = new WasmReader(bytes, exportSec.start);
    exportCount = r.u32();
    exportEntries = Array.from(bytes.subarray(r.pos, exportSec.end));
  }
  const exportPayload = [...encodeU32(exportCount + 2)];
  append(exportPayload, exportEntries);
  append(exportPayload, [...encodeName(INSTR_COUNTER_EXPORT), 0x03, ...encodeU32(instrGlobal), ...encodeName(CALL_COUNTER_EXPORT), 0x03, ...encodeU32(callGlobal)]);

  const bodies = readFunctionBodies(bytes);
  const codePayload: number[] = [...encodeU32(bodies.length)];
  for (const body of bodies) {
    const code = instrumentBody(bytes, body, instrGlobal, callGlobal);
    append(codePayload, encodeU32(code.length));
    append(codePayload, code);
  }

  const out: number[] = Array.from(bytes.subarray(0, 8));
  let globalWritten = false;
  for (const s of sections) {
    // The global section sits between memory (5) and export (7); create it there if absent.
    if (!globalWritten && s.id !== SectionId.Custom && s.id > SectionId.Global) {
      append(out, section(SectionId.Global, globalPayload));
      globalWritten = true;
    }
    if (s.id === SectionId.Global) continue;
    if (s.id === SectionId.Export) append(out, section(SectionId.Export, exportPayload));
    else if (s.id === SectionId.Code) append(out, section(SectionId.Code, codePayload));
    else append(out, bytes.subarray(s.headerStart, s.end));
  }
  return Uint8Array.from(out);
}

if (process.argv[1]?.endsWith("instrument.ts")) {
  const [input, output] = process.argv.slice(2);
  writeFileSync(output, instrument(readFileSync(input)));
}
