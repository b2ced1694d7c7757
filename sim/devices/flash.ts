// A NOR flash partition for the simulator, as the HAL's flash_* calls see it.
//
// NOR rules: erase sets a whole sector to 0xFF; programming can only clear bits (new = old
// AND data); a program operation works one page (256 bytes) at a time and never crosses a
// page boundary. Each page program and each sector erase is one *step*.
//
// Power-cut injection: cutAfter(n) lets n more steps complete and tears the next one:
//  - a torn page program has programmed a (seeded) random prefix of its bytes, plus one
//    partially programmed word whose to-be-cleared bits are cleared only in part;
//  - a torn erase leaves a partially erased sector: every byte has a random subset of its
//    bits already set to 1, so old data is damaged but not gone.
// After the cut the device is unpowered: every call returns HalError.Io until powerOn().
//
// Timing (durations are reported, never slept): typical figures from the Winbond W25Q32JV
// datasheet (the 4 MiB part on many ESP32-WROOM-32 modules; GigaDevice GD25Q32 is similar):
// page program tPP 0.4 ms typical / 3 ms max, 4 KiB sector erase tSE 45 ms typical / 400 ms
// max. Reads over the ESP32's 40 MHz quad-I/O SPI move about 20 bytes/µs. Each operation
// adds its duration to `busyUs` and sets `lastOpUs`, so a board model can stall or advance
// virtual time by it.
import { Rng } from "../core/rng.ts";

import { HalError } from "../generated/hal.ts";

/** Status codes of the flash calls: the ABI's HalError. */
export const HalStatus = HalError;

export interface FlashTiming {
  pageProgramUs: number;
  sectorEraseUs: number;
  readBytesPerUs: number;
  /** Fixed command overhead per operation (opcode, address, status polling). */
  commandUs: number;
}

export const W25Q32_TYPICAL: FlashTiming = { pageProgramUs: 400, sectorEraseUs: 45_000, readBytesPerUs: 20, commandUs: 2 };
export const W25Q32_MAX: FlashTiming = { pageProgramUs: 3_000, sectorEraseUs: 400_000, readBytesPerUs: 20, commandUs: 2 };

/** The small interface the board model uses for hal.flash_* (status codes are HalError). */
export interface FlashDevice {
  readonly size: number;
  readonly sectorSize: number;
  read(off: number, len: number): Uint8Array | number;
  write(off: number, data: Uint8Array): number;
  erase(off: number, len: number): number;
}

export interface NorFlashOptions {
  size?: number;
  sectorSize?: number;
  pageSize?: number;
  timing?: FlashTiming;
  /** Seed for torn-operation damage. */
  seed?: number;
  /** Initial contents (copied); default all 0xFF (erased). */
  contents?: Uint8Array;
}

export class NorFlash implements FlashDevice {
  readonly size: number;
  readonly sectorSize: number;
  readonly pageSize: number;
  readonly timing: FlashTiming;
  readonly data: Uint8Array;
  readonly eraseCounts: Uint32Array;
  /** Completed steps (page programs + sector erases) since construction. */
  steps = 0;
  programSteps = 0;
  eraseSteps = 0;
  bytesProgrammed = 0;
  busyUs = 0;
  lastOpUs = 0;
  powered = true;
  /** Steps still allowed before the armed power cut; -1 = none armed. */
  private cutBudget = -1;
  private rng: Rng;

  constructor(opts: NorFlashOptions = {}) {
    this.sectorSize = opts.sectorSize ?? 4096;
    this.size = opts.size ?? 16 * this.sectorSize;
    this.pageSize = opts.pageSize ?? 256;
    this.timing = opts.timing ?? W25Q32_TYPICAL;
    if (this.size % this.sectorSize || this.sectorSize % this.pageSize) throw new Error("flash: size must be whole sectors of whole pages");
    this.data = new Uint8Array(this.size).fill(0xff);
    if (opts.contents) this.data.set(opts.contents.subarray(0, this.size));
    this.eraseCounts = new Uint32Array(this.size / this.sectorSize);
    this.rng = new Rng(opts.seed ?? 1);
  }

  /** A copy with the same contents and counters (for running many cut scenarios from one state). */
  clone(seed?: number): NorFlash {
    const f = new NorFlash({ size: this.size, sectorSize: this.sectorSize, pageSize: this.pageSize, timing: this.timing, seed: seed ?? this.rng.u32(), contents: this.data });
    f.eraseCounts.set(this.eraseCounts);
    return f;
  }

  /** Arms a power cut: n more steps complete, the one after is torn. */
  cutAfter(n: number): void { this.cutBudget = n; }
  disarm(): void { this.cutBudget = -1; }
  powerOn(): void { this.powered = true; this.cutBudget = -1; }
  get cutPending(): boolean { return this.cutBudget >= 0; }

  read(off: number, len: number): Uint8Array | number {
    if (!this.powered) return HalStatus.Io;
    if (!(off >= 0 && len >= 0 && off + len <= this.size)) return HalStatus.OutOfRange;
    this.account(this.timing.commandUs + len / this.timing.readBytesPerUs);
    return this.data.slice(off, off + len);
  }

