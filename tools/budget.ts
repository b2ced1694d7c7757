// The memory budget of the one 64 KiB page, measured by running the module's init against
// the default board with an inert host and reading mem_stat.
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadAbi } from "./gen-hal.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const DEFAULT_BOARD = "esp32-devkitc-enc28j60";
/** wasm3's own interpreter stack lives in host RAM, outside linear memory (firmware/main/wasm_host.c). */
export const WASM3_STACK_BYTES = 8192;

export interface Budget {
  memory_bytes: number;
  static_data_bytes: number;
  reserved_pool_bytes: number;
  linear_memory_reserved_bytes: number;
  linear_memory_free_bytes: number;
  wasm3_stack_bytes_host: number;
}

export async function measureBudget(wasm: Uint8Array, board = DEFAULT_BOARD): Promise<Budget> {
  const abi = loadAbi(root);
  const info: Record<string, number> = JSON.parse(readFileSync(join(root, "boards", `${board}.json`), "utf8")).info;
  const boardKeys = Object.fromEntries(Object.entries(abi.enums.BoardKey).map(([k, v]) => [v, k]));
  let memory: WebAssembly.Memory | undefined;
  const hal: Record<string, Function> = {};
  for (const f of abi.imports) hal[f.name] = () => (f.result ? -5 : undefined);
  hal.board_info = (key: number) => info[boardKeys[key]] ?? -1;
  hal.panic = (msg: number, len: number) => {
    throw new Error(`panic during init: ${Buffer.from(new Uint8Array(memory!.buffer, msg, len)).toString()}`);
  };
  const instance = new WebAssembly.Instance(new WebAssembly.Module(wasm as BufferSource), { [abi.importModule]: hal } as WebAssembly.Imports);
  const ex = instance.exports as any;
  memory = ex.memory;
  ex.init();
  const [staticEnd, reservedTop, memoryBytes] = [0, 1, 2].map((w) => ex.mem_stat(w) as number);
  return {
    memory_bytes: memoryBytes,
    static_data_bytes: staticEnd,
    reserved_pool_bytes: reservedTop - staticEnd,
    linear_memory_reserved_bytes: reservedTop,
    linear_memory_free_bytes: memoryBytes - reservedTop,
    wasm3_stack_bytes_host: WASM3_STACK_BYTES,
  };
}

export function formatBudget(b: Budget): string {
  const row = (name: string, n: number) => `  ${name.padEnd(34)}${String(n).padStart(7)} bytes`;
  return [
    `memory budget (one ${b.memory_bytes}-byte page, board ${DEFAULT_BOARD}):`,
    row("static data", b.static_data_bytes),
    row("reserved pools", b.reserved_pool_bytes),
    row("free", b.linear_memory_free_bytes),
    row("wasm3 stack (host RAM, not linear)", b.wasm3_stack_bytes_host),
  ].join("\n");
}
