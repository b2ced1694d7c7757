// The wasm3 v0.5.0 gate: the real build passes, and each feature wasm3 cannot run is
// rejected (so the gate demonstrably fails when the module is broken).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import binaryen from "binaryen";
import { wasm3Violations } from "../../tools/wasm3-gate.ts";
import { BUILD } from "../../tools/build.ts";

const opts = { maxMemoryPages: 1, importModule: "hal" };

function wat(text: string): Uint8Array {
  const m = binaryen.parseText(text);
  try {
    m.setFeatures(binaryen.Features.All);
    return m.emitBinary();
  } finally {
    m.dispose();
  }
}

test("the release and debug builds pass the gate", () => {
  assert.deepEqual(wasm3Violations(readFileSync(BUILD.release), opts), []);
  assert.deepEqual(wasm3Violations(readFileSync(BUILD.debug), opts), []);
});

test("an MVP module with memory.copy/fill and sign extension passes", () => {
  const ok = wat(`(module (memory 1 1)
    (func (export "f") (param i32) (result i32)
      (memory.copy (i32.const 0) (i32.const 8) (i32.const 4))
      (memory.fill (i32.const 0) (i32.const 1) (i32.const 4))
      (i32.extend8_s (local.get 0))))`);
  assert.deepEqual(wasm3Violations(ok, opts), []);
});

const forbidden: [string, string, RegExp][] = [
  ["SIMD", `(module (memory 1 1) (func (result v128) (v128.const i32x4 0 0 0 0)))`, /SIMD|feature set/],
  ["threads", `(module (memory 1 1 shared) (func (result i32) (i32.atomic.load (i32.const 0))))`, /thread|shared|feature set/],
  ["tail calls", `(module (memory 1 1) (func $f (result i32) (return_call $f)))`, /tail call|feature set/],
  ["exceptions", `(module (memory 1 1) (tag $t) (func (throw $t)))`, /exception|feature set/],
  ["reference types", `(module (memory 1 1) (func (result funcref) (ref.null func)))`, /reference|feature set/],
  ["passive data (memory.init)", `(module (memory 1 1) (data "abc") (func (memory.init 0 (i32.const 0) (i32.const 0) (i32.const 3))))`, /passive/],
  ["data.drop", `(module (memory 1 1) (data "abc") (func (data.drop 0)))`, /passive/],
  ["table mutation", `(module (memory 1 1) (table $t 1 funcref) (func (result i32) (table.size $t)))`, /table|reference|feature set/],
  ["env import", `(module (import "env" "abort" (func)) (memory 1 1))`, /only 'hal' imports/],
  ["unbounded memory", `(module (memory 1))`, /memory maximum/],
  ["two pages", `(module (memory 2 2))`, /memory maximum/],
];

for (const [name, text, why] of forbidden) {
  test(`the gate rejects ${name}`, () => {
    const problems = wasm3Violations(wat(text), opts);
    assert.ok(problems.length > 0, `${name} should be rejected`);
    assert.match(problems.join("\n"), why);
  });
}
