// `npm run build`: compiles the stack into build/stack.wasm (release) and
// build/stack.debug.wasm, holds both to the wasm3 v0.5.0 gate, derives the
// instruction-counting variant build/stack.counted.wasm, and prints the memory budget.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { staleFiles, loadAbi } from "./gen-hal.ts";
import { wasm3Violations } from "./wasm3-gate.ts";
import { instrument } from "./instrument.ts";
import { SectionId, readSections } from "./wasm-binary.ts";
import { measureBudget, formatBudget } from "./budget.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const BUILD = {
  release: join(root, "build/stack.wasm"),
  debug: join(root, "build/stack.debug.wasm"),
  counted: join(root, "build/stack.counted.wasm"),
  budget: join(root, "build/budget.json"),
};
const MAX_MEMORY_PAGES = 1;

/** Binaryen writes a DataCount section whenever bulk memory is enabled; it only matters for
 *  memory.init/data.drop, which the gate forbids, and wasm3 v0.5.0 predates it. */
export function stripDataCount(bytes: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [bytes.subarray(0, 8)];
  for (const s of readSections(bytes)) if (s.id !== SectionId.DataCount) parts.push(bytes.subarray(s.headerStart, s.end));
  return Buffer.concat(parts);
}

function compile(target: "release" | "debug"): Uint8Array {
  const asc = join(root, "node_modules/assemblyscript/bin/asc.js");
  // An absolute config path: asc resolves the config's "transform" paths against its directory.
  execFileSync(process.execPath, [asc, "--config", join(root, "asconfig.json"), "--target", target], { cwd: root, stdio: "inherit" });
  const file = target === "release" ? BUILD.release : BUILD.debug;
  const bytes = stripDataCount(readFileSync(file));
  writeFileSync(file, bytes);
  return bytes;
}

function gate(name: string, bytes: Uint8Array): void {
  const problems = wasm3Violations(bytes, { maxMemoryPages: MAX_MEMORY_PAGES, importModule: loadAbi(root).importModule });
  if (problems.length) throw new Error(`${name} is not runnable on wasm3 v0.5.0:\n  ${problems.join("\n  ")}`);
}

export async function build(): Promise<void> {
  const stale = staleFiles(root);
  if (stale.length) throw new Error(`HAL ABI: generated files are stale, run \`npm run gen:hal\`:\n  ${stale.join("\n  ")}`);
  mkdirSync(join(root, "build"), { recursive: true });
  const release = compile("release");
  const debug = compile("debug");
  gate("build/stack.wasm", release);
  gate("build/stack.debug.wasm", debug);
  const counted = instrument(release);
  writeFileSync(BUILD.counted, counted);
  const budget = await measureBudget(release);
  writeFileSync(BUILD.budget, JSON.stringify(budget, null, 2) + "\n");
  console.log(`build/stack.wasm ${release.length} bytes (debug ${debug.length}, counted ${counted.length}); wasm3 v0.5.0 gate passed`);
  console.log(formatBudget(budget));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  build().catch((err) => {
    console.error(`build failed: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  });
}
