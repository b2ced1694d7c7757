// The simulated air: radios on 2.4 GHz channels at positions in metres. Received power
// follows a log-distance path-loss model with seeded log-normal fading; a frame reaches
// every powered radio on the same channel whose signal clears the receiver sensitivity,
// after its airtime at the PHY rate. A tap sees every frame sent (for the air pcap).
import type { Scheduler } from "../core/scheduler.ts";
import type { Rng } from "../core/rng.ts";

export interface Position { x: number; y: number }

export interface RadioNode {
  readonly name: string;
  readonly mac: Buffer;
  channel: number;
  position: Position;
  txPowerDbm: number;
  powered: boolean;
  receiveAir(frame: Buffer, rssiDbm: number, from: RadioNode): void;
}

export interface MediumOptions {
  /** Path loss at 1 m (dB) and exponent: indoor 2.4 GHz is commonly ~40 dB and 3. */
  lossAt1mDb: number;
  pathLossExponent: number;
  fadingSdDb: number;
  sensitivityDbm: number;
  noiseFloorDbm: number;
}

const DEFAULTS: MediumOptions = { lossAt1mDb: 40, pathLossExponent: 3, fadingSdDb: 2, sensitivityDbm: -88, noiseFloorDbm: -95 };

export type AirTap = (time: number, frame: Buffer, channel: number, rssiDbm: number, rateMbps: number, from: RadioNode) => void;

/** OFDM airtime (802.11-2016 17.4.3): 20 µs preamble + 4 µs symbols of 16+6+8n bits. */
export function airtimeUs(bytes: number, rateMbps: number): number {
  const bitsPerSymbol = rateMbps * 4;
  return 20 + Math.ceil((16 + 6 + 8 * (bytes + 4)) / bitsPerSymbol) * 4;
}

export class Medium {
  readonly nodes: RadioNode[] = [];
  readonly opts: MediumOptions;
  private taps: AirTap[] = [];
  readonly counters = { sent: 0, delivered: 0, belowSensitivity: 0, airtimeUs: 0 };

  constructor(readonly scheduler: Scheduler, private readonly rng: Rng, opts: Partial<MediumOptions> = {}) {
    this.opts = { ...DEFAULTS, ...opts };
  }

  add(node: RadioNode): void { this.nodes.push(node); }
  tap(fn: AirTap): void { this.taps.push(fn); }
  get tapped(): boolean { return this.taps.length > 0; }

  /** Mean received power from a to b (no fading). */
  meanRssi(a: RadioNode, b: RadioNode): number {
    const d = Math.max(1, Math.hypot(a.position.x - b.position.x, a.position.y - b.position.y));
    return a.txPowerDbm - (this.opts.lossAt1mDb + 10 * this.opts.pathLossExponent * Math.log10(d));
  }

  /** One received-power sample with fading (from `rng` when a model keeps its own stream). */
  sampleRssi(a: RadioNode, b: RadioNode, rng: Rng = this.rng): number {
    return Math.round(this.meanRssi(a, b) + rng.normal(0, this.opts.fadingSdDb));
  }

  /** A fading stream of the air's seed for one consumer, so its draws do not shift the
   * numbers the frames on the air see (see Rng.fork). */
  fadingStream(name: string): Rng { return this.rng.fork(name); }

  /** Sends a frame; returns its airtime. Delivery happens after the airtime. */
  transmit(from: RadioNode, frame: Buffer, rateMbps = 24): number {
    const air = airtimeUs(frame.length, rateMbps);
    this.counters.sent++;
    this.counters.airtimeUs += air;
    const now = this.scheduler.now;
    for (const t of this.taps) t(now, frame, from.channel, Math.round(from.txPowerDbm), rateMbps, from);
    for (const to of this.nodes) {
      if (to === from || !to.powered || to.channel !== from.channel) continue;
      const rssi = this.sampleRssi(from, to);
      if (rssi < this.opts.sensitivityDbm) { this.counters.belowSensitivity++; continue; }
      // Near the sensitivity edge frames fail more often (a simple SNR-driven error rate).
      const margin = rssi - this.opts.sensitivityDbm;
      if (margin < 6 && this.rng.chance(1 - margin / 6)) continue;
      const copy = Buffer.from(frame);
      this.scheduler.after(air, () => {
        if (!to.powered || to.channel !== from.channel) return;
        this.counters.delivered++;
        to.receiveAir(copy, rssi, from);
      }, `air ${from.name}->${to.name}`);
    }
    return air;
  }
}
