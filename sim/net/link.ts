// A point-to-point link between two ports with seeded, per-direction fault injection.
// Every random draw for a frame happens when it is sent, from the link's own RNG stream, so
// a run is a pure function of the seed and the order of sends.
//
// Per direction, a frame goes through: carrier check -> transmit queue (bandwidth limit,
// bounded, tail drop) -> loss -> corruption -> delay + jitter (FIFO) or reordering (extra
// delay, may overtake) -> optional duplicate -> delivery (dropped if the link went down
// meanwhile). Corrupted frames are delivered: they model errors an FCS check missed, or a
// receiver that wants to count them; a chip model may drop them itself.

import type { Scheduler } from "../core/scheduler.ts";
import type { Rng } from "../core/rng.ts";
import { Listeners, type FrameEndpoint, type Port } from "./port.ts";

export interface LinkParams {
  /** Probability that a frame is lost. */
  loss: number;
  /** Fixed one-way propagation delay (µs). */
  delayUs: number;
  /** Extra delay, uniform in [0, jitterUs]; order is kept (a frame never overtakes). */
  jitterUs: number;
  /** Probability that a frame is held back by reorderDelayUs and may be overtaken. */
  reorder: number;
  reorderDelayUs: number;
  /** Probability that a frame is delivered twice. */
  duplicate: number;
  /** Probability that a frame has corruptBits random bits flipped. */
  corrupt: number;
  corruptBits: number;
  /** Bits per second; 0 = unlimited (no serialisation delay, no queue). */
  bandwidthBps: number;
  /** Per-frame bytes counted for serialisation on top of the frame (Ethernet: 24 =
   *  preamble/SFD 8 + FCS 4 + inter-frame gap 12). */
  overheadBytes: number;
  /** Transmit queue bound, in frames, including the one being serialised. */
  queueFrames: number;
}

export const DEFAULT_LINK_PARAMS: Readonly<LinkParams> = {
  loss: 0, delayUs: 0, jitterUs: 0, reorder: 0, reorderDelayUs: 0, duplicate: 0,
  corrupt: 0, corruptBits: 1, bandwidthBps: 0, overheadBytes: 0, queueFrames: 64,
};

export interface LinkCounters {
  sent: number;        // frames handed to send()
  delivered: number;   // frames delivered (duplicates included)
  bytesDelivered: number;
  lost: number;
  corrupted: number;
  duplicated: number;
  reordered: number;
  queueDrops: number;  // tail drops at the transmit queue
  downDrops: number;   // sent while down, or in flight when the link went down
}

export type Direction = "ab" | "ba";

export interface LinkFrameEvent {
  dir: Direction;
  /** "tx": as handed to send(); "rx": as delivered to the far end. */
  at: "tx" | "rx";
  time: number;
  frame: Uint8Array;
}

function zeroCounters(): LinkCounters {
  return { sent: 0, delivered: 0, bytesDelivered: 0, lost: 0, corrupted: 0, duplicated: 0, reordered: 0, queueDrops: 0, downDrops: 0 };
}

class Channel {
  params: LinkParams;
  readonly counters = zeroCounters();
  /** Times at which queued frames finish serialisation (oldest first). */
  private txDone: number[] = [];
  /** Latest arrival time of an in-order frame, so jitter keeps FIFO order. */
  private lastArrival = 0;

  constructor(private link: Link, readonly dir: Direction, params: LinkParams) {
    this.params = params;
  }

  send(frame: Uint8Array, deliver: (f: Uint8Array) => void): void {
    const { sched, rng } = this.link;
    const p = this.params, c = this.counters;
    c.sent++;
    if (!this.link.up) { c.downDrops++; return; }

    let onWire = sched.now;
    if (p.bandwidthBps > 0) {
      while (this.txDone.length && this.txDone[0] <= sched.now) this.txDone.shift();
      if (this.txDone.length >= p.queueFrames) { c.queueDrops++; return; }
      const start = this.txDone.length ? this.txDone[this.txDone.length - 1] : sched.now;
      onWire = start + ((frame.length + p.overheadBytes) * 8 * 1e6) / p.bandwidthBps;
      this.txDone.push(onWire);
    }
    if (rng.chance(p.loss)) { c.lost++; return; }

    const copy = frame.slice();
    if (rng.chance(p.corrupt) && copy.length > 0) {
      c.corrupted++;
      for (let i = 0; i < p.corruptBits; i++) {
        const bit = rng.int(copy.length * 8);
        copy[bit >> 3] ^= 1 << (bit & 7);
      }
    }
    let arrival = onWire + p.delayUs + (p.jitterUs > 0 ? rng.float() * p.jitterUs : 0);
    if (rng.chance(p.reorder)) {
      c.reordered++;
      arrival += p.reorderDelayUs;
    } else {
      arrival = Math.max(arrival, this.lastArrival);
      this.lastArrival = arrival;
    }
    const dup = rng.chance(p.duplicate);
    if (dup) c.duplicated++;

    const generation = this.link.generation;
    const arrive = (f: Uint8Array) => {
      if (!this.link.up || this.link.generation !== generation) { c.downDrops++; return; }
      c.delivered++;
      c.bytesDelivered += f.length;
      deliver(f);
    };
    sched.at(arrival, () => arrive(copy), `link ${this.link.name} ${this.dir}`);
    if (dup) sched.at(arrival, () => arrive(copy.slice()), `link ${this.link.name} ${this.dir} dup`);
  }

