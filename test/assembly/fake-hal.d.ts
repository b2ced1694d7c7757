export const FLASH_SECTOR: number;
export const FLASH_PARTITION_BYTES: number;
/** A HAL import table for unit tests (see fake-hal.js). */
export function fakeHal(getMemory: () => WebAssembly.Memory): Record<string, (...args: number[]) => number | void>;
