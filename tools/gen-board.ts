// Board definitions (boards/*.json) for the firmware, from the same files the simulator reads:
//   firmware/main/board/boards_gen.c   every board as C data (board_t, firmware/main/board/board.h)
// and a consistency check of every board's "flash" against firmware/partitions.csv.
// `--check` compares instead of writing and exits 1 when stale or inconsistent (CI/node test).
import { readFileSync, readdirSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadAbi } from "./gen-hal.ts";

const HEADER = "/* GENERATED from boards/<name>.json by tools/gen-board.ts. Do not edit; run `npx tsx tools/gen-board.ts`. */\n";

export interface BoardSpi { device: number; host: string; sclk: number; mosi: number; miso: number; cs: number; hz: number; mode: number; csHoldNs: number; part: string }
export interface Board {
  name: string; description: string; mcu: string;
  info: Record<string, number>;
  spi: BoardSpi[];
  gpio: Record<string, { pin: number; edge: string; pull: string }>;
  uart: { port: number; tx: number; rx: number; baud: number }[];
  flash: { sectorSize: number; partitions: Record<string, number> };
}

/** ESP-IDF partition names for our FlashPartition values (firmware/partitions.csv). */
export const PARTITION_NAMES: Record<string, string> = { Config: "config", WasmSlotA: "wasm_a", WasmSlotB: "wasm_b", BootState: "bootstate" };
const SPI_HOSTS: Record<string, number> = { HSPI: 1, VSPI: 2 }; // spi_host_device_t: SPI2_HOST = 1, SPI3_HOST = 2 (ESP32)
const EDGES: Record<string, number> = { Off: 0, Falling: 1, Rising: 2, Both: 3, LowLevel: 4 };
const PULLS: Record<string, number> = { none: 0, up: 1, down: 2 };

export function loadBoards(root: string): Board[] {
  return readdirSync(join(root, "boards")).filter((f) => f.endsWith(".json")).sort()
    .map((f) => JSON.parse(readFileSync(join(root, "boards", f), "utf8")));
}

export interface PartitionRow { name: string; type: string; subtype: string; offset: number; size: number }
export function parsePartitions(csv: string): PartitionRow[] {
  const num = (s: string) => (s.trim() ? Number(s.trim().toLowerCase().startsWith("0x") ? parseInt(s, 16) : parseInt(s, 10)) : NaN);
  return csv.split("\n").map((l) => l.replace(/#.*/, "").trim()).filter(Boolean).map((l) => {
    const [name, type, subtype, offset, size] = l.split(",").map((s) => s.trim());
    return { name, type, subtype, offset: num(offset), size: num(size) };
  });
}

/** Problems with a board definition, empty when it is usable by the firmware. */
export function checkBoard(b: Board, partitions: PartitionRow[], boardKeys: Record<string, number>): string[] {
  const errs: string[] = [];
  for (const k of Object.keys(b.info)) if (!(k in boardKeys)) errs.push(`${b.name}: info.${k} is not a BoardKey`);
  if (b.mcu !== "esp32") errs.push(`${b.name}: mcu ${b.mcu} is not supported by the firmware (esp32)`);
  for (const [part, size] of Object.entries(b.flash.partitions)) {
    const pname = PARTITION_NAMES[part];
    const row = partitions.find((r) => r.name === pname);
    if (!pname) errs.push(`${b.name}: flash.partitions.${part} is not a FlashPartition`);
    else if (!row) errs.push(`${b.name}: partition ${pname} (${part}) missing from firmware/partitions.csv`);
    else if (row.size !== size) errs.push(`${b.name}: ${part} is ${size} bytes but partitions.csv has ${pname} = ${row.size}`);
    else if (row.offset % b.flash.sectorSize !== 0) errs.push(`${b.name}: ${pname} offset is not sector-aligned`);
  }
  for (const p of Object.keys(PARTITION_NAMES)) if (!(p in b.flash.partitions)) errs.push(`${b.name}: flash.partitions.${p} missing`);
  for (const s of b.spi) {
    if (!(s.host in SPI_HOSTS)) errs.push(`${b.name}: spi host ${s.host} (use HSPI or VSPI)`);
    if (s.part === "enc28j60" && s.hz > 20000000) errs.push(`${b.name}: ENC28J60 SPI clock ${s.hz} > 20 MHz`);
    if (s.part === "enc28j60" && s.csHoldNs < 210) errs.push(`${b.name}: ENC28J60 needs CS hold >= 210 ns`);
    for (const pin of [s.sclk, s.mosi, s.cs]) if (pin >= 34) errs.push(`${b.name}: GPIO${pin} is input-only on the ESP32`);
    for (const pin of [s.sclk, s.mosi, s.miso, s.cs]) if (pin >= 6 && pin <= 11) errs.push(`${b.name}: GPIO${pin} is wired to the module's SPI flash`);
  }
  if ("EthSpiDevice" in b.info && !b.spi.some((s) => s.device === b.info.EthSpiDevice)) errs.push(`${b.name}: EthSpiDevice ${b.info.EthSpiDevice} has no spi entry`);
  if ("EthIntPin" in b.info && b.gpio.ethInt?.pin !== b.info.EthIntPin) errs.push(`${b.name}: info.EthIntPin and gpio.ethInt.pin disagree`);
  if ("EthSpiHz" in b.info && b.spi[0] && b.spi[0].hz !== b.info.EthSpiHz) errs.push(`${b.name}: info.EthSpiHz and spi[0].hz disagree`);
  for (const [name, g] of Object.entries(b.gpio)) {
    if (!(g.edge in EDGES)) errs.push(`${b.name}: gpio.${name}.edge ${g.edge}`);
    if (!(g.pull in PULLS)) errs.push(`${b.name}: gpio.${name}.pull ${g.pull}`);
    if (g.pin >= 34 && g.pull !== "none") errs.push(`${b.name}: GPIO${g.pin} has no internal pull resistors (use pull "none" and an external one if needed)`);
  }
  return errs;
}

