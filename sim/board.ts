// Board definitions (boards/*.json) shared with the firmware: which parts sit on which SPI
// device and pins, the UART, the flash partitions, and the facts the module reads through
// hal.board_info.
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const BOARDS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../boards");

export interface SpiSlot { device: number; host: string; hz: number; part: string; cs: number }
export interface BoardDefinition {
  name: string;
  description: string;
  info: Record<string, number>;
  spi: SpiSlot[];
  uart: { port: number; baud: number }[];
  flash: { sectorSize: number; partitions: Record<string, number> };
}

export function loadBoard(name: string): BoardDefinition {
  return JSON.parse(readFileSync(join(BOARDS_DIR, `${name}.json`), "utf8"));
}

export function boardNames(): string[] {
  return readdirSync(BOARDS_DIR).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5)).sort();
}
