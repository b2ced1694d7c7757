// A small in-process HAL for as-pect unit tests: deterministic random bytes, an in-memory
// NOR flash (erase to 0xFF, writes only clear bits), a UART capture, and logging to stderr.
// Anything a unit test does not need answers HalError.Unsupported (-5).
import abi from "../../hal/abi.json" with { type: "json" };

export const FLASH_SECTOR = 4096;
export const FLASH_PARTITION_BYTES = 16 * FLASH_SECTOR;

export function fakeHal(getMemory) {
  const bytes = () => new Uint8Array(getMemory().buffer);
  let seed = 0x12345678;
  const flash = new Map(); // partition -> Uint8Array
  const part = (p) => {
    if (!flash.has(p)) flash.set(p, new Uint8Array(FLASH_PARTITION_BYTES).fill(0xff));
    return flash.get(p);
  };
  const impl = {
    log(level, msg, len) {
      if (process.env.FAKE_HAL_LOG) process.stderr.write(`[hal log ${level}] ${Buffer.from(bytes().subarray(msg, msg + len)).toString()}\n`);
    },
    panic(msg, len, line, column) {
      throw new Error(`hal.panic: ${Buffer.from(bytes().subarray(msg, msg + len)).toString()} (${line}:${column})`);
    },
    random_fill(buf, len) {
      const m = bytes();
      for (let i = 0; i < len; i++) { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; m[buf + i] = seed >>> 24; }
    },
    flash_size(p) { return p >= 0 && p <= 3 ? FLASH_PARTITION_BYTES : -2; },
    flash_sector_size() { return FLASH_SECTOR; },
    flash_read(p, off, buf, len) {
      if (off < 0 || off + len > FLASH_PARTITION_BYTES) return -6;
      bytes().set(part(p).subarray(off, off + len), buf); return 0;
    },
    flash_write(p, off, buf, len) {
      if (off < 0 || off + len > FLASH_PARTITION_BYTES) return -6;
      const f = part(p), m = bytes();
      for (let i = 0; i < len; i++) f[off + i] &= m[buf + i];
      return 0;
    },
    flash_erase(p, off, len) {
      if (off % FLASH_SECTOR || len % FLASH_SECTOR || off + len > FLASH_PARTITION_BYTES) return -1;
      part(p).fill(0xff, off, off + len); return 0;
    },
    uart_write(port, buf, len) { return len; },
    accel_caps() { return 0; },
  };
  const hal = {};
  for (const f of abi.imports) hal[f.name] = impl[f.name] ?? (() => -5);
  return hal;
}
