// The instruction-counting build: counts are exact on known code, and instrumentation
// changes nothing else (same behaviour as the release build).
import { test } from "node:test";
import assert from "node:assert/strict";
import binaryen from "binaryen";
import { readFileSync } from "node:fs";
import { instrument } from "../../tools/instrument.ts";
import { World, SECOND, MS } from "../../sim/world.ts";
import { LAN, configureStatic, typeLines, wiredLan } from "../../sim/topologies.ts";

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

test("the counted build behaves exactly like the release build (CPU model off): same frames, same console, same log", () => {
  const traces: string[] = [];
  for (const file of ["build/stack.wasm", "build/stack.counted.wasm"]) {
    const world = new World(7);
    const lan = wiredLan(world, { cpu: false, wasm: readFileSync(file) });
    lan.dev.boot();
    world.runFor(100 * MS);
    configureStatic(world, lan.dev);
    lan.link.set({ loss: 0.05, jitterUs: 300 });
    lan.peer.ping(LAN.device, { count: 20, intervalUs: 20 * MS });
    typeLines(world, lan.dev, [`ping ${LAN.peer} 3`, "netstat"], 2 * SECOND);
    world.runFor(SECOND);
    traces.push(JSON.stringify({
      frames: Buffer.from(lan.pcap.bytes()).toString("hex"),
      timeline: world.timeline.entries,
      uart: lan.dev.uartOutput,
    }));
  }
  assert.ok(traces[0].length > 10_000, "a substantial trace");
  assert.equal(traces[0], traces[1]);
});
