// A simulated IPv4 host: the independent peer our stack is judged against. ARP (RFC 826),
// IPv4 (RFC 791/1122, no fragmentation), ICMP echo and port unreachable (RFC 792), UDP
// sockets (RFC 768). Other protocols plug in per IP protocol number (`onIpProtocol`), per
// UDP port (`udp.bind`), or per ethertype (`onEthertype`). Everything runs on the
// scheduler: no real timers.

import type { Scheduler, EventHandle } from "../core/scheduler.ts";
import type { Rng } from "../core/rng.ts";
import { BROADCAST_MAC, macEquals, parseMac, type FrameEndpoint, type Mac, type Port } from "../net/port.ts";
import {
  ETHERTYPE_ARP, ETHERTYPE_IPV4, IPPROTO_ICMP, IPPROTO_UDP, buildIcmp, buildIpv4, buildUdp, checksum, ethFrame, ip,
  ipToString, parseIpv4, prefixMask, pseudoSum, type Ipv4BuildOptions, type Ipv4Packet,
} from "./wire.ts";

export interface ArpConfig {
  /** Request retransmission interval. */
  retryUs: number;
  /** Requests sent before giving up and dropping the queue. */
  tries: number;
  /** Cache entry lifetime. */
  ageingUs: number;
  /** Packets queued per unresolved address (older ones dropped first, RFC 1122 2.3.2.2). */
  queueLimit: number;
}

export interface SimHostOptions {
  name?: string;
  mac: Mac | string;
  ip: number | string;
  prefix?: number;
  gateway?: number | string;
  arp?: Partial<ArpConfig>;
}

export interface HostCounters {
  rxFrames: number; txFrames: number;
  badEthertype: number; badIp: number; badIpChecksum: number; ipFragments: number; notForUs: number;
  noProtocol: number; noRoute: number;
  arpRequests: number; arpReplies: number; arpFailures: number; arpQueueDrops: number;
  badIcmp: number; badUdp: number; badUdpChecksum: number; udpNoPort: number;
}

export interface PingOptions {
  count?: number;
  /** ICMP payload bytes (default 56, as ping(8)). */
  size?: number;
  intervalUs?: number;
  /** Time after the last request at which the run is declared done. */
  timeoutUs?: number;
}

/** Filled in as replies arrive; `done` is set once all are answered or timed out. */
export interface PingResult {
  sent: number;
  received: number;
  /** Round-trip times in virtual µs, per answered sequence number, in arrival order. */
  rttsUs: number[];
  /** Sequence numbers seen more than once. */
  duplicates: number;
  lost: number;
  done: boolean;
}

export type UdpHandler = (data: Uint8Array, from: { ip: number; port: number }, pkt: Ipv4Packet) => void;

export interface IcmpMessage { from: number; type: number; code: number; rest: number; body: Uint8Array }

interface ArpEntry { mac: Mac; expires: number }
interface ArpPending { queue: Uint8Array[]; tries: number; timer: EventHandle | null }

export class UdpSocket {
  constructor(private udp: UdpLayer, readonly port: number, public onMessage: UdpHandler) {}
  sendTo(dst: number | string, dport: number, data: Uint8Array, opts?: SendIpOptions): boolean {
    return this.udp.send(this.port, ip(dst), dport, data, opts);
  }
  close(): void { this.udp.unbind(this.port); }
}

export class UdpLayer {
  private sockets = new Map<number, UdpSocket>();
  private nextEphemeral = 49152;

  constructor(private host: SimHost) {
    host.onIpProtocol(IPPROTO_UDP, (p) => this.input(p));
  }

  /** Binds `port` (0 = an ephemeral port). */
  bind(port: number, onMessage: UdpHandler = () => {}): UdpSocket {
    if (port === 0) {
      while (this.sockets.has(this.nextEphemeral)) this.nextEphemeral = this.nextEphemeral >= 65535 ? 49152 : this.nextEphemeral + 1;
      port = this.nextEphemeral;
    }
    if (this.sockets.has(port)) throw new Error(`${this.host.name}: UDP port ${port} in use`);
    const s = new UdpSocket(this, port, onMessage);
    this.sockets.set(port, s);
    return s;
  }

  unbind(port: number): void { this.sockets.delete(port); }

  send(sport: number, dst: number, dport: number, data: Uint8Array, opts?: SendIpOptions): boolean {
    const src = opts?.src ?? this.host.ip;
    return this.host.sendIp(dst, IPPROTO_UDP, buildUdp(src, dst, sport, dport, data), opts);
  }

