// Test host for the ENC28J60 driver harness (test/harness/enc28j60.ts) against the chip
// model: the HAL's spi_transfer / gpio_irq_enable / board_info are wired to an
// Enc28j60Model; everything else comes from the fake HAL. Wasm deadlines and the INT pin
// run on the simulator's scheduler.
import { readFileSync } from "node:fs";
import { buildHarness } from "../../tools/build-harness.ts";
import { fakeHal } from "../assembly/fake-hal.js";
import { Scheduler, type EventHandle } from "../../sim/core/scheduler.ts";
import { Rng } from "../../sim/core/rng.ts";
import { Enc28j60Model, type Enc28j60Revision } from "../../sim/devices/enc28j60.ts";

export const SPI_DEVICE = 1, INT_PIN = 4;
export const OUR_MAC = Uint8Array.from([0x02, 0x11, 0x22, 0x33, 0x44, 0x55]);
const NO_DEADLINE = 0x7fffffffffffffffn;

export enum Variant { Correct = 0, EvenReadPointer = 1, TrustsPktif = 2 }

export interface BenchOptions {
  seed?: number;
  revision?: Enc28j60Revision;
  spiHz?: number;
  variant?: Variant;
  rxEnd?: number;
  fullDuplex?: boolean;
  housekeepingUs?: number;
  pktifMissProbability?: number;
  /** Transmit slots in the chip's buffer (the driver fits as many as rxEnd leaves room for). */
  txSlots?: number;
  /** Room the driver keeps for the chip before advancing ERXRDPT (-1 default, 0 = after every packet). */
  rxReserveBytes?: number;
}

/** Time on a 10 Mbit/s wire for a frame without FCS: preamble+SFD, frame+FCS (min 64), gap. */
export function wireTimeUs(frameLen: number): number {
  return ((8 + Math.max(frameLen + 4, 64) + 12) * 8) / 10;
}

let wasmModule: WebAssembly.Module | null = null;

export class Bench {
  readonly scheduler = new Scheduler();
  readonly model: Enc28j60Model;
  readonly wire: Uint8Array[] = [];
  /** When each frame in `wire` finished on the wire (µs). */
  readonly txDoneAt: number[] = [];
  readonly ex: any;
  /** GpioEdge the driver armed on the INT pin (0 off, 1 falling, 4 low level). */
  irqEdge = 0;
  get irqEnabled(): boolean { return this.irqEdge !== 0; }
  /** Called after every driver poll (e.g. a sender topping up the transmit queue). */
  afterPoll: (() => void) | null = null;
  private pollEvent: EventHandle | null = null;

  constructor(opts: BenchOptions = {}) {
    const rng = new Rng(opts.seed ?? 1);
    this.model = new Enc28j60Model({
      scheduler: this.scheduler, rng, revision: opts.revision,
      onInterruptLine: (level) => {
        // Falling: one call per high-to-low change. LowLevel: also re-delivered after each
        // poll while the line stays low (see pollNow), like the firmware's level re-check.
        if (this.irqEdge === 0 || (this.irqEdge !== 3 && level !== 0)) return;
        this.ex.on_gpio(INT_PIN, level, BigInt(this.scheduler.now));
        this.pollNow();
      },
      transmitToWire: (f) => { this.wire.push(f); this.txDoneAt.push(this.scheduler.now); },
    });
    this.model.faults.pktifMissProbability = opts.pktifMissProbability ?? 0.25;
    const spiHz = opts.spiHz ?? 16e6;
    this.model.setClockHz(spiHz);
    wasmModule ??= new WebAssembly.Module(readFileSync(buildHarness("enc28j60")));
    let instance: WebAssembly.Instance;
    const hal = fakeHal(() => (instance.exports as any).memory);
    const mem = () => new Uint8Array((instance.exports as any).memory.buffer);
    hal.board_info = (key: number) => (key === 1 ? SPI_DEVICE : key === 2 ? INT_PIN : key === 4 ? spiHz : -1);
    hal.spi_transfer = (device: number, tx: number, txLen: number, rx: number, rxLen: number) => {
      if (device !== SPI_DEVICE) return -2;
      const answer = this.model.transfer(mem().slice(tx, tx + txLen), rxLen);
      mem().set(answer, rx);
      return 0;
    };
    hal.gpio_irq_enable = (pin: number, edge: number) => {
      if (pin !== INT_PIN) return -1;
      this.irqEdge = edge;
      if (edge === 4 && this.model.interruptLevel === 0) this.scheduleLevelRedelivery();
      return 0;
    };
    hal.gpio_read = (pin: number) => (pin === INT_PIN ? this.model.interruptLevel : -1);
    instance = new WebAssembly.Instance(wasmModule, { hal });
    this.ex = instance.exports;
    this.ex._start();
    const macHigh = (OUR_MAC[0] << 8) | OUR_MAC[1];
    const macLow = ((OUR_MAC[2] << 24) | (OUR_MAC[3] << 16) | (OUR_MAC[4] << 8) | OUR_MAC[5]) >>> 0;
    this.ex.create(opts.variant ?? Variant.Correct, macHigh, macLow, opts.rxEnd ?? -1, opts.fullDuplex ?? false, BigInt(opts.housekeepingUs ?? 20_000),
      opts.txSlots ?? -1, opts.rxReserveBytes ?? -2);
  }

