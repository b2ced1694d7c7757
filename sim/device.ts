// A simulated device: the exact build/stack.wasm (or its instruction-counting twin) running
// on a board model. This class is the simulator's implementation of the HAL (the same
// imports the ESP-IDF firmware implements in C) plus the event loop the firmware's main
// task runs: call poll(now), sleep until the returned deadline or an event, feed events in.
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type HalExports, type HalImports, halImportObject, BoardKey, HalError, LogLevel, MacKind, NO_DEADLINE, StagingKind, AccelCap,
} from "./generated/hal.ts";
import { type EventHandle, Scheduler, SimError } from "./core/scheduler.ts";
import { Rng } from "./core/rng.ts";
import { type BoardDefinition, loadBoard } from "./board.ts";
import { type CpuCost, InstructionCounter, WASM3_ESP32_240MHZ, cpuMicros } from "./cpu-model.ts";
import { Timeline } from "./timeline.ts";
import { FIRMWARE_ACCELERATORS, ACCEL_US, sha1BlockAt, aes128At, inetChecksumAt } from "./accelerators.ts";
import type { Esp32WifiRadio } from "./wifi/radio.ts";
import type { FlashDevice } from "./devices/flash.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const BUILD_RELEASE = join(root, "build/stack.wasm");
export const BUILD_COUNTED = join(root, "build/stack.counted.wasm");

/** ESP-IDF's polling SPI transaction has a fixed set-up cost besides the clocking (estimate
 *  for spi_device_polling_transmit on an ESP32 at 240 MHz). */
export const SPI_TRANSACTION_OVERHEAD_US = 4;

/** A part on the SPI bus (the ENC28J60 model implements it). */
export interface SpiDevice {
  transfer(tx: Uint8Array, rxLen: number): Uint8Array;
  readonly maxHz: number;
  setClockHz(hz: number): void;
}

/** Time as a part on the board sees it: during a call into the module the device's local
 *  clock runs ahead of the scheduler by the CPU time spent so far, so effects (a frame
 *  leaving the wire, a UART byte) happen when the modelled CPU gets there. */
export interface DeviceClock {
  readonly now: number;
  after(delayUs: number, fn: () => void, label?: string): EventHandle;
  at(time: number, fn: () => void, label?: string): EventHandle;
  cancel(h: EventHandle | null | undefined): void;
}

export interface DeviceOptions {
  name?: string;
  scheduler: Scheduler;
  rng: Rng;
  board: BoardDefinition | string;
  timeline?: Timeline;
  /** CPU cost model; null runs the release build with zero CPU cost. Default: wasm3 on ESP32. */
  cpu?: CpuCost | null;
  /** Override the module bytes (tests). */
  wasm?: Uint8Array;
  /** "throw" (default) fails the run loudly on a panic; "reboot" re-instantiates like hardware. */
  onPanic?: "throw" | "reboot";
  /** AccelCap bits the host offers; default: what our ESP32 firmware offers (sim/accelerators.ts); 0: none, the stack's own code. */
  accelerators?: number;
  logLevel?: number;
  /** eFuse base MAC; default derived from the name. */
  baseMac?: Uint8Array;
}

class RebootSignal extends Error {}

export class SimDevice implements HalImports {
  readonly name: string;
  readonly board: BoardDefinition;
  readonly timeline: Timeline;
  readonly scheduler: Scheduler;
  readonly clock: DeviceClock;
  readonly cpu: CpuCost | null;
  private readonly wasm: Uint8Array;
  private readonly hwRng: Rng;
  private readonly boardKeys: Record<number, string>;
  private exports!: HalExports;
  private counter: InstructionCounter | null = null;
  private radio: Esp32WifiRadio | null = null;

  // Parts on the board.
  private readonly spiDevices = new Map<number, { part: SpiDevice; hz: number }>();
  private readonly pinLevels = new Map<number, number>();
  private readonly pinIrq = new Map<number, number>();
  private readonly pinOutputListeners = new Map<number, ((level: number) => void)[]>();
  private readonly flash = new Map<number, FlashDevice & { lastOpUs?: number }>();
  private readonly uartListeners: ((port: number, bytes: Uint8Array, time: number) => void)[] = [];

