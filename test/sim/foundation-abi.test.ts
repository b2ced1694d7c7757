// One source of truth for the HAL ABI: generated files match hal/abi.json, a change to the
// ABI makes them stale (the build and CI then fail), and the built module imports exactly
// what the ABI declares.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { staleFiles, loadAbi, wasm3Signature } from "../../tools/gen-hal.ts";
import { BUILD } from "../../tools/build.ts";

const root = resolve(import.meta.dirname, "../..");

test("generated HAL files are up to date", () => {
  assert.deepEqual(staleFiles(root), []);
});

test("changing hal/abi.json makes every generated view stale", () => {
  const tmp = mkdtempSync(join(tmpdir(), "wasmnet-abi-"));
  try {
    for (const p of ["hal", "sim/generated", "firmware/main/generated"]) cpSync(join(root, p), join(tmp, p), { recursive: true });
    assert.deepEqual(staleFiles(tmp), []);
    const abi = JSON.parse(readFileSync(join(tmp, "hal/abi.json"), "utf8"));
    abi.imports.push({ name: "new_call", params: [["x", "i32"]], result: "i32", doc: "test" });
    writeFileSync(join(tmp, "hal/abi.json"), JSON.stringify(abi));
    assert.deepEqual(staleFiles(tmp).sort(), [
      "firmware/main/generated/hal_abi.h", "firmware/main/generated/hal_wasm3_link.c", "hal/generated/hal.ts", "sim/generated/hal.ts",
    ]);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test("wasm3 signatures follow m3_LinkRawFunction's format", () => {
  const abi = loadAbi(root);
  const sig = (n: string) => wasm3Signature(abi.imports.find((f) => f.name === n)!);
  assert.equal(sig("spi_transfer"), "i(i*i*i)");
  assert.equal(sig("log"), "v(i*i)");
  assert.equal(sig("wifi_clear_keys"), "i()");
});

test("the module imports only ABI functions from 'hal' and exports every ABI export", () => {
  const abi = loadAbi(root);
  const mod = new WebAssembly.Module(readFileSync(BUILD.release));
  const names = new Set(abi.imports.map((f) => f.name));
  for (const imp of WebAssembly.Module.imports(mod)) {
    assert.equal(imp.module, "hal");
    assert.equal(imp.kind, "function");
    assert.ok(names.has(imp.name), `unexpected import ${imp.name}`);
  }
  const exports = new Set(WebAssembly.Module.exports(mod).map((e) => e.name));
  for (const f of abi.exports) assert.ok(exports.has(f.name), `missing export ${f.name}`);
  assert.ok(exports.has("memory"));
});
