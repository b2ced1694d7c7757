// The firmware's generated link table (firmware/main/generated/hal_abi.h, HAL_IMPORTS and
// HAL_EXPORTS with wasm3 signature strings) against the real module build/stack.wasm and
// against hal/abi.json. The firmware refuses at boot what this test would refuse here
// (wasm_check_module in firmware/main/portable/wasm_image.c).
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { SectionId, WasmReader, readSections } from "../../tools/wasm-binary.ts";
import { loadAbi, wasm3Signature } from "../../tools/gen-hal.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const header = readFileSync(join(root, "firmware/main/generated/hal_abi.h"), "utf8");
const linkC = readFileSync(join(root, "firmware/main/generated/hal_wasm3_link.c"), "utf8");

function table(name: string): Map<string, string> {
  const m = new RegExp(`${name}\\[[A-Z_]+\\] = \\{([\\s\\S]*?)\\n\\};`).exec(header);
  assert.ok(m, `${name} not found in hal_abi.h`);
  return new Map([...m[1].matchAll(/\{ "([a-z0-9_]+)", "([^"]+)" \}/g)].map((x) => [x[1], x[2]]));
}

const VT: Record<number, string> = { 0x7f: "i", 0x7e: "I", 0x7d: "f", 0x7c: "F" };
interface Fn { name: string; module?: string; sig: string }

/** Function imports and exports of a module with their signatures in wasm3 notation. */
function moduleFunctions(bytes: Uint8Array): { imports: Fn[]; exports: Fn[]; memoryExported: boolean } {
  const secs = readSections(bytes);
  const types: string[] = [];
  const sec = (id: number) => secs.find((s) => s.id === id);
  const t = sec(SectionId.Type);
  if (t) {
    const r = new WasmReader(bytes, t.start);
    for (let n = r.u32(); n > 0; n--) {
      assert.equal(r.byte(), 0x60);
      const params = Array.from({ length: r.u32() }, () => VT[r.byte()]).join("");
      const results = Array.from({ length: r.u32() }, () => VT[r.byte()]);
      types.push(`${results[0] ?? "v"}(${params})`);
    }
  }
  const imports: Fn[] = [];
  const funcTypes: number[] = [];
  const im = sec(SectionId.Import);
  if (im) {
    const r = new WasmReader(bytes, im.start);
    for (let n = r.u32(); n > 0; n--) {
      const module = r.name(), name = r.name(), kind = r.byte();
      assert.equal(kind, 0, `import ${module}.${name} is not a function`);
      const ti = r.u32();
      funcTypes.push(ti);
      imports.push({ module, name, sig: types[ti] });
    }
  }
  const fs = sec(SectionId.Function);
  if (fs) {
    const r = new WasmReader(bytes, fs.start);
    for (let n = r.u32(); n > 0; n--) funcTypes.push(r.u32());
  }
  const exports: Fn[] = [];
  let memoryExported = false;
  const ex = sec(SectionId.Export);
  if (ex) {
    const r = new WasmReader(bytes, ex.start);
    for (let n = r.u32(); n > 0; n--) {
      const name = r.name(), kind = r.byte(), index = r.u32();
      if (kind === 0) exports.push({ name, sig: types[funcTypes[index]] });
      if (kind === 2 && name === "memory") memoryExported = true;
    }
  }
  return { imports, exports, memoryExported };
}

const asWasm = (sig: string) => sig.replace(/\*/g, "i");

test("HAL_IMPORTS/HAL_EXPORTS in hal_abi.h are exactly hal/abi.json with wasm3 signatures", () => {
  const abi = loadAbi(root);
  assert.deepEqual([...table("HAL_IMPORTS")], abi.imports.map((f) => [f.name, wasm3Signature(f as any)]));
  assert.deepEqual([...table("HAL_EXPORTS")], abi.exports.map((f) => [f.name, wasm3Signature(f as any)]));
  for (const f of abi.imports) {
    assert.ok(linkC.includes(`m3_LinkRawFunction(module, HAL_IMPORT_MODULE, "${f.name}", "${wasm3Signature(f as any)}", &m3_hal_${f.name});`), `hal_link_all does not link ${f.name}`);
    assert.match(header, new RegExp(`\\bhal_${f.name}\\(`), `no C prototype hal_${f.name}`);
  }
});

test("every import of build/stack.wasm is in HAL_IMPORTS with the same wasm3 signature", (t) => {
  const path = join(root, "build/stack.wasm");
  if (!existsSync(path)) return t.skip("build/stack.wasm not built (npm run build)");
  const bytes = readFileSync(path);
  const imports = table("HAL_IMPORTS");
  const { imports: used } = moduleFunctions(bytes);
  assert.ok(used.length > 0);
  for (const f of used) {
    assert.equal(f.module, "hal", `${f.module}.${f.name}: only "hal" imports link on the device`);
    assert.ok(imports.has(f.name), `stack.wasm imports hal.${f.name}, which the firmware does not provide`);
    assert.equal(f.sig, asWasm(imports.get(f.name)!), `hal.${f.name}: module ${f.sig} vs firmware ${imports.get(f.name)}`);
  }
  // WebAssembly.Module agrees with our reader on the import list.
  const viaEngine = WebAssembly.Module.imports(new WebAssembly.Module(bytes)).map((i) => `${i.module}.${i.name}`);
  assert.deepEqual(viaEngine, used.map((f) => `${f.module}.${f.name}`));
});

test("build/stack.wasm exports every HAL_EXPORTS function with its signature, and memory", (t) => {
  const path = join(root, "build/stack.wasm");
  if (!existsSync(path)) return t.skip("build/stack.wasm not built (npm run build)");
  const { exports, memoryExported } = moduleFunctions(readFileSync(path));
  const have = new Map(exports.map((e) => [e.name, e.sig]));
  for (const [name, sig] of table("HAL_EXPORTS")) {
    assert.ok(have.has(name), `stack.wasm does not export ${name}`);
    assert.equal(have.get(name), asWasm(sig), `export ${name}`);
  }
  assert.ok(memoryExported, "stack.wasm must export its memory (the host stages bytes into it)");
});