  // CPU and event-loop state.
  private busyUntil = 0;
  private inCall = false;
  private callStart = 0;
  private callInstr = 0;
  private callCalls = 0;
  private hostCalls = 0;
  private blockingUs = 0;
  private pending: (() => void)[] = [];
  private serviceEvent: EventHandle | null = null;
  private wakeEvent: EventHandle | null = null;
  private rebootRequested = false;
  private levelRefires = 0;
  private levelRefireTime = -1;

  /** Totals for benchmarks and energy: CPU-busy virtual microseconds, instructions, calls. */
  readonly stats = { cpuBusyUs: 0, instructions: 0, calls: 0, exportCalls: 0, spiTransactions: 0, spiBusyUs: 0, boots: 0, panics: 0 };
  readonly panics: string[] = [];
  /** When set, every call into the module is recorded (benchmarks attribute work to events). */
  callTrace: { start: number; instructions: number }[] | null = null;
  uartOutput = "";

  constructor(private readonly opts: DeviceOptions) {
    this.name = opts.name ?? "dev0";
    this.scheduler = opts.scheduler;
    this.board = typeof opts.board === "string" ? loadBoard(opts.board) : opts.board;
    this.timeline = opts.timeline ?? new Timeline();
    this.cpu = opts.cpu === undefined ? WASM3_ESP32_240MHZ : opts.cpu;
    this.wasm = opts.wasm ?? readFileSync(this.cpu ? BUILD_COUNTED : BUILD_RELEASE);
    this.hwRng = opts.rng.fork(`${this.name}/hwrng`);
    this.boardKeys = Object.fromEntries(Object.entries(BoardKey).map(([k, v]) => [v, k]));
    const device = this;
    const s = this.scheduler;
    this.clock = {
      get now() { return device.localNow(); },
      after: (d, fn, label) => s.at(device.localNow() + Math.max(0, d), fn, label),
      at: (t, fn, label) => s.at(Math.max(t, s.now), fn, label),
      cancel: (h) => s.cancel(h),
    };
  }

  // ---- wiring parts ----

  attachSpi(device: number, part: SpiDevice): void {
    const slot = this.board.spi.find((x) => x.device === device);
    if (!slot) throw new SimError(`${this.board.name}: no SPI device ${device}`);
    if (slot.hz > part.maxHz) throw new SimError(`${this.board.name}: SPI device ${device} clock ${slot.hz} Hz exceeds the part's ${part.maxHz} Hz`);
    part.setClockHz(slot.hz);
    this.spiDevices.set(device, { part, hz: slot.hz });
  }

  attachFlash(partition: number, model: FlashDevice & { lastOpUs?: number }): void { this.flash.set(partition, model); }

  /** An input pin driven by a part (e.g. the ENC28J60 INT line). */
  setPinLevel(pin: number, level: number): void {
    const old = this.pinLevels.get(pin) ?? 1;
    this.pinLevels.set(pin, level);
    const edge = this.pinIrq.get(pin) ?? 0;
    const fire = old !== level && (edge === 3 || (edge === 1 && level === 0) || (edge === 2 && level === 1));
    const lowLevel = edge === 4 && level === 0;
    if (fire || lowLevel) this.deliver(() => this.exports.on_gpio(pin, level, this.nowBig()));
  }

  onPinOutput(pin: number, fn: (level: number) => void): void {
    const list = this.pinOutputListeners.get(pin) ?? [];
    list.push(fn);
    this.pinOutputListeners.set(pin, list);
  }

  onUart(fn: (port: number, bytes: Uint8Array, time: number) => void): void { this.uartListeners.push(fn); }