  reset(): void {
    this.txDone = [];
  }
}

/** One end of a link; `send` transmits towards the other end. */
export class LinkEnd implements Port {
  endpoint: FrameEndpoint | null = null;
  constructor(private link: Link, private side: "a" | "b") {}
  attach(ep: FrameEndpoint): void { this.endpoint = ep; }
  send(frame: Uint8Array): void { this.link.transmit(this.side, frame); }
  get up(): boolean { return this.link.up; }
  onLinkChange(fn: (up: boolean) => void): () => void { return this.link.onLinkChange(fn); }
}

export interface LinkOptions {
  name?: string;
  /** Both directions. */
  params?: Partial<LinkParams>;
  /** Overrides for one direction, applied after `params`. */
  ab?: Partial<LinkParams>;
  ba?: Partial<LinkParams>;
}

export class Link {
  readonly name: string;
  readonly a: LinkEnd;
  readonly b: LinkEnd;
  readonly rng: Rng;
  up = true;
  /** Bumped on every down transition; in-flight frames of an older generation are dropped. */
  generation = 0;
  private channels: Record<Direction, Channel>;
  private linkListeners = new Listeners<[boolean]>();
  private frameListeners = new Listeners<[LinkFrameEvent]>();

  /** `rng` should be a stream of its own, e.g. `rng.fork("link:sta")`. */
  constructor(readonly sched: Scheduler, rng: Rng, opts: LinkOptions = {}) {
    this.name = opts.name ?? "link";
    this.rng = rng;
    const base = { ...DEFAULT_LINK_PARAMS, ...opts.params };
    this.channels = {
      ab: new Channel(this, "ab", { ...base, ...opts.ab }),
      ba: new Channel(this, "ba", { ...base, ...opts.ba }),
    };
    this.a = new LinkEnd(this, "a");
    this.b = new LinkEnd(this, "b");
  }

  /** Changes fault parameters at run time; frames already in flight keep their fate. */
  set(params: Partial<LinkParams>, dir: Direction | "both" = "both"): void {
    for (const d of dir === "both" ? (["ab", "ba"] as const) : [dir]) {
      this.channels[d].params = { ...this.channels[d].params, ...params };
    }
  }

  params(dir: Direction): Readonly<LinkParams> { return this.channels[dir].params; }
  counters(dir: Direction): Readonly<LinkCounters> { return this.channels[dir].counters; }

  /** Carrier change; both ends' listeners see it. Going down drops queued and in-flight frames. */
  setUp(up: boolean): void {
    if (up === this.up) return;
    this.up = up;
    if (!up) {
      this.generation++;
      this.channels.ab.reset();
      this.channels.ba.reset();
    }
    this.linkListeners.emit(up);
  }

  onLinkChange(fn: (up: boolean) => void): () => void { return this.linkListeners.add(fn); }

  /** Observes every frame at send time ("tx") and at delivery ("rx"): for pcap and traces. */
  onFrame(fn: (ev: LinkFrameEvent) => void): () => void { return this.frameListeners.add(fn); }

  /** @internal */
  transmit(from: "a" | "b", frame: Uint8Array): void {
    const dir: Direction = from === "a" ? "ab" : "ba";
    const to = from === "a" ? this.b : this.a;
    this.frameListeners.emit({ dir, at: "tx", time: this.sched.now, frame });
    this.channels[dir].send(frame, (f) => {
      this.frameListeners.emit({ dir, at: "rx", time: this.sched.now, frame: f });
      to.endpoint?.receive(f);
    });
  }
}
