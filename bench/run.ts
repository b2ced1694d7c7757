// `npm run bench` prints a table of named figures; `npm run bench -- --json` prints one
// JSON object with every figure, merged over all benchmarks. `--only NAME` runs one group.
import { benchFoundation } from "./foundation.ts";

type Bench = () => Promise<Record<string, number>>;

// Each entry: a group name and the module that measures it (imported lazily, so a group
// that is not requested costs nothing).
const GROUPS: [string, () => Promise<Bench>][] = [
  ["foundation", async () => benchFoundation],
  ["crypto", async () => (await import("./crypto.ts")).benchCrypto],
  ["config", async () => (await import("./config.ts")).benchConfig],
  ["tcp", async () => (await import("./tcp.ts")).benchTcp],
  ["dhcp-dns", async () => (await import("./dhcp-dns.ts")).benchDhcpDns],
  ["enc28j60", async () => (await import("./enc28j60.ts")).benchEnc28j60],
  ["device", async () => (await import("./device.ts")).benchDevice],
  ["wifi", async () => (await import("./wifi.ts")).benchWifi],
  ["wifi-device", async () => (await import("./wifi-device.ts")).benchWifiDevice],
];

async function main(): Promise<void> {
  const json = process.argv.includes("--json");
  const onlyIdx = process.argv.indexOf("--only");
  const only = onlyIdx >= 0 ? process.argv[onlyIdx + 1] : null;
  const figures: Record<string, number> = {};
  for (const [name, load] of GROUPS) {
    if (only && only !== name) continue;
    const started = performance.now();
    const result = await (await load())();
    Object.assign(figures, result);
    if (!json) {
      console.log(`\n${name} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
      for (const [k, v] of Object.entries(result)) console.log(`  ${k.padEnd(48)} ${String(v).padStart(14)}`);
    }
  }
  if (json) console.log(JSON.stringify(figures));
}

main().catch((err) => {
  console.error(`bench failed: ${err?.stack ?? err}`);
  process.exit(1);
});