  /** Bytes typed into a UART (a person, the host CLI, a test). */
  uartInput(port: number, data: Uint8Array | string): void {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    this.deliver(() => {
      const cap = this.exports.staging_capacity(StagingKind.UartRx);
      const base = this.exports.staging_buffer(StagingKind.UartRx);
      for (let off = 0; off < bytes.length; off += cap) {
        const chunk = bytes.subarray(off, off + cap);
        this.mem().set(chunk, base);
        this.exports.on_uart_rx(port, chunk.length, this.nowBig());
      }
    });
  }

  // ---- life cycle ----

  boot(): void {
    // A restart stops the Wi-Fi blob first (esp_restart -> esp_wifi_stop), which leaves the BSS.
    if (this.radio && this.stats.boots > 0) this.radio.leave(3);
    const module = new WebAssembly.Module(this.wasm as BufferSource);
    const instance = new WebAssembly.Instance(module, halImportObject(this));
    this.exports = instance.exports as unknown as HalExports;
    this.counter = InstructionCounter.of(instance.exports);
    if (this.cpu && !this.counter) throw new SimError("CPU model on, but the module is not the instruction-counting build");
    this.stats.boots++;
    this.pinIrq.clear();
    this.scheduler.cancel(this.wakeEvent);
    this.wakeEvent = null;
    this.busyUntil = Math.max(this.busyUntil, this.scheduler.now);
    this.runCall(() => (this.exports as any).init());
    this.deliver(() => {});
  }

  /** Export access for tests and benchmarks (counters, mem_stat). */
  get module(): HalExports { return this.exports; }

  counterValue(id: number): number { return this.exports.counter(id) >>> 0; }

  // ---- event loop ----

  private nowBig(): bigint { return BigInt(Math.floor(this.localNow())); }

  private localNow(): number {
    if (!this.inCall) return Math.max(this.scheduler.now, this.busyUntil);
    let cpuUs = 0;
    if (this.cpu && this.counter) {
      cpuUs = cpuMicros(this.cpu, this.counter.instructions() - this.callInstr, this.counter.calls() - this.callCalls + this.hostCalls);
    }
    return this.callStart + cpuUs + this.blockingUs;
  }

  /** Queue an event for the module; it runs when the modelled CPU is free. */
  private deliver(fn: () => void): void {
    this.pending.push(fn);
    if (!this.serviceEvent) {
      this.serviceEvent = this.scheduler.at(Math.max(this.scheduler.now, this.busyUntil), () => this.service(), `${this.name} events`);
    }
  }

  private service(): void {
    this.serviceEvent = null;
    const events = this.pending;
    this.pending = [];
    for (const fn of events) this.runCall(fn);
    this.pollNow();
  }

  private pollNow(): void {
    let deadline = NO_DEADLINE;
    this.runCall(() => { deadline = this.exports.poll(this.nowBig()); });
    // A level-triggered line that is still active fires again, as the ESP32's GPIO level
    // interrupts do; a driver that never clears it would spin, so that is an error.
    for (const [pin, edge] of this.pinIrq) {
      if (edge !== 4 || (this.pinLevels.get(pin) ?? 1) !== 0) continue;
      const t = this.scheduler.now;
      this.levelRefires = t === this.levelRefireTime ? this.levelRefires + 1 : 0;
      this.levelRefireTime = t;
      if (this.levelRefires > 10_000) throw new SimError(`${this.name}: GPIO ${pin} stays low and the module never clears it (interrupt storm)`);
      this.deliver(() => this.exports.on_gpio(pin, 0, this.nowBig()));
    }
    this.scheduler.cancel(this.wakeEvent);
    this.wakeEvent = null;
    if (deadline !== NO_DEADLINE) {
      const at = Math.max(Number(deadline), this.busyUntil, this.scheduler.now);
      this.wakeEvent = this.scheduler.at(at, () => { this.wakeEvent = null; this.pollNow(); }, `${this.name} deadline`);
    }
  }

