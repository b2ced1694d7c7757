// Loads a harness module (tools/build-harness.ts) for node:test suites, with the fake HAL.
import { readFileSync } from "node:fs";
import { buildHarness } from "../tools/build-harness.ts";
import { fakeHal } from "./assembly/fake-hal.js";

export interface Harness {
  exports: Record<string, any>;
  /** Copies bytes into the input buffer and returns its address. */
  input(bytes: Uint8Array): number;
  /** A view of linear memory (re-read after calls: memory can grow). */
  bytes(ptr: number, len: number): Uint8Array;
  outputPtr: number;
}

export async function loadHarness(name: string): Promise<Harness> {
  const wasm = readFileSync(buildHarness(name));
  let instance: WebAssembly.Instance;
  const hal = fakeHal(() => (instance.exports as any).memory);
  ({ instance } = await WebAssembly.instantiate(wasm, { hal }) as any);
  const ex = instance!.exports as any;
  ex._start(); // the harness's top-level code (reservations)
  const mem = () => new Uint8Array(ex.memory.buffer);
  return {
    exports: ex,
    input(bytes) {
      if (bytes.length > 65536) throw new Error("harness input over 64 KiB");
      const p = ex.input_buffer();
      mem().set(bytes, p);
      return p;
    },
    bytes(ptr, len) { return mem().slice(ptr, ptr + len); },
    outputPtr: ex.output_buffer(),
  };
}
