// Debian's wabt double-checks the wasm3 v0.5.0 gate with an implementation that is not
// ours: wasm-validate with only the features wasm3 v0.5.0 runs, and a scan of the
// disassembly and section dump for what the bulk-memory flag would still let through.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUILD } from "../../tools/build.ts";

const haveWabt = spawnSync("sh", ["-c", "command -v wasm-validate && command -v wasm-objdump"]).status === 0;
const skip = haveWabt ? false : "wabt is not installed (apt-get install wabt; .ci/run installs it)";

// wabt 1.0.32 enables these by default; wasm3 v0.5.0 has neither.
const WASM3_FLAGS = ["--disable-simd", "--disable-reference-types"];
const FORBIDDEN_MNEMONICS = /\b(memory\.init|data\.drop|table\.\w+|elem\.drop|v128\.\w+|i8x16|i16x8|i32x4|i64x2|f32x4|f64x2|\w+\.atomic\.\w+|atomic\.fence|return_call\w*|try|catch|throw|rethrow|ref\.\w+)\b/;

for (const [name, file] of [["release", BUILD.release], ["debug", BUILD.debug], ["counted", BUILD.counted]]) {
  test(`wabt: ${name} build validates with wasm3 v0.5.0's features`, { skip }, () => {
    execFileSync("wasm-validate", [...WASM3_FLAGS, file]);
    const disasm = execFileSync("wasm-objdump", ["-d", file], { maxBuffer: 64 << 20 }).toString();
    const bad = disasm.split("\n").find((line) => FORBIDDEN_MNEMONICS.test(line.split("|")[1] ?? ""));
    assert.equal(bad, undefined, `forbidden instruction: ${bad}`);
    const headers = execFileSync("wasm-objdump", ["-x", file], { maxBuffer: 64 << 20 }).toString();
    assert.doesNotMatch(headers, /DataCount/);
    assert.doesNotMatch(headers, /passive/i);
    for (const m of headers.matchAll(/ <- (\w+)\./g)) assert.equal(m[1], "hal", "imports only from hal");
    assert.match(headers, /pages: initial=1 max=1/);
  });
}

test("wabt: a module using SIMD is rejected with the same flags", { skip }, () => {
  // (module (func (result v128) v128.const i32x4 0 0 0 0)) assembled by hand.
  const body = Buffer.concat([Buffer.from([0x00, 0xfd, 0x0c]), Buffer.alloc(16), Buffer.from([0x0b])]);
  const bytes = Buffer.concat([
    Buffer.from("0061736d01000000" + "0105016000017b" + "03020100", "hex"),
    Buffer.from([0x0a, body.length + 2, 0x01, body.length]), body,
  ]);
  const file = join(mkdtempSync(join(tmpdir(), "wasmnet-wabt-")), "simd.wasm");
  writeFileSync(file, bytes);
  assert.equal(spawnSync("wasm-validate", [file]).status, 0, "valid with wabt's defaults");
  assert.notEqual(spawnSync("wasm-validate", [...WASM3_FLAGS, file]).status, 0);
});