  private input(p: Ipv4Packet): void {
    const c = this.host.counters;
    const u = p.payload;
    if (u.length < 8) { c.badUdp++; return; }
    const v = new DataView(u.buffer, u.byteOffset, u.byteLength);
    const len = v.getUint16(4);
    if (len < 8 || len > u.length) { c.badUdp++; return; }
    // A zero checksum means none was computed (RFC 768).
    if (v.getUint16(6) !== 0 && checksum(u, 0, len, pseudoSum(p.src, p.dst, IPPROTO_UDP, len)) !== 0) {
      c.badUdpChecksum++;
      return;
    }
    const dport = v.getUint16(2);
    const s = this.sockets.get(dport);
    if (!s) {
      c.udpNoPort++;
      // Not for broadcast/multicast destinations (RFC 1122 3.2.2).
      if (!this.host.isBroadcast(p.dst)) this.host.icmpError(3, 3, p);
      return;
    }
    s.onMessage(u.slice(8, len), { ip: p.src, port: v.getUint16(0) }, p);
  }
}

export interface SendIpOptions extends Ipv4BuildOptions {
  /** Source address (default: the host's). */
  src?: number;
  /** Send to this MAC without ARP (e.g. a DHCP server answering a client with no address). */
  dstMac?: Mac;
}

export class SimHost implements FrameEndpoint {
  readonly name: string;
  readonly mac: Mac;
  ip: number;
  prefix: number;
  gateway: number;
  readonly arpConfig: ArpConfig;
  readonly counters: HostCounters = {
    rxFrames: 0, txFrames: 0, badEthertype: 0, badIp: 0, badIpChecksum: 0, ipFragments: 0, notForUs: 0, noProtocol: 0,
    noRoute: 0, arpRequests: 0, arpReplies: 0, arpFailures: 0, arpQueueDrops: 0, badIcmp: 0, badUdp: 0, badUdpChecksum: 0,
    udpNoPort: 0,
  };
  readonly udp: UdpLayer;
  /** Accept IPv4 packets for any destination (e.g. for a router or sniffer built on top). */
  promiscuousIp = false;
  port: Port | null = null;

  private arpCache = new Map<number, ArpEntry>();
  private arpPending = new Map<number, ArpPending>();
  private ethertypes = new Map<number, (frame: Uint8Array) => void>();
  private protocols = new Map<number, (p: Ipv4Packet) => void>();
  private icmpListeners: ((m: IcmpMessage) => void)[] = [];
  private pings = new Map<number, { result: PingResult; sentAt: Map<number, number>; seen: Set<number> }>();
  private nextPingId: number;
  private ipId: number;

  constructor(readonly sched: Scheduler, readonly rng: Rng, opts: SimHostOptions) {
    this.name = opts.name ?? "host";
    this.mac = typeof opts.mac === "string" ? parseMac(opts.mac) : opts.mac;
    this.ip = ip(opts.ip);
    this.prefix = opts.prefix ?? 24;
    this.gateway = opts.gateway === undefined ? 0 : ip(opts.gateway);
    this.arpConfig = { retryUs: 1e6, tries: 3, ageingUs: 300e6, queueLimit: 8, ...opts.arp };
    this.nextPingId = rng.int(0x10000);
    this.ipId = rng.int(0x10000);
    this.ethertypes.set(ETHERTYPE_ARP, (f) => this.arpInput(f));
    this.ethertypes.set(ETHERTYPE_IPV4, (f) => this.ipInput(f));
    this.protocols.set(IPPROTO_ICMP, (p) => this.icmpInput(p));
    this.udp = new UdpLayer(this);
  }

  /** Plugs the host into a link end or switch port. */
  attach(port: Port): this {
    this.port = port;
    port.attach(this);
    return this;
  }

  // --- extension points ---

  onEthertype(type: number, fn: (frame: Uint8Array) => void): void { this.ethertypes.set(type, fn); }
  onIpProtocol(proto: number, fn: (p: Ipv4Packet) => void): void { this.protocols.set(proto, fn); }
  onIcmp(fn: (m: IcmpMessage) => void): () => void {
    this.icmpListeners.push(fn);
    return () => { this.icmpListeners = this.icmpListeners.filter((f) => f !== fn); };
  }

  // --- output ---

  sendFrame(dst: Mac, type: number, payload: Uint8Array): void {
    if (!this.port) return;
    this.counters.txFrames++;
    this.port.send(ethFrame(dst, this.mac, type, payload));
  }

  isBroadcast(a: number): boolean {
    const mask = prefixMask(this.prefix);
    return a === 0xffffffff || (this.prefix < 31 && a === ((this.ip & mask) | ~mask) >>> 0) || (a >>> 28) === 14;
  }

