// The instruction-counting build: counts are exact on known code, and instrumentation
// changes nothing else (same behaviour as the release build).
import { test } from "node:test";
import assert from "node:assert/strict";
import binaryen from "binaryen";
import { readFileSync } from "node:fs";
import { instrument } from "../../tools/instrument.ts";
import { World, SECOND } from "../../sim/world.ts";

function wat(text: string): Uint8Array {
  const m = binaryen.parseText(text);
  try { return m.emitBinary(); } finally { m.dispose(); }
}

test("counts executed instructions and calls of a loop exactly", () => {
  // Per iteration: the exit test (local.get, i32.eqz, br_if) and the body (local.get x2,
  // i32.add, local.set, local.get, i32.const, i32.sub, local.set, br): 12 instructions.
  const bytes = wat(`(module (memory 1 1)
    (func $sum (export "sum") (param $n i32) (result i32) (local $acc i32)
      (block $done
        (loop $top
          (br_if $done (i32.eqz (local.get $n)))
          (local.set $acc (i32.add (local.get $acc) (local.get $n)))
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))
          (br $top)))
      (local.get $acc))
    (func (export "twice") (param i32) (result i32)
      (i32.add (call $sum (local.get 0)) (call $sum (local.get 0)))))`);
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(instrument(bytes) as BufferSource)) as any;
  const count = () => Number(exports.__instr_count.value);
  const calls = () => Number(exports.__call_count.value);
  assert.equal(exports.sum(10), 55);
  const perCall10 = count();
  exports.__instr_count.value = 0n;
  assert.equal(exports.sum(20), 210);
  const perCall20 = count();
  assert.equal((perCall20 - perCall10) / 10, 12);
  exports.__instr_count.value = 0n;
  exports.__call_count.value = 0n;
  assert.equal(exports.twice(3), 12);
  assert.equal(calls(), 3);
});

test("the counted build behaves exactly like the release build (CPU model off)", () => {
  const traces: string[] = [];
  for (const file of ["build/stack.wasm", "build/stack.counted.wasm"]) {
    const world = new World(7);
    const dev = world.device({ board: "esp32-devkitc-enc28j60", cpu: null, wasm: readFileSync(file) });
    dev.boot();
    dev.uartInput(0, "help\r\n");
    world.runFor(10 * SECOND);
    traces.push(JSON.stringify({ timeline: world.timeline.entries, uart: dev.uartOutput, mem: [0, 1, 2].map((w) => dev.module.mem_stat(w)) }));
  }
  assert.equal(traces[0], traces[1]);
});