  private runCall(fn: () => void): void {
    if (this.inCall) throw new SimError(`${this.name}: re-entrant call into the module`);
    this.inCall = true;
    this.callStart = Math.max(this.scheduler.now, this.busyUntil);
    this.callInstr = this.counter?.instructions() ?? 0;
    this.callCalls = this.counter?.calls() ?? 0;
    this.hostCalls = 0;
    this.blockingUs = 0;
    try {
      fn();
    } catch (err) {
      if (!(err instanceof RebootSignal)) throw err;
    } finally {
      const end = this.localNow();
      if (this.counter) {
        if (this.callTrace) this.callTrace.push({ start: this.callStart, instructions: this.counter.instructions() - this.callInstr });
        this.stats.instructions += this.counter.instructions() - this.callInstr;
        this.stats.calls += this.counter.calls() - this.callCalls + this.hostCalls;
      }
      this.stats.cpuBusyUs += end - this.callStart;
      this.stats.exportCalls++;
      this.busyUntil = end;
      this.inCall = false;
    }
    if (this.rebootRequested) {
      this.rebootRequested = false;
      this.scheduler.at(this.busyUntil, () => this.boot(), `${this.name} reboot`);
    }
  }

  private mem(): Uint8Array { return new Uint8Array(this.exports.memory.buffer); }

  private checkRange(ptr: number, len: number): boolean {
    return ptr >= 0 && len >= 0 && ptr + len <= this.exports.memory.buffer.byteLength;
  }

  private halCall(): void { this.hostCalls++; }

  // ---- HAL imports (hal/abi.json) ----

  log(level: number, msg: number, len: number): void {
    this.halCall();
    if (!this.checkRange(msg, len)) throw new SimError(`${this.name}: hal.log outside memory`);
    if (level <= (this.opts.logLevel ?? LogLevel.Debug)) {
      this.timeline.log(this.localNow(), this.name, level, Buffer.from(this.mem().subarray(msg, msg + len)).toString("latin1"));
    }
  }

  panic(msg: number, len: number, line: number, column: number): void {
    const text = this.checkRange(msg, len) ? Buffer.from(this.mem().subarray(msg, msg + len)).toString("latin1") : "?";
    const what = `PANIC ${text} (${line}:${column})`;
    this.timeline.add(this.localNow(), this.name, what);
    this.panics.push(what);
    this.stats.panics++;
    if ((this.opts.onPanic ?? "throw") === "throw") throw new SimError(`${this.name}: ${what}`);
    this.rebootRequested = true;
    throw new RebootSignal();
  }

  random_fill(buf: number, len: number): void {
    this.halCall();
    if (!this.checkRange(buf, len)) throw new SimError(`${this.name}: hal.random_fill outside memory`);
    this.mem().set(this.hwRng.bytes(len), buf);
  }

  /** The eFuse base MAC (Espressif OUI 24:0A:C4 + 3 bytes from the device name, or opts.baseMac);
   *  Ethernet is base + 3, as ESP-IDF derives it. */
  factory_mac(kind: number, out: number): number {
    this.halCall();
    if (!this.checkRange(out, 6)) return HalError.Invalid;
    if (kind !== MacKind.WifiStation && kind !== MacKind.Ethernet) return HalError.Invalid;
    const mac = Buffer.from(this.baseMac);
    if (kind === MacKind.Ethernet) mac.writeUIntBE((mac.readUIntBE(3, 3) + 3) & 0xffffff, 3, 3);
    this.mem().set(mac, out);
    return HalError.Ok;
  }

  get baseMac(): Uint8Array {
    if (this.opts.baseMac) return this.opts.baseMac;
    let h = 0x811c9dc5;
    for (const c of this.name) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193);
    return Uint8Array.of(0x24, 0x0a, 0xc4, (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xfc);
  }

  board_info(key: number): number {
    this.halCall();
    return this.board.info[this.boardKeys[key]] ?? -1;
  }