  onLink(a: number): boolean {
    const mask = prefixMask(this.prefix);
    return ((a & mask) >>> 0) === ((this.ip & mask) >>> 0);
  }

  /** Sends an IPv4 packet; false when there is no route or no port. ARP runs as needed. */
  sendIp(dst: number, proto: number, payload: Uint8Array, opts: SendIpOptions = {}): boolean {
    if (!this.port) return false;
    const src = opts.src ?? this.ip;
    const pkt = buildIpv4(src, dst, proto, payload, { id: (this.ipId = (this.ipId + 1) & 0xffff), ...opts });
    if (opts.dstMac) { this.sendFrame(opts.dstMac, ETHERTYPE_IPV4, pkt); return true; }
    if (this.isBroadcast(dst)) {
      // Multicast would map to 01:00:5e:..; nothing here uses it yet.
      this.sendFrame(BROADCAST_MAC, ETHERTYPE_IPV4, pkt);
      return true;
    }
    const hop = this.onLink(dst) ? dst : this.gateway;
    if (!hop) { this.counters.noRoute++; return false; }
    this.resolveAndSend(hop, pkt);
    return true;
  }

  // --- ARP (RFC 826) ---

  arpLookup(a: number): Mac | undefined {
    const e = this.arpCache.get(a);
    if (e && e.expires <= this.sched.now) { this.arpCache.delete(a); return undefined; }
    return e?.mac;
  }

  private resolveAndSend(hop: number, pkt: Uint8Array): void {
    const mac = this.arpLookup(hop);
    if (mac) { this.sendFrame(mac, ETHERTYPE_IPV4, pkt); return; }
    let p = this.arpPending.get(hop);
    if (!p) {
      p = { queue: [], tries: 0, timer: null };
      this.arpPending.set(hop, p);
      this.arpRequest(hop, p);
    }
    if (p.queue.length >= this.arpConfig.queueLimit) { p.queue.shift(); this.counters.arpQueueDrops++; }
    p.queue.push(pkt);
  }

  private arpRequest(target: number, p: ArpPending): void {
    if (p.tries >= this.arpConfig.tries) {
      this.arpPending.delete(target);
      this.counters.arpFailures++;
      this.counters.arpQueueDrops += p.queue.length;
      return;
    }
    p.tries++;
    this.counters.arpRequests++;
    this.sendFrame(BROADCAST_MAC, ETHERTYPE_ARP, this.arpPacket(1, new Uint8Array(6), target));
    p.timer = this.sched.after(this.arpConfig.retryUs, () => this.arpRequest(target, p), `${this.name} arp retry`);
  }

  private arpPacket(op: number, tha: Mac, tpa: number): Uint8Array {
    const a = new Uint8Array(28);
    const v = new DataView(a.buffer);
    v.setUint16(0, 1); // Ethernet
    v.setUint16(2, ETHERTYPE_IPV4);
    a[4] = 6; a[5] = 4;
    v.setUint16(6, op);
    a.set(this.mac, 8);
    v.setUint32(14, this.ip);
    a.set(tha, 18);
    v.setUint32(24, tpa);
    return a;
  }

  private arpInput(f: Uint8Array): void {
    const a = f.subarray(14);
    if (a.length < 28) { this.counters.badEthertype++; return; }
    const v = new DataView(a.buffer, a.byteOffset, a.byteLength);
    if (v.getUint16(0) !== 1 || v.getUint16(2) !== ETHERTYPE_IPV4 || a[4] !== 6 || a[5] !== 4) return;
    const op = v.getUint16(6);
    const sha = a.slice(8, 14), spa = v.getUint32(14), tpa = v.getUint32(24);
    // RFC 826 merge: refresh a known sender; add it if the request is for us.
    const forUs = this.ip !== 0 && tpa === this.ip;
    if (spa !== 0 && (this.arpCache.has(spa) || forUs || this.arpPending.has(spa))) this.learn(spa, sha);
    if (op === 1 && forUs) {
      this.counters.arpReplies++;
      this.sendFrame(sha, ETHERTYPE_ARP, this.arpPacket(2, sha, spa));
    }
  }

  private learn(addr: number, mac: Mac): void {
    this.arpCache.set(addr, { mac, expires: this.sched.now + this.arpConfig.ageingUs });
    const p = this.arpPending.get(addr);
    if (!p) return;
    this.arpPending.delete(addr);
    this.sched.cancel(p.timer);
    for (const pkt of p.queue) this.sendFrame(mac, ETHERTYPE_IPV4, pkt);
  }

