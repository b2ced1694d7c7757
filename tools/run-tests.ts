// Runs node:test suites: `tsx tools/run-tests.ts sim captures [--dir DIR] [-- node test args]`.
//   sim       test/sim/**/*.test.ts   (simulator, models, wasm behaviour)
//   captures  test/captures/**/*.test.ts, data-driven over --dir (default ../shared/captures)
//   interop   test/interop/**/*.test.ts (real peers: TAP, Linux kernel, dnsmasq, tshark; root)
// All chosen suites run in one node --test process, so there is one closing summary.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SUITES: Record<string, string> = { sim: "test/sim", captures: "test/captures", interop: "test/interop" };

function testFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).sort().flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return testFiles(full);
    return name.endsWith(".test.ts") ? [full] : [];
  });
}

const args = process.argv.slice(2);
const env = { ...process.env };
const dirIdx = args.indexOf("--dir");
if (dirIdx >= 0) {
  env.WASMNET_CAPTURES_DIR = resolve(args[dirIdx + 1]);
  args.splice(dirIdx, 2);
}
const suites = args.filter((a) => SUITES[a]);
const extra = args.filter((a) => !SUITES[a]);
const files = suites.flatMap((s) => testFiles(join(root, SUITES[s])));
if (!files.length) {
  console.log(`no test files in ${suites.join(", ")}`);
  process.exit(0);
}
const result = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-concurrency=1", ...extra, ...files], {
  cwd: root, env, stdio: "inherit",
});
process.exit(result.status ?? 1);