  spi_transfer(device: number, tx: number, txLen: number, rx: number, rxLen: number): number {
    this.halCall();
    const slot = this.spiDevices.get(device);
    if (!slot) return HalError.NoDevice;
    if (!this.checkRange(tx, txLen) || !this.checkRange(rx, rxLen)) return HalError.Invalid;
    const answer = slot.part.transfer(this.mem().slice(tx, tx + txLen), rxLen);
    if (rxLen) this.mem().set(answer.subarray(0, rxLen), rx);
    const us = SPI_TRANSACTION_OVERHEAD_US + ((txLen + rxLen) * 8 * 1e6) / slot.hz;
    this.blockingUs += us;
    this.stats.spiTransactions++;
    this.stats.spiBusyUs += us;
    return HalError.Ok;
  }

  gpio_write(pin: number, level: number): number {
    this.halCall();
    for (const fn of this.pinOutputListeners.get(pin) ?? []) fn(level ? 1 : 0);
    this.pinLevels.set(pin, level ? 1 : 0);
    return HalError.Ok;
  }

  gpio_read(pin: number): number {
    this.halCall();
    return this.pinLevels.get(pin) ?? 1;
  }

  gpio_irq_enable(pin: number, edge: number): number {
    this.halCall();
    if (edge < 0 || edge > 4) return HalError.Invalid;
    this.pinIrq.set(pin, edge);
    // A level-triggered line that is already active fires at once, like the GPIO matrix.
    if (edge === 4 && (this.pinLevels.get(pin) ?? 1) === 0) this.deliver(() => this.exports.on_gpio(pin, 0, this.nowBig()));
    return HalError.Ok;
  }

  flash_size(partition: number): number {
    this.halCall();
    return this.flash.get(partition)?.size ?? HalError.NoDevice;
  }

  flash_sector_size(partition: number): number {
    this.halCall();
    return this.flash.get(partition)?.sectorSize ?? HalError.NoDevice;
  }

  flash_read(partition: number, offset: number, buf: number, len: number): number {
    this.halCall();
    const f = this.flash.get(partition);
    if (!f) return HalError.NoDevice;
    if (!this.checkRange(buf, len) || offset < 0 || offset + len > f.size) return HalError.OutOfRange;
    const data = f.read(offset, len);
    this.flashTime(f);
    if (typeof data === "number") return data;
    this.mem().set(data, buf);
    return HalError.Ok;
  }

  flash_write(partition: number, offset: number, buf: number, len: number): number {
    this.halCall();
    const f = this.flash.get(partition);
    if (!f) return HalError.NoDevice;
    if (!this.checkRange(buf, len)) return HalError.Invalid;
    const status = f.write(offset, this.mem().slice(buf, buf + len));
    this.flashTime(f);
    return status;
  }

  flash_erase(partition: number, offset: number, len: number): number {
    this.halCall();
    const f = this.flash.get(partition);
    if (!f) return HalError.NoDevice;
    const status = f.erase(offset, len);
    this.flashTime(f);
    return status;
  }

  /** Flash operations block the CPU (ESP-IDF's esp_partition_* calls wait for the chip). */
  private flashTime(f: { lastOpUs?: number }): void {
    this.blockingUs += f.lastOpUs ?? 0;
  }

  uart_write(port: number, buf: number, len: number): number {
    this.halCall();
    if (!this.checkRange(buf, len)) return HalError.Invalid;
    const bytes = this.mem().slice(buf, buf + len);
    if (port === (this.board.info.ConsoleUart ?? 0)) this.uartOutput += Buffer.from(bytes).toString("latin1");
    const t = this.localNow();
    for (const l of this.uartListeners) l(port, bytes, t);
    return len;
  }

  // The Wi-Fi radio slot: empty (Unsupported) until a radio model is attached.
  attachWifi(radio: Esp32WifiRadio): void {
    this.radio = radio;
    radio.client = {
      wifiEvent: (event, status, data) => this.deliver(() => {
        const cap = this.exports.staging_capacity(StagingKind.WifiEvent);
        const len = Math.min(cap, data.length);
        this.mem().set(data.subarray(0, len), this.exports.staging_buffer(StagingKind.WifiEvent));
        this.exports.on_wifi_event(event, status, len, this.nowBig());
      }),
      wifiRx: (kind, frame) => this.deliver(() => {
        if (frame.length > this.exports.staging_capacity(StagingKind.WifiRx)) return;
        this.mem().set(frame, this.exports.staging_buffer(StagingKind.WifiRx));
        this.exports.on_wifi_rx(kind, frame.length, this.nowBig());
      }),
    };
  }

