// `npm start [-- --scenario NAME] [--seed N] [--cpu off] [--out DIR] [--quiet]`
// Runs a simulator scenario (default: `default`) and prints the device's timeline.
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { World } from "./world.ts";
import { Timeline } from "./timeline.ts";
import type { Scenario } from "./scenario.ts";

const here = dirname(fileURLToPath(import.meta.url));

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

async function main(): Promise<void> {
  const name = arg("scenario", "default");
  const seed = Number(arg("seed", "1"));
  const cpu = arg("cpu", "on") !== "off";
  const outDir = resolve(arg("out", join(here, "../out")));
  mkdirSync(outDir, { recursive: true });
  const { scenario } = (await import(pathToFileURL(join(here, "scenarios", `${name}.ts`)).href)) as { scenario: Scenario };
  const world = new World(seed);
  if (!process.argv.includes("--quiet")) world.timeline.onEntry((e) => console.log(Timeline.format(e)));
  console.log(`wasmnet simulator: scenario '${scenario.name}' (${scenario.description}), seed ${seed}, CPU model ${cpu ? "on" : "off"}`);
  const started = performance.now();
  const result = await scenario.run(world, { seed, cpu, outDir });
  const wall = performance.now() - started;
  console.log("");
  for (const line of result.summary) console.log(`  ${line}`);
  for (const a of result.artifacts ?? []) console.log(`  wrote ${a}`);
  console.log(`  ${(world.now / 1e6).toFixed(3)} s virtual in ${wall.toFixed(0)} ms wall; ${result.ok ? "OK" : "FAILED"}`);
  process.exit(result.ok ? 0 : 1);
}

main().catch((err) => {
  console.error(`scenario failed: ${err?.stack ?? err}`);
  process.exit(1);
});