  /** Reads into a caller buffer (avoids a copy in the HAL bridge). */
  readInto(off: number, dst: Uint8Array): number {
    const r = this.read(off, 0);
    if (typeof r === "number") return r;
    if (!(off >= 0 && off + dst.length <= this.size)) return HalStatus.OutOfRange;
    this.account(dst.length / this.timing.readBytesPerUs);
    dst.set(this.data.subarray(off, off + dst.length));
    return HalStatus.Ok;
  }

  write(off: number, src: Uint8Array): number {
    if (!this.powered) return HalStatus.Io;
    if (!(off >= 0 && off + src.length <= this.size)) return HalStatus.OutOfRange;
    let us = 0, pos = 0;
    while (pos < src.length) {
      const at = off + pos;
      const n = Math.min(src.length - pos, this.pageSize - (at % this.pageSize));
      if (!this.step()) {
        this.tornProgram(at, src.subarray(pos, pos + n));
        this.account(us);
        return HalStatus.Io;
      }
      for (let i = 0; i < n; i++) this.data[at + i] &= src[pos + i];
      this.programSteps++;
      this.bytesProgrammed += n;
      us += this.timing.commandUs + this.timing.pageProgramUs;
      pos += n;
    }
    this.account(us);
    return HalStatus.Ok;
  }

  erase(off: number, len: number): number {
    if (!this.powered) return HalStatus.Io;
    if (off % this.sectorSize || len % this.sectorSize || len <= 0) return HalStatus.Invalid;
    if (!(off >= 0 && off + len <= this.size)) return HalStatus.OutOfRange;
    let us = 0;
    for (let s = off; s < off + len; s += this.sectorSize) {
      if (!this.step()) {
        this.tornErase(s);
        this.account(us);
        return HalStatus.Io;
      }
      this.data.fill(0xff, s, s + this.sectorSize);
      this.eraseCounts[s / this.sectorSize]++;
      this.eraseSteps++;
      us += this.timing.commandUs + this.timing.sectorEraseUs;
    }
    this.account(us);
    return HalStatus.Ok;
  }

  /** True if the step may complete; false if power fails during it. */
  private step(): boolean {
    if (this.cutBudget === 0) { this.powered = false; this.cutBudget = -1; return false; }
    if (this.cutBudget > 0) this.cutBudget--;
    this.steps++;
    return true;
  }

  private tornProgram(at: number, src: Uint8Array): void {
    const done = this.rng.int(src.length + 1); // bytes fully programmed
    for (let i = 0; i < done; i++) this.data[at + i] &= src[i];
    // The word being programmed when power failed: some of its bits made it.
    const wordStart = done - (done % 4);
    for (let i = done; i < Math.min(src.length, wordStart + 4); i++) {
      const clear = ~src[i] & 0xff; // bits this byte wanted cleared
      const partial = clear & this.rng.u32() & 0xff;
      this.data[at + i] &= ~partial & 0xff;
    }
  }

  private tornErase(s: number): void {
    const progress = this.rng.float();
    for (let i = s; i < s + this.sectorSize; i++) {
      let set = 0;
      for (let b = 0; b < 8; b++) if (this.rng.float() < progress) set |= 1 << b;
      this.data[i] |= set;
    }
    this.eraseCounts[s / this.sectorSize]++;
  }

  private account(us: number): void {
    this.lastOpUs = us;
    this.busyUs += us;
  }

  /** Max and mean erase counts over sectors. */
  wear(): { max: number; mean: number; min: number } {
    let max = 0, min = Infinity, sum = 0;
    for (const c of this.eraseCounts) { max = Math.max(max, c); min = Math.min(min, c); sum += c; }
    return { max, min, mean: sum / this.eraseCounts.length };
  }
}

/**
 * hal.flash_* functions over one NorFlash per partition, for harnesses and board models.
 * `memory()` returns the module's current linear memory.
 */
export function flashHal(partitions: Map<number, FlashDevice>, memory: () => WebAssembly.Memory) {
  const dev = (p: number) => partitions.get(p);
  return {
    flash_size: (p: number) => dev(p)?.size ?? HalStatus.NoDevice,
    flash_sector_size: (p: number) => dev(p)?.sectorSize ?? HalStatus.NoDevice,
    flash_read: (p: number, off: number, buf: number, len: number) => {
      const d = dev(p);
      if (!d) return HalStatus.NoDevice;
      const r = d.read(off, len);
      if (typeof r === "number") return r;
      new Uint8Array(memory().buffer).set(r, buf);
      return HalStatus.Ok;
    },
    flash_write: (p: number, off: number, buf: number, len: number) => {
      const d = dev(p);
      if (!d) return HalStatus.NoDevice;
      return d.write(off, new Uint8Array(memory().buffer).slice(buf, buf + len));
    },
    flash_erase: (p: number, off: number, len: number) => {
      const d = dev(p);
      if (!d) return HalStatus.NoDevice;
      return d.erase(off, len);
    },
  };
}