  private wifiBytes(ptr: number, len: number): Uint8Array | null {
    return this.checkRange(ptr, len) ? this.mem().slice(ptr, ptr + len) : null;
  }

  private withRadio(fn: (r: Esp32WifiRadio) => number): number {
    this.halCall();
    return this.radio ? fn(this.radio) : HalError.Unsupported;
  }

  wifi_scan(params: number, len: number): number {
    return this.withRadio((r) => { const b = this.wifiBytes(params, len); return b ? r.scan(b) : HalError.Invalid; });
  }
  wifi_join(params: number, len: number): number {
    return this.withRadio((r) => { const b = this.wifiBytes(params, len); return b ? r.join(b) : HalError.Invalid; });
  }
  wifi_leave(reason: number): number { return this.withRadio((r) => r.leave(reason)); }
  wifi_tx(frame: number, len: number): number {
    return this.withRadio((r) => { const b = this.wifiBytes(frame, len); return b ? r.tx(b) : HalError.Invalid; });
  }
  wifi_eapol_tx(frame: number, len: number): number {
    return this.withRadio((r) => { const b = this.wifiBytes(frame, len); return b ? r.eapolTx(b) : HalError.Invalid; });
  }
  wifi_set_key(kind: number, index: number, key: number, keyLen: number, rsc: number): number {
    return this.withRadio((r) => {
      const k = this.wifiBytes(key, keyLen), c = this.wifiBytes(rsc, 6);
      return k && c ? r.setKey(kind, index, k, c) : HalError.Invalid;
    });
  }
  wifi_clear_keys(): number { return this.withRadio((r) => r.clearKeys()); }
  wifi_set_power_save(mode: number, listenInterval: number): number { return this.withRadio((r) => r.setPowerSave(mode, listenInterval)); }

  // The accelerators our firmware offers (sim/accelerators.ts), unless a test turns them off.
  private get accelerators(): number { return this.opts.accelerators ?? FIRMWARE_ACCELERATORS; }

  accel_caps(): number {
    this.halCall();
    return this.accelerators;
  }

  accel_sha1_block(state: number, block: number): void {
    this.halCall();
    this.accelMisuse(AccelCap.Sha1, "accel_sha1_block");
    if (!this.checkRange(state, 20) || !this.checkRange(block, 64)) return;
    sha1BlockAt(this.mem(), state, block);
    this.blockingUs += ACCEL_US.sha1Block;
  }

  accel_aes128_encrypt(key: number, input: number, output: number): void {
    this.halCall();
    this.accelMisuse(AccelCap.Aes128, "accel_aes128_encrypt");
    if (!this.checkRange(key, 16) || !this.checkRange(input, 16) || !this.checkRange(output, 16)) return;
    aes128At(this.mem(), key, input, output);
    this.blockingUs += ACCEL_US.aes128Block;
  }

  accel_inet_checksum(buf: number, len: number, seed: number): number {
    this.halCall();
    this.accelMisuse(AccelCap.InetChecksum, "accel_inet_checksum");
    if (!this.checkRange(buf, len)) return seed & 0xffff;
    this.blockingUs += len * ACCEL_US.checksumPerByte;
    return inetChecksumAt(this.mem(), buf, len, seed);
  }

  private accelMisuse(cap: number, name: string): void {
    if ((this.accelerators & cap) !== 0) return;
    throw new SimError(`${this.name}: ${name} called but the simulated board does not offer it (accel_caps bit ${cap})`);
  }

  system_reboot(reason: number): void {
    this.timeline.add(this.localNow(), this.name, `reboot requested (reason ${reason})`);
    this.rebootRequested = true;
    throw new RebootSignal();
  }
}