  // --- IPv4 input ---

  receive(frame: Uint8Array): void {
    this.counters.rxFrames++;
    if (frame.length < 14) { this.counters.badEthertype++; return; }
    if (!macEquals(frame, 0, this.mac) && !(frame[0] & 1)) return; // not addressed to us
    const handler = this.ethertypes.get((frame[12] << 8) | frame[13]);
    if (!handler) { this.counters.badEthertype++; return; }
    handler(frame);
  }

  private ipInput(f: Uint8Array): void {
    const p = parseIpv4(f.subarray(14), f.slice(6, 12));
    if (typeof p === "string") {
      if (p === "checksum") this.counters.badIpChecksum++;
      else if (p === "fragment") this.counters.ipFragments++;
      else this.counters.badIp++;
      return;
    }
    if (!this.promiscuousIp && p.dst !== this.ip && !this.isBroadcast(p.dst)) { this.counters.notForUs++; return; }
    const h = this.protocols.get(p.proto);
    if (!h) {
      this.counters.noProtocol++;
      if (!this.isBroadcast(p.dst)) this.icmpError(3, 2, p); // protocol unreachable
      return;
    }
    h(p);
  }

  // --- ICMP (RFC 792) ---

  /** Sends an ICMP error quoting the offending header and first 8 payload bytes. */
  icmpError(type: number, code: number, p: Ipv4Packet): void {
    if (p.src === 0 || this.isBroadcast(p.src)) return; // RFC 1122 3.2.2
    const quote = new Uint8Array(p.header.length + Math.min(8, p.payload.length));
    quote.set(p.header);
    quote.set(p.payload.subarray(0, 8), p.header.length);
    this.sendIp(p.src, IPPROTO_ICMP, buildIcmp(type, code, 0, quote));
  }

  private icmpInput(p: Ipv4Packet): void {
    const m = p.payload;
    if (m.length < 8 || checksum(m) !== 0) { this.counters.badIcmp++; return; }
    const v = new DataView(m.buffer, m.byteOffset, m.byteLength);
    const msg: IcmpMessage = { from: p.src, type: m[0], code: m[1], rest: v.getUint32(4), body: m.slice(8) };
    if (msg.type === 8 && msg.code === 0) {
      // Echo reply from our own address, to the requester (no reply to broadcast pings).
      if (p.dst === this.ip) this.sendIp(p.src, IPPROTO_ICMP, buildIcmp(0, 0, msg.rest, msg.body));
    } else if (msg.type === 0) {
      this.pingReply(msg);
    }
    for (const fn of [...this.icmpListeners]) fn(msg);
  }

  /**
   * Sends `count` echo requests; the returned object fills in as replies arrive, and
   * `done` (optional) is called once with it when the run ends.
   */
  ping(dst: number | string, opts: PingOptions = {}, done?: (r: PingResult) => void): PingResult {
    const to = ip(dst);
    const count = opts.count ?? 1, size = opts.size ?? 56, interval = opts.intervalUs ?? 1e6;
    const timeout = opts.timeoutUs ?? 2e6;
    const id = (this.nextPingId = (this.nextPingId + 1) & 0xffff);
    const result: PingResult = { sent: 0, received: 0, rttsUs: [], duplicates: 0, lost: 0, done: false };
    const run = { result, sentAt: new Map<number, number>(), seen: new Set<number>() };
    this.pings.set(id, run);
    const payload = new Uint8Array(size);
    for (let i = 0; i < size; i++) payload[i] = i & 0xff;
    for (let seq = 0; seq < count; seq++) {
      this.sched.after(seq * interval, () => {
        run.sentAt.set(seq, this.sched.now);
        result.sent++;
        this.sendIp(to, IPPROTO_ICMP, buildIcmp(8, 0, ((id << 16) | seq) >>> 0, payload));
      }, `${this.name} ping`);
    }
    this.sched.after((count - 1) * interval + timeout, () => {
      this.pings.delete(id);
      result.lost = result.sent - result.received;
      result.done = true;
      done?.(result);
    }, `${this.name} ping done`);
    return result;
  }

  private pingReply(msg: IcmpMessage): void {
    const run = this.pings.get(msg.rest >>> 16);
    const seq = msg.rest & 0xffff;
    const t = run?.sentAt.get(seq);
    if (!run || t === undefined) return;
    if (run.seen.has(seq)) { run.result.duplicates++; return; }
    run.seen.add(seq);
    run.result.received++;
    run.result.rttsUs.push(this.sched.now - t);
  }

  toString(): string { return `${this.name}(${ipToString(this.ip)}/${this.prefix})`; }
}