  private redelivery: EventHandle | null = null;
  private redeliveriesAt = { time: -1, count: 0 };

  /** LowLevel: the host calls on_gpio again while the line is low, after the module polled. */
  private scheduleLevelRedelivery(): void {
    if (this.redelivery) return;
    this.redelivery = this.scheduler.after(0, () => {
      this.redelivery = null;
      if (this.irqEdge !== 4 || this.model.interruptLevel !== 0) return;
      const r = this.redeliveriesAt;
      if (r.time === this.scheduler.now) { if (++r.count > 1000) throw new Error("enc28j60 INT stuck low: the driver never clears the cause"); }
      else { r.time = this.scheduler.now; r.count = 0; }
      this.ex.on_gpio(INT_PIN, 0, BigInt(this.scheduler.now));
      this.pollNow();
    }, "INT low-level re-delivery");
  }

  get now(): number { return this.scheduler.now; }

  /** Calls the driver's poll now and schedules the next one at its deadline. */
  pollNow(): void {
    const deadline: bigint = this.ex.poll(BigInt(this.scheduler.now));
    this.scheduler.cancel(this.pollEvent);
    this.pollEvent = deadline === NO_DEADLINE ? null : this.scheduler.at(Math.max(Number(deadline), this.scheduler.now), () => this.pollNow(), "driver poll");
    if (this.irqEdge === 4 && this.model.interruptLevel === 0) this.scheduleLevelRedelivery();
    const after = this.afterPoll;
    if (after) after();
  }

  run(us: number): void { this.scheduler.runUntil(this.scheduler.now + us); }

  /** Powers up with the link up and runs until the driver is running. */
  start(): this {
    this.model.setLink(true);
    this.pollNow();
    this.run(10_000);
    return this;
  }

  transmit(frame: Uint8Array): boolean {
    const ok = this.offer(frame);
    this.pollNow();
    return ok;
  }

  /** Hands a frame to the driver without polling it afterwards. */
  offer(frame: Uint8Array): boolean {
    const p = this.ex.input_buffer();
    new Uint8Array(this.ex.memory.buffer).set(frame, p);
    return this.ex.transmit(p, frame.length, BigInt(this.scheduler.now)) !== 0;
  }

  /** `count` frames arrive back to back at 10 Mbit/s, starting now. Returns what was sent. */
  receiveStream(count: number, make: (i: number) => Uint8Array): Uint8Array[] {
    const frames: Uint8Array[] = [];
    let t = this.scheduler.now;
    for (let i = 0; i < count; i++) {
      const f = make(i);
      frames.push(f);
      t += wireTimeUs(f.length);
      this.scheduler.at(Math.ceil(t), () => this.model.receiveFromWire(f), "wire rx");
    }
    return frames;
  }

  /** A sender that keeps the driver's transmit queue full with `count` frames (topped up after
   *  every poll). Returns the frames in the order the driver accepted them and the number of
   *  refusals (transmit() returning false because every slot was busy). */
  transmitStream(count: number, make: (i: number) => Uint8Array): { frames: Uint8Array[]; refused: () => number } {
    const frames: Uint8Array[] = [];
    let refused = 0;
    const top = () => {
      while (frames.length < count) {
        const f = make(frames.length);
        if (!this.offer(f)) { refused++; return; }
        frames.push(f);
      }
    };
    this.afterPoll = top;
    top();
    this.pollNow();
    return { frames, refused: () => refused };
  }

  /** Frames the driver handed to its sink since the last call. */
  takeFrames(): Uint8Array[] {
    const used = this.ex.rx_used();
    const bytes = new Uint8Array(this.ex.memory.buffer, this.ex.output_buffer(), used).slice();
    this.ex.rx_take();
    const frames: Uint8Array[] = [];
    for (let off = 0; off + 2 <= used;) {
      const len = bytes[off] | (bytes[off + 1] << 8);
      frames.push(bytes.slice(off + 2, off + 2 + len));
      off += 2 + len;
    }
    return frames;
  }

  counter(id: number): number { return this.ex.counter(id); }
}

/** A frame to us (or `dst`) with a recognisable payload: byte i of the payload is (seq + i) & 0xff. */
export function testFrame(seq: number, length: number, dst: Uint8Array = OUR_MAC): Uint8Array {
  const f = new Uint8Array(length);
  f.set(dst, 0);
  f.set([0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee], 6);
  f[12] = 0x88; f[13] = 0xb5; // local experimental ethertype
  f[14] = seq & 0xff; f[15] = (seq >> 8) & 0xff;
  for (let i = 16; i < length; i++) f[i] = (seq + i) & 0xff;
  return f;
}
