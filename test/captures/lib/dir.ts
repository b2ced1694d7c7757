// Where the capture suites read from: $WASMNET_CAPTURES_DIR (set by `run-tests --dir`), else
// ../shared/captures relative to the project root. Returns the parsed expected.json of one
// protocol folder, or a reason to skip.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

export function capturesRoot(): string {
  return process.env.WASMNET_CAPTURES_DIR ? resolve(process.env.WASMNET_CAPTURES_DIR) : resolve(root, "../shared/captures");
}

export interface CaptureSet<T> { dir: string; captures: T[] }

export function loadCaptureSet<T>(protocol: string): CaptureSet<T> | { skip: string } {
  const base = capturesRoot();
  const dir = join(base, protocol);
  const exp = join(dir, "expected.json");
  if (!existsSync(base)) return { skip: `captures directory ${base} not found (set --dir DIR)` };
  if (!existsSync(exp)) return { skip: `${exp} not found: no ${protocol} captures to check` };
  const json = JSON.parse(readFileSync(exp, "utf8"));
  if (!Array.isArray(json.captures)) throw new Error(`${exp}: no captures[] array`);
  return { dir, captures: json.captures };
}
