// Generates every view of the HAL ABI from hal/abi.json, its one source of truth:
//   hal/generated/hal.ts              AssemblyScript imports, enums, constants
//   sim/generated/hal.ts              TypeScript interfaces the simulator implements
//   firmware/main/generated/hal_abi.h C prototypes, enums, link table (names + wasm3 signatures)
//   firmware/main/generated/hal_wasm3_link.c  wasm3 raw-function wrappers that call the C prototypes
// `--check` compares instead of writing and exits 1 when any output is stale (CI runs it).
import { readFileSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

type AbiType = "i32" | "i64" | "ptr";
interface AbiFunction { name: string; params: [string, AbiType][]; result: AbiType | null; doc: string }
export interface Abi {
  version: number;
  importModule: string;
  imports: AbiFunction[];
  exports: AbiFunction[];
  enums: Record<string, Record<string, number>>;
  constants: Record<string, string>;
}

const HEADER = "// GENERATED from hal/abi.json by tools/gen-hal.ts. Do not edit; run `npm run gen:hal`.\n";

/** wasm3 m3_LinkRawFunction signature: result char, then the parameter chars in parentheses. */
export function wasm3Signature(f: AbiFunction): string {
  const ch = (t: AbiType | null): string => (t === null ? "v" : t === "i64" ? "I" : t === "ptr" ? "*" : "i");
  return `${ch(f.result)}(${f.params.map(([, t]) => ch(t)).join("")})`;
}

function asType(t: AbiType | null): string {
  return t === null ? "void" : t === "ptr" ? "usize" : t;
}

function tsType(t: AbiType | null): string {
  return t === null ? "void" : t === "i64" ? "bigint" : "number";
}

function cType(t: AbiType | null, paramName = ""): string {
  if (t === null) return "void";
  if (t === "i64") return "int64_t";
  // Read-only buffers are const; accel_sha1_block's state is read and written, so it is not.
  if (t === "ptr") return /^(tx|msg|frame|params|key|rsc|block|input)$/.test(paramName) ? "const uint8_t *" : "uint8_t *";
  return "int32_t";
}

function constLiteral(v: string): { as: string; ts: string; c: string; isI64: boolean } {
  const big = BigInt(v);
  const isI64 = big > 0x7fffffffn || big < -0x80000000n;
  return { as: v, ts: isI64 ? `${v}n` : v, c: isI64 ? `INT64_C(${v})` : v, isI64 };
}

export function generateAssemblyScript(abi: Abi): string {
  let out = HEADER + "// The module's only imports. Nothing else may be imported (the build checks).\n\n";
  for (const f of abi.imports) {
    out += `/** ${f.doc} */\n@external("${abi.importModule}", "${f.name}")\n`;
    out += `export declare function ${f.name}(${f.params.map(([n, t]) => `${n}: ${asType(t)}`).join(", ")}): ${asType(f.result)};\n\n`;
  }
  for (const [name, members] of Object.entries(abi.enums)) {
    out += `export enum ${name} {\n${Object.entries(members).map(([k, v]) => `  ${k} = ${v},`).join("\n")}\n}\n\n`;
  }
  for (const [name, value] of Object.entries(abi.constants)) {
    const lit = constLiteral(value);
    out += `export const ${name}: ${lit.isI64 ? "i64" : "i32"} = ${lit.as};\n`;
  }
  out += `export const HAL_ABI_VERSION: i32 = ${abi.version};\n`;
  return out;
}

export function generateTypeScript(abi: Abi): string {
  let out = HEADER + "\n";
  const sig = (f: AbiFunction) => `${f.params.map(([n, t]) => `${n}: ${tsType(t)}`).join(", ")}`;
  out += "/** What a host (the simulator) implements for the module's imports. */\nexport interface HalImports {\n";
  for (const f of abi.imports) out += `  /** ${f.doc} */\n  ${f.name}(${sig(f)}): ${tsType(f.result)};\n`;
  out += "}\n\n/** What the module exports to its host. */\nexport interface HalExports {\n  memory: WebAssembly.Memory;\n";
  for (const f of abi.exports) out += `  /** ${f.doc} */\n  ${f.name}(${sig(f)}): ${tsType(f.result)};\n`;
  out += "}\n\n";
  out += `export const HAL_IMPORT_MODULE = ${JSON.stringify(abi.importModule)};\n`;
  out += `export const HAL_IMPORT_NAMES = ${JSON.stringify(abi.imports.map((f) => f.name))} as const;\n`;
  out += `export const HAL_EXPORT_NAMES = ${JSON.stringify(abi.exports.map((f) => f.name))} as const;\n`;
  out += `export const HAL_ABI_VERSION = ${abi.version};\n\n`;
  for (const [name, members] of Object.entries(abi.enums)) {
    out += `export const ${name} = {\n${Object.entries(members).map(([k, v]) => `  ${k}: ${v},`).join("\n")}\n} as const;\n\n`;
  }
  for (const [name, value] of Object.entries(abi.constants)) out += `export const ${name} = ${constLiteral(value).ts};\n`;
  out += "\n/** Builds the import object, so a host cannot forget or misname an import. */\n";
  out += "export function halImportObject(impl: HalImports): WebAssembly.Imports {\n";
  out += `  const hal: Record<string, Function> = {};\n  for (const name of HAL_IMPORT_NAMES) hal[name] = impl[name].bind(impl);\n`;
  out += `  return { [HAL_IMPORT_MODULE]: hal };\n}\n`;
  return out;
}

export function generateCHeader(abi: Abi): string {
  let out = HEADER.replace("//", "/*").trimEnd() + " */\n#ifndef WASMNET_HAL_ABI_H\n#define WASMNET_HAL_ABI_H\n\n#include <stdint.h>\n\n";
  out += `#define HAL_ABI_VERSION ${abi.version}\n#define HAL_IMPORT_MODULE "${abi.importModule}"\n`;
  for (const [name, value] of Object.entries(abi.constants)) out += `#define HAL_${name} ${constLiteral(value).c}\n`;
  out += "\n";
  for (const [name, members] of Object.entries(abi.enums)) {
    out += `typedef enum {\n${Object.entries(members).map(([k, v]) => `    HAL_${snake(name).toUpperCase()}_${snake(k).toUpperCase()} = ${v},`).join("\n")}\n} hal_${snake(name)}_t;\n\n`;
  }
  out += "/* Implemented by the firmware (firmware/main/hal_*.c). Pointers are already bounds-checked\n   against the module's linear memory by the wasm3 wrappers in hal_wasm3_link.c. */\n";
  for (const f of abi.imports) {
    const params = f.params.length ? f.params.map(([n, t]) => `${cType(t, n)}${cType(t, n).endsWith("*") ? "" : " "}${n}`).join(", ") : "void";
    out += `/* ${cComment(f.doc)} */\n${cType(f.result)} hal_${f.name}(${params});\n`;
  }
  out += "\ntypedef struct {\n    const char *name;\n    const char *signature; /* m3_LinkRawFunction signature */\n} hal_import_desc_t;\n\n";
  out += `#define HAL_IMPORT_COUNT ${abi.imports.length}\n`;
  out += "static const hal_import_desc_t HAL_IMPORTS[HAL_IMPORT_COUNT] = {\n";
  out += abi.imports.map((f) => `    { "${f.name}", "${wasm3Signature(f)}" },`).join("\n") + "\n};\n\n";
  out += `#define HAL_EXPORT_COUNT ${abi.exports.length}\n`;
  out += "static const hal_import_desc_t HAL_EXPORTS[HAL_EXPORT_COUNT] = {\n";
  out += abi.exports.map((f) => `    { "${f.name}", "${wasm3Signature(f)}" },`).join("\n") + "\n};\n\n#endif\n";
  return out;
}

export function generateWasm3Link(abi: Abi): string {
  let out = HEADER.replace("//", "/*").trimEnd() + " */\n";
  out += "/* wasm3 v0.5.0 raw-function wrappers: fetch arguments from the wasm3 stack, bounds-check\n";
  out += "   every (pointer, length) pair against linear memory, then call the C HAL.\n";
  out += "   The check is hal_range_ok() (portable/hal_marshal.h, unit-tested on the host) rather than\n";
  out += "   wasm3's m3ApiCheckMem, which in v0.5.0 traps on offset 0 even for zero-length buffers and\n";
  out += "   lets a negative length through. A failed check traps (a wasm out-of-bounds access). */\n";
  out += '#include "wasm3.h"\n#include "hal_abi.h"\n#include "portable/hal_marshal.h"\n\n';
  for (const f of abi.imports) {
    out += `m3ApiRawFunction(m3_hal_${f.name})\n{\n`;
    if (f.result) out += `    m3ApiReturnType(${f.result === "i64" ? "int64_t" : "int32_t"});\n`;
    for (const [n, t] of f.params) {
      if (t === "ptr") out += `    m3ApiGetArg(uint32_t, ${n}_offset);\n`;
      else out += `    m3ApiGetArg(${t === "i64" ? "int64_t" : "int32_t"}, ${n});\n`;
    }
    const ptrs = f.params.filter(([, t]) => t === "ptr");
    if (ptrs.length) out += "    const uint32_t mem_size = m3_GetMemorySize(runtime);\n";
    // A pointer followed by a length parameter is a buffer: check the whole range.
    f.params.forEach(([n, t], i) => {
      const next = f.params[i + 1];
      if (t === "ptr") {
        const len = next && /len$/.test(next[0]) ? next[0] : ptrFixedLength(f.name, n);
        out += `    if (!hal_range_ok(${n}_offset, ${len}, mem_size)) m3ApiTrap(m3Err_trapOutOfBoundsMemoryAccess);\n`;
        out += `    ${cType(t, n)}${n} = (${cType(t, n)})m3ApiOffsetToPtr(${n}_offset);\n`;
      }
    });
    if (!ptrs.length) out += "    (void)_mem;\n";
    out += "    (void)runtime;\n    (void)_ctx;\n";
    const call = `hal_${f.name}(${f.params.map(([n]) => n).join(", ")})`;
    if (f.result) out += `    m3ApiReturn(${call});\n}\n\n`;
    else out += `    ${call};\n    m3ApiSuccess();\n}\n\n`;
  }
  out += "/* Links every HAL import the module declares. An import the module does not use is not an\n";
  out += "   error (m3Err_functionLookupFailed); a signature mismatch is. Imports the host does not\n";
  out += "   provide at all are found before this, by wasm_check_imports() (portable/wasm_image.c). */\n";
  out += "M3Result hal_link_all(IM3Module module)\n{\n    M3Result result = m3Err_none;\n";
  for (const f of abi.imports) {
    out += `    result = m3_LinkRawFunction(module, HAL_IMPORT_MODULE, "${f.name}", "${wasm3Signature(f)}", &m3_hal_${f.name});\n`;
    out += "    if (result && result != m3Err_functionLookupFailed) return result;\n";
  }
  out += "    return m3Err_none;\n}\n";
  return out;
}

/** Pointers without a length parameter point at fixed-size records; their sizes are part of the ABI. */
function ptrFixedLength(fn: string, param: string): number {
  const fixed: Record<string, number> = {
    "wifi_set_key.rsc": 6, "factory_mac.out": 6, "accel_sha1_block.state": 20, "accel_sha1_block.block": 64,
    "accel_aes128_encrypt.key": 16, "accel_aes128_encrypt.input": 16, "accel_aes128_encrypt.output": 16,
  };
  const len = fixed[`${fn}.${param}`];
  if (len === undefined) throw new Error(`hal/abi.json: ${fn}.${param} is a pointer with neither a *len parameter nor a fixed size`);
  return len;
}

/** Doc text inside a C block comment: "boards/*.json" would open a nested comment (-Wcomment). */
function cComment(s: string): string {
  return s.replace(/\/\*/g, "/ *").replace(/\*\//g, "* /");
}

function snake(s: string): string {
  return s.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
}

export function loadAbi(root: string): Abi {
  return JSON.parse(readFileSync(join(root, "hal/abi.json"), "utf8"));
}

export function generatedFiles(abi: Abi): Record<string, string> {
  return {
    "hal/generated/hal.ts": generateAssemblyScript(abi),
    "sim/generated/hal.ts": generateTypeScript(abi),
    "firmware/main/generated/hal_abi.h": generateCHeader(abi),
    "firmware/main/generated/hal_wasm3_link.c": generateWasm3Link(abi),
  };
}

/** Returns the list of stale (or missing) generated files under root. */
export function staleFiles(root: string): string[] {
  const stale: string[] = [];
  for (const [path, text] of Object.entries(generatedFiles(loadAbi(root)))) {
    const full = join(root, path);
    if (!existsSync(full) || readFileSync(full, "utf8") !== text) stale.push(path);
  }
  return stale;
}

function main(): void {
  const args = process.argv.slice(2);
  const rootIdx = args.indexOf("--root");
  const root = rootIdx >= 0 ? resolve(args[rootIdx + 1]) : resolve(dirname(fileURLToPath(import.meta.url)), "..");
  if (args.includes("--check")) {
    const stale = staleFiles(root);
    if (stale.length) {
      console.error(`HAL ABI: generated files are stale (run \`npm run gen:hal\`):\n  ${stale.join("\n  ")}`);
      process.exit(1);
    }
    console.log("HAL ABI: generated files are up to date");
    return;
  }
  for (const [path, text] of Object.entries(generatedFiles(loadAbi(root)))) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
    console.log(`wrote ${path}`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
