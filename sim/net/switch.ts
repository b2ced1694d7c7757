// A learning Ethernet switch (IEEE 802.1D transparent bridging, without spanning tree).
// Each switch port is attached to a Port (normally one end of a Link; the other end goes to
// a device). Forwarding is immediate: the links model serialisation and delay.

import type { Scheduler } from "../core/scheduler.ts";
import type { Rng } from "../core/rng.ts";
import { Link, type LinkOptions } from "./link.ts";
import { isGroupMac, macKey, type Port } from "./port.ts";

export interface SwitchOptions {
  ports: number;
  /** MAC table capacity; when full, new addresses are not learned (their frames flood). */
  macTableSize?: number;
  /** Ageing time of a learned address (802.1D default 300 s). */
  ageingUs?: number;
}

export interface SwitchCounters {
  forwarded: number;
  flooded: number;
  /** Destination is on the ingress port. */
  filtered: number;
  learned: number;
  /** Source not learned because the table was full. */
  tableFull: number;
  /** Shorter than an Ethernet header. */
  runts: number;
}

interface Entry { port: number; seen: number }

export class Switch {
  readonly counters: SwitchCounters = { forwarded: 0, flooded: 0, filtered: 0, learned: 0, tableFull: 0, runts: 0 };
  private ports: (Port | null)[];
  private table = new Map<number, Entry>();
  private readonly capacity: number;
  private readonly ageingUs: number;

  constructor(private sched: Scheduler, opts: SwitchOptions) {
    this.ports = new Array(opts.ports).fill(null);
    this.capacity = opts.macTableSize ?? 1024;
    this.ageingUs = opts.ageingUs ?? 300e6;
  }

  get portCount(): number { return this.ports.length; }

  /** Connects switch port `index` to `port` (e.g. `link.b`). */
  attach(index: number, port: Port): void {
    if (index < 0 || index >= this.ports.length) throw new RangeError(`switch has no port ${index}`);
    if (this.ports[index]) throw new Error(`switch port ${index} already attached`);
    this.ports[index] = port;
    port.attach({ receive: (f) => this.ingress(index, f) });
    // A port losing carrier forgets its addresses, so hosts that moved are found by flooding.
    port.onLinkChange((up) => { if (!up) this.flushPort(index); });
  }

  /** Creates a link whose end `b` is switch port `index`; plug the device into `link.a`. */
  connectLink(index: number, rng: Rng, opts: LinkOptions = {}): Link {
    const link = new Link(this.sched, rng, { name: `sw${index}`, ...opts });
    this.attach(index, link.b);
    return link;
  }

  /** Port a MAC is currently learned on, or undefined (expired entries are not reported). */
  lookup(mac: Uint8Array): number | undefined {
    return this.live(macKey(mac))?.port;
  }

  get tableSize(): number {
    this.expire();
    return this.table.size;
  }

  flushPort(index: number): void {
    for (const [k, e] of this.table) if (e.port === index) this.table.delete(k);
  }

  private ingress(inPort: number, frame: Uint8Array): void {
    if (frame.length < 14) { this.counters.runts++; return; }
    if (!isGroupMac(frame, 6)) this.learn(macKey(frame, 6), inPort);
    const dst = isGroupMac(frame, 0) ? undefined : this.live(macKey(frame, 0));
    if (dst === undefined) {
      this.counters.flooded++;
      this.ports.forEach((p, i) => { if (p && i !== inPort) p.send(frame); });
    } else if (dst.port === inPort) {
      this.counters.filtered++;
    } else {
      this.counters.forwarded++;
      this.ports[dst.port]?.send(frame);
    }
  }

  private learn(key: number, port: number): void {
    const e = this.table.get(key);
    if (e) { e.port = port; e.seen = this.sched.now; return; }
    if (this.table.size >= this.capacity) this.expire();
    if (this.table.size >= this.capacity) { this.counters.tableFull++; return; }
    this.table.set(key, { port, seen: this.sched.now });
    this.counters.learned++;
  }

  private live(key: number): Entry | undefined {
    const e = this.table.get(key);
    if (e && this.sched.now - e.seen > this.ageingUs) { this.table.delete(key); return undefined; }
    return e;
  }

  private expire(): void {
    for (const [k, e] of this.table) if (this.sched.now - e.seen > this.ageingUs) this.table.delete(k);
  }
}
