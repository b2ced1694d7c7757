// Compiles each test/harness/<name>.ts (files starting with "_" are shared helpers) into
// build/harness/<name>.wasm: small modules that expose the stack's parsers and crypto to
// node:test suites (vectors, captures). They use the same stack code and HAL imports as
// the firmware module, with more memory for test data.
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, statSync, existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

export function harnessPath(name: string): string {
  return join(root, "build/harness", `${name}.wasm`);
}

/** Compiles one harness unless its wasm is newer than every AssemblyScript source. */
export function buildHarness(name: string): string {
  const src = join(root, "test/harness", `${name}.ts`);
  const out = harnessPath(name);
  if (existsSync(out) && statSync(out).mtimeMs > newestSource()) return out;
  mkdirSync(dirname(out), { recursive: true });
  execFileSync(process.execPath, [
    join(root, "node_modules/assemblyscript/bin/asc.js"), src, "-o", out, "--config", "test/harness/asconfig.json",
    "--transform", join(root, "tools/ascii-strings.mjs"), // as in asconfig.json (not in the harness config: bench/crypto.ts compiles without it)
  ], { cwd: root, stdio: "inherit" });
  return out;
}

function newestSource(): number {
  let newest = 0;
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      const st = statSync(full);
      if (st.isDirectory()) walk(full);
      else if (name.endsWith(".ts")) newest = Math.max(newest, st.mtimeMs);
    }
  };
  for (const d of ["stack", "drivers", "hal", "test/harness"]) if (existsSync(join(root, d))) walk(join(root, d));
  newest = Math.max(newest, statSync(join(root, "tools/ascii-strings.mjs")).mtimeMs); // the compiler transform
  return newest;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const names = process.argv.slice(2);
  const all = names.length ? names : readdirSync(join(root, "test/harness")).filter((f) => f.endsWith(".ts") && !f.startsWith("_")).map((f) => f.slice(0, -3));
  for (const n of all) console.log(buildHarness(n));
}
