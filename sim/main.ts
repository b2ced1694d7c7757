// `npm start [-- --scenario NAME] [--seed N] [--cpu off] [--out DIR] [--quiet] [--interactive|--no-interactive]`
// Runs a simulator scenario (default: `default`) and prints the device's timeline. In a
// terminal (or with --interactive) the board then keeps running in real time with its
// console on a TCP port and a pty, for a person or the host CLI to talk to.
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { World } from "./world.ts";
import { Timeline } from "./timeline.ts";
import type { Scenario } from "./scenario.ts";
import type { SimDevice } from "./device.ts";
import { RealtimeRunner } from "./realtime.ts";
import { UartServer } from "./uart-server.ts";

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
  const interactive = process.argv.includes("--interactive") || (process.stdout.isTTY && !process.argv.includes("--no-interactive"));
  if (!result.ok || !result.console) process.exit(result.ok ? 0 : 1);
  if (!interactive) {
    console.log("  (in a terminal, or with --interactive, the board keeps running with its console on TCP and a pty)");
    process.exit(0);
  }
  await keepRunning(world, result.console, outDir);
}

/** Real-time continuation: the board's UART on TCP (and a pty via socat) until Ctrl-C. */
async function keepRunning(world: World, dev: SimDevice, outDir: string): Promise<void> {
  const runner = new RealtimeRunner(world);
  const uart = new UartServer(dev, runner);
  const port = await uart.listen(Number(arg("console-port", "0")));
  const pty = await uart.openPty(join(outDir, `${dev.name}-console`));
  console.log("");
  console.log(`  ${dev.name} console: tcp://127.0.0.1:${port}${pty ? `  or pty ${pty} (screen/picocom, 115200)` : ""}`);
  console.log(`  host CLI: npx wasmnet status --port tcp://127.0.0.1:${port}`);
  console.log("  running in real time; Ctrl-C to stop");
  process.on("SIGINT", () => { uart.close(); process.exit(0); });
  await runner.run(() => false, Number.MAX_SAFE_INTEGER);
}

main().catch((err) => {
  console.error(`scenario failed: ${err?.stack ?? err}`);
  process.exit(1);
});