export function generateBoardsC(boards: Board[], boardKeys: Record<string, number>): string {
  const id = (n: string) => n.replace(/[^A-Za-z0-9]/g, "_");
  let out = HEADER + '#include "board.h"\n\n';
  for (const b of boards) {
    const info = Object.entries(b.info).map(([k, v]) => `    { ${boardKeys[k]}, ${v} }, /* ${k} */`).join("\n");
    out += `/* ${b.description.replace(/\*\//g, "* /")} */\n`;
    out += `static const board_info_kv_t info_${id(b.name)}[] = {\n${info}\n};\n`;
    out += `static const board_spi_t spi_${id(b.name)}[] = {\n`;
    out += b.spi.map((s) => `    { .device = ${s.device}, .host = ${SPI_HOSTS[s.host]}, .sclk = ${s.sclk}, .mosi = ${s.mosi}, .miso = ${s.miso}, .cs = ${s.cs}, .hz = ${s.hz}, .mode = ${s.mode}, .cs_hold_ns = ${s.csHoldNs} },`).join("\n");
    out += `${b.spi.length ? "\n" : "    { .device = -1 },\n"}};\n`;
    out += `static const board_uart_t uart_${id(b.name)}[] = {\n`;
    out += b.uart.map((u) => `    { .port = ${u.port}, .tx = ${u.tx}, .rx = ${u.rx}, .baud = ${u.baud} },`).join("\n") + "\n};\n\n";
  }
  out += `const board_t BOARDS[] = {\n`;
  for (const b of boards) {
    const int = b.gpio.ethInt;
    out += `    { .name = "${b.name}", .info = info_${id(b.name)}, .n_info = ${Object.keys(b.info).length},\n`;
    out += `      .spi = spi_${id(b.name)}, .n_spi = ${b.spi.length}, .uart = uart_${id(b.name)}, .n_uart = ${b.uart.length},\n`;
    out += `      .eth_int_pin = ${int ? int.pin : -1}, .eth_int_edge = ${int ? EDGES[int.edge] : 0}, .eth_int_pull = ${int ? PULLS[int.pull] : 0} },\n`;
  }
  out += `};\nconst int BOARD_COUNT = ${boards.length};\n`;
  return out;
}

export function boardFiles(root: string): Record<string, string> {
  const abi = loadAbi(root);
  return { "firmware/main/board/boards_gen.c": generateBoardsC(loadBoards(root), abi.enums.BoardKey) };
}

export function boardProblems(root: string): string[] {
  const abi = loadAbi(root);
  const parts = parsePartitions(readFileSync(join(root, "firmware/partitions.csv"), "utf8"));
  return loadBoards(root).flatMap((b) => checkBoard(b, parts, abi.enums.BoardKey));
}

function main(): void {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
  const problems = boardProblems(root);
  if (problems.length) {
    console.error(`boards: ${problems.length} problem(s):\n  ${problems.join("\n  ")}`);
    process.exit(1);
  }
  const files = boardFiles(root);
  if (process.argv.includes("--check")) {
    const stale = Object.entries(files).filter(([p, t]) => !existsSync(join(root, p)) || readFileSync(join(root, p), "utf8") !== t).map(([p]) => p);
    if (stale.length) {
      console.error(`boards: generated files are stale (run \`npx tsx tools/gen-board.ts\`):\n  ${stale.join("\n  ")}`);
      process.exit(1);
    }
    console.log("boards: consistent with firmware/partitions.csv; generated files up to date");
    return;
  }
  for (const [p, t] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), t);
    console.log(`wrote ${p}`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
