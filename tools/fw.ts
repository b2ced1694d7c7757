// Developer wrapper around the ESP-IDF flow (needs ESP-IDF v5.2.x installed and exported):
//   fw build   [--board <name>]             gen-board check, wasm3 check, idf.py build, slot image
//   fw flash   [--port /dev/ttyUSB0] [--board <name>]  app + partition table + build/stack.wasm in wasm_a
//   fw monitor [--port /dev/ttyUSB0]
//   fw image   [--out build/fw/wasm_a.bin]   only write the slot image (no ESP-IDF needed)
// The wasm module goes into the wasm_a partition as a slot image (32-byte WNSL header + wasm,
// firmware/main/portable/wasm_image.h) flashed at that partition's offset from partitions.csv.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { boardProblems, loadBoards, parsePartitions } from "./gen-board.ts";
import { WASM3_STACK_BYTES, DEFAULT_BOARD } from "./budget.ts";
import { loadAbi } from "./gen-hal.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const fwDir = join(root, "firmware");
const outDir = join(root, "build", "fw");

function crc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of data) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** The slot image: "WNSL" header (see wasm_image.h) followed by the wasm bytes. */
export function slotImage(wasm: Uint8Array, abiVersion: number, buildId: number): Uint8Array {
  const out = new Uint8Array(32 + wasm.length);
  const dv = new DataView(out.buffer);
  out.set([0x57, 0x4e, 0x53, 0x4c], 0);
  dv.setUint16(4, 1, true);
  dv.setUint16(6, 32, true);
  dv.setUint32(8, wasm.length, true);
  dv.setUint32(12, crc32(wasm), true);
  dv.setUint32(16, abiVersion, true);
  dv.setUint32(20, buildId >>> 0, true);
  dv.setUint32(24, 0, true);
  dv.setUint32(28, crc32(out.subarray(0, 28)), true);
  out.set(wasm, 32);
  return out;
}

function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

function fail(msg: string, code = 1): never {
  console.error(`fw: ${msg}`);
  process.exit(code);
}

function requireIdf(): void {
  const r = spawnSync("idf.py", ["--version"], { encoding: "utf8" });
  if (r.error || r.status !== 0) {
    fail([
      "idf.py not found. wasmnet's firmware needs ESP-IDF v5.2.x:",
      "  git clone -b v5.2.3 --recursive https://github.com/espressif/esp-idf.git ~/esp/esp-idf",
      "  ~/esp/esp-idf/install.sh esp32 && . ~/esp/esp-idf/export.sh",
      "then run this again from the same shell. See docs/firmware.md.",
    ].join("\n"), 2);
  }
  const v = r.stdout.trim();
  if (!/v5\.2\./.test(v)) console.warn(`fw: warning: ${v}; wasmnet is pinned to ESP-IDF v5.2.x (private Wi-Fi supplicant hooks)`);
}

function run(cmd: string, args: string[]): void {
  console.log(`$ ${cmd} ${args.join(" ")}`);
  const r = spawnSync(cmd, args, { stdio: "inherit", cwd: fwDir });
  if (r.status !== 0) fail(`${cmd} exited with ${r.status ?? r.signal}`);
}

function writeSlotImage(): { path: string; offset: number } {
  const wasmPath = join(root, "build", "stack.wasm");
  if (!existsSync(wasmPath)) fail("build/stack.wasm missing: run `npm run build` first");
  const parts = parsePartitions(readFileSync(join(fwDir, "partitions.csv"), "utf8"));
  const slot = parts.find((p) => p.name === "wasm_a")!;
  const img = slotImage(readFileSync(wasmPath), loadAbi(root).version, Math.floor(Date.now() / 1000));
  if (img.length > slot.size) fail(`slot image ${img.length} bytes exceeds wasm_a (${slot.size})`);
  mkdirSync(outDir, { recursive: true });
  const path = arg("out", join(outDir, "wasm_a.bin"))!;
  writeFileSync(path, img);
  console.log(`fw: ${path}: ${img.length} bytes for wasm_a at 0x${slot.offset.toString(16)} (${((100 * img.length) / slot.size).toFixed(1)}% of the slot)`);
  return { path, offset: slot.offset };
}

function checkKconfigStack(): void {
  const k = readFileSync(join(fwDir, "main", "Kconfig.projbuild"), "utf8");
  const m = /config WASMNET_WASM3_STACK_BYTES[\s\S]*?default (\d+)/.exec(k);
  if (!m || Number(m[1]) !== WASM3_STACK_BYTES) fail(`Kconfig WASMNET_WASM3_STACK_BYTES (${m?.[1]}) != tools/budget.ts WASM3_STACK_BYTES (${WASM3_STACK_BYTES})`);
}

function boardDefaults(board: string): string {
  if (!loadBoards(root).some((b) => b.name === board)) fail(`unknown board ${board}; boards/: ${loadBoards(root).map((b) => b.name).join(", ")}`);
  mkdirSync(outDir, { recursive: true });
  const p = join(outDir, "sdkconfig.board");
  writeFileSync(p, `CONFIG_WASMNET_BOARD="${board}"\n`);
  return p;
}

function main(): void {
  const cmd = process.argv[2];
  const board = arg("board", DEFAULT_BOARD)!;
  const port = arg("port");
  const portArgs = port ? ["-p", port] : [];
  const buildDir = join(outDir, "idf-build");
  switch (cmd) {
    case "image":
      writeSlotImage();
      return;
    case "build": {
      const problems = boardProblems(root);
      if (problems.length) fail(`board definitions:\n  ${problems.join("\n  ")}`);
      checkKconfigStack();
      requireIdf();
      if (!existsSync(join(fwDir, "components", "wasm3", "wasm3", "source", "wasm3.h")) && !process.env.WASM3_SOURCE_DIR)
        fail("wasm3 v0.5.0 missing: git clone --depth 1 --branch v0.5.0 https://github.com/wasm3/wasm3 firmware/components/wasm3/wasm3 (docs/firmware.md)");
      const defaults = `${join(fwDir, "sdkconfig.defaults")};${boardDefaults(board)}`;
      run("idf.py", ["-B", buildDir, "-D", `SDKCONFIG=${join(outDir, `sdkconfig.${board}`)}`, "-D", `SDKCONFIG_DEFAULTS=${defaults}`, "build"]);
      writeSlotImage();
      return;
    }
    case "flash": {
      requireIdf();
      if (!existsSync(join(buildDir, "wasmnet.bin"))) fail("no firmware build: run `npm run fw:build -- --board <name>` first");
      const { path, offset } = writeSlotImage();
      run("idf.py", ["-B", buildDir, "-D", `SDKCONFIG=${join(outDir, `sdkconfig.${board}`)}`, ...portArgs, "flash"]);
      // The slot image goes to the wasm_a offset with the same esptool ESP-IDF uses.
      run("python", ["-m", "esptool", "--chip", "esp32", ...(port ? ["--port", port] : []), "write_flash", `0x${offset.toString(16)}`, path]);
      return;
    }
    case "monitor":
      requireIdf();
      run("idf.py", ["-B", buildDir, "-D", `SDKCONFIG=${join(outDir, `sdkconfig.${board}`)}`, ...portArgs, "monitor"]);
      return;
    default:
      fail("usage: fw build [--board <name>] | fw flash [--port <dev>] [--board <name>] | fw monitor [--port <dev>] | fw image [--out <file>]");
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
