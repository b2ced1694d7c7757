// A DHCP server (RFC 2131/2132) on a SimHost: the independent judge of our DHCP client.
// Pool allocation, OFFER/ACK/NAK, INIT-REBOOT, RENEWING (unicast) and REBINDING
// (broadcast) requests, DECLINE, RELEASE, INFORM; T1/T2 options; a configurable reply
// delay; fault modes (silence, NAK everything, dropping, reply mutation). Two servers on one
// network compete by simply instantiating two (each on its own host, with its own pool).
// Every message received is logged with the client id and hostname it carried.

import type { SimHost, UdpSocket } from "./host.ts";
import { ip as toIp, ipToString, prefixMask } from "./wire.ts";
import { macToString } from "../net/port.ts";

export const DHCP_SERVER_PORT = 67;
export const DHCP_CLIENT_PORT = 68;
export const MAGIC_COOKIE = 0x63825363;

export const DHCPDISCOVER = 1, DHCPOFFER = 2, DHCPREQUEST = 3, DHCPDECLINE = 4, DHCPACK = 5, DHCPNAK = 6,
  DHCPRELEASE = 7, DHCPINFORM = 8;
export const DHCP_TYPE_NAMES = ["", "DISCOVER", "OFFER", "REQUEST", "DECLINE", "ACK", "NAK", "RELEASE", "INFORM"];

export interface DhcpMessage {
  op: number; htype: number; hlen: number; hops: number;
  xid: number; secs: number; flags: number;
  ciaddr: number; yiaddr: number; siaddr: number; giaddr: number;
  chaddr: Uint8Array;
  /** Options in order of appearance (code -> value); repeated codes are concatenated (RFC 3396). */
  options: Map<number, Uint8Array>;
}

/** Parses a BOOTP/DHCP message (options field only; no overload). null when malformed. */
export function parseDhcpMessage(b: Uint8Array): DhcpMessage | null {
  if (b.length < 240) return null;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (v.getUint32(236) !== MAGIC_COOKIE) return null;
  const options = new Map<number, Uint8Array>();
  for (let i = 240; i < b.length;) {
    const code = b[i];
    if (code === 0) { i++; continue; }
    if (code === 255) break;
    if (i + 1 >= b.length) return null;
    const l = b[i + 1];
    if (i + 2 + l > b.length) return null;
    const val = b.slice(i + 2, i + 2 + l);
    const prev = options.get(code);
    options.set(code, prev ? Uint8Array.from([...prev, ...val]) : val);
    i += 2 + l;
  }
  return {
    op: b[0], htype: b[1], hlen: b[2], hops: b[3], xid: v.getUint32(4), secs: v.getUint16(8), flags: v.getUint16(10),
    ciaddr: v.getUint32(12), yiaddr: v.getUint32(16), siaddr: v.getUint32(20), giaddr: v.getUint32(24),
    chaddr: b.slice(28, 28 + Math.min(16, b[2])), options,
  };
}

/** Builds a message; options are written in the given order, then End, padded to 300 bytes. */
export function buildDhcpMessage(m: Partial<DhcpMessage> & { op: number; xid: number; chaddr: Uint8Array },
  options: [number, Uint8Array | number[]][]): Uint8Array {
  const opts: number[] = [];
  for (const [code, val] of options) {
    const bytes = Array.from(val);
    for (let i = 0; i < bytes.length || i === 0; i += 255) {
      const part = bytes.slice(i, i + 255);
      opts.push(code, part.length, ...part);
    }
  }
  opts.push(255);
  const b = new Uint8Array(Math.max(300, 240 + opts.length));
  const v = new DataView(b.buffer);
  b[0] = m.op; b[1] = m.htype ?? 1; b[2] = m.hlen ?? m.chaddr.length; b[3] = m.hops ?? 0;
  v.setUint32(4, m.xid >>> 0);
  v.setUint16(8, m.secs ?? 0);
  v.setUint16(10, m.flags ?? 0);
  v.setUint32(12, m.ciaddr ?? 0); v.setUint32(16, m.yiaddr ?? 0); v.setUint32(20, m.siaddr ?? 0); v.setUint32(24, m.giaddr ?? 0);
  b.set(m.chaddr.subarray(0, 16), 28);
  v.setUint32(236, MAGIC_COOKIE);
  b.set(opts, 240);
  return b;
}

export const u32be = (x: number): number[] => [(x >>> 24) & 255, (x >>> 16) & 255, (x >>> 8) & 255, x & 255];
export const readU32 = (b: Uint8Array | undefined, off = 0): number | undefined =>
  b && b.length >= off + 4 ? ((b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]) >>> 0 : undefined;

export interface DhcpServerOptions {
  /** First and last pool address (inclusive). */
  poolStart: number | string;
  poolEnd: number | string;
  /** Lease time in seconds; 0xffffffff = infinite. */
  leaseSecs?: number;
  /** T1/T2 in seconds; `null` leaves the option out (the client must use 0.5/0.875). */
  t1Secs?: number | null;
  t2Secs?: number | null;
  /** Subnet mask (default from the host's prefix), router and DNS servers. */
  mask?: number | string;
  router?: number | string | null;
  dns?: (number | string)[];
  domain?: string;
  /** Delay before each reply, in µs. */
  delayUs?: number;
  /** How long an OFFERed address stays reserved for the client. */
  offerHoldUs?: number;
  /** How long a DECLINEd address stays out of the pool. */
  declineHoldUs?: number;
  /**
   * INIT-REBOOT for an address we have no record of: "ack" (authoritative, free pool
   * address), "nak", or "silent" (RFC 2131 4.3.2: a server without a record stays quiet).
   */
  rebootUnknown?: "ack" | "nak" | "silent";
}

export interface DhcpLeaseRecord {
  ip: number;
  mac: string;
  clientKey: string;
  clientId: string | null;
  hostname: string | null;
  state: "offered" | "bound" | "released" | "declined";
  /** Virtual µs; Infinity for infinite leases. */
  expires: number;
}

export interface DhcpLogEntry {
  time: number;
  type: string;
  xid: number;
  mac: string;
  clientId: string | null;
  hostname: string | null;
  ciaddr: number;
  requestedIp: number | null;
  serverId: number | null;
  broadcast: boolean;
  /** The parameter request list (option 55). */
  prl: number[];
  srcIp: number;
  /** What we did: "OFFER", "ACK", "NAK", "ignored: ...". */
  reply: string;
}

const hex = (b: Uint8Array | undefined): string | null => (b ? Buffer.from(b).toString("hex") : null);

export class DhcpServer {
  readonly opts: Required<Omit<DhcpServerOptions, "router" | "dns" | "domain" | "mask">> & { mask: number; router: number | null; dns: number[]; domain: string | null };
  readonly serverIp: number;
  readonly log: DhcpLogEntry[] = [];
  /** Replies sent, by type name. */
  readonly sent: Record<string, number> = {};
  /** Fault modes. */
  silent = false;
  nakAll = false;
  /** Drops the next n incoming messages. */
  dropNext = 0;
  /** Rewrites every reply before it is sent (fuzzing over the network); return null to drop. */
  mutate: ((reply: Uint8Array, type: number) => Uint8Array | null) | null = null;
  private leases = new Map<string, DhcpLeaseRecord>();
  private declined = new Map<number, number>(); // ip -> until
  private sock: UdpSocket;
  private poolStart: number;
  private poolEnd: number;

  constructor(readonly host: SimHost, o: DhcpServerOptions) {
    this.serverIp = host.ip;
    this.poolStart = toIp(o.poolStart);
    this.poolEnd = toIp(o.poolEnd);
    this.opts = {
      poolStart: this.poolStart, poolEnd: this.poolEnd,
      leaseSecs: o.leaseSecs ?? 3600,
      t1Secs: o.t1Secs === undefined ? null : o.t1Secs,
      t2Secs: o.t2Secs === undefined ? null : o.t2Secs,
      mask: o.mask === undefined ? prefixMask(host.prefix) >>> 0 : toIp(o.mask),
      router: o.router === null ? null : o.router === undefined ? host.gateway || host.ip : toIp(o.router),
      dns: (o.dns ?? [host.ip]).map(toIp),
      domain: o.domain ?? null,
      delayUs: o.delayUs ?? 0,
      offerHoldUs: o.offerHoldUs ?? 60e6,
      declineHoldUs: o.declineHoldUs ?? 600e6,
      rebootUnknown: o.rebootUnknown ?? "ack",
    };
    this.sock = host.udp.bind(DHCP_SERVER_PORT, (data, from) => this.input(data, from.ip));
  }

  /** All lease records (any state). */
  get table(): DhcpLeaseRecord[] { return [...this.leases.values()]; }
  /** The bound lease of a MAC ("aa:bb:.."), if any and not expired. */
  leaseOf(mac: string): DhcpLeaseRecord | undefined {
    const l = [...this.leases.values()].find((x) => x.mac === mac && x.state === "bound");
    return l && l.expires > this.host.sched.now ? l : undefined;
  }
  /** True while a DECLINEd address is held out of the pool. */
  isDeclined(a: number | string): boolean { return (this.declined.get(toIp(a)) ?? -1) > this.now(); }
  messages(type: string): DhcpLogEntry[] { return this.log.filter((e) => e.type === type); }

  close(): void { this.sock.close(); }

  private now(): number { return this.host.sched.now; }

  private keyOf(m: DhcpMessage): string {
    const cid = m.options.get(61);
    return cid ? `id:${hex(cid)}` : `mac:${macToString(m.chaddr)}`;
  }

  private inPool(a: number): boolean { return a >= this.poolStart && a <= this.poolEnd; }
  private inSubnet(a: number): boolean {
    return ((a & this.opts.mask) >>> 0) === ((this.serverIp & this.opts.mask) >>> 0);
  }

  /** Who holds address a (a live offer or binding), if anyone. */
  private holder(a: number): DhcpLeaseRecord | undefined {
    for (const l of this.leases.values()) {
      if (l.ip !== a) continue;
      if ((l.state === "bound" || l.state === "offered") && l.expires > this.now()) return l;
    }
    return undefined;
  }

  private free(a: number, key: string): boolean {
    if (!this.inPool(a)) return false;
    const d = this.declined.get(a);
    if (d !== undefined && d > this.now()) return false;
    const h = this.holder(a);
    return !h || h.clientKey === key;
  }

  private pick(key: string, requested: number | undefined): number | null {
    const mine = this.leases.get(key);
    if (mine && (mine.state !== "declined") && this.free(mine.ip, key)) return mine.ip;
    if (requested !== undefined && this.free(requested, key)) return requested;
    for (let a = this.poolStart; a <= this.poolEnd; a++) {
      // Do not hand out an address another client held until it is reused last (like real servers).
      const prior = [...this.leases.values()].find((l) => l.ip === a && l.clientKey !== key);
      if (!prior && this.free(a, key)) return a;
    }
    for (let a = this.poolStart; a <= this.poolEnd; a++) if (this.free(a, key)) return a;
    return null;
  }

  private leaseUs(): number {
    return this.opts.leaseSecs === 0xffffffff ? Infinity : this.opts.leaseSecs * 1e6;
  }

  private input(data: Uint8Array, srcIp: number): void {
    const m = parseDhcpMessage(data);
    if (!m || m.op !== 1) return;
    const t = m.options.get(53)?.[0] ?? 0;
    const requested = readU32(m.options.get(50));
    const serverId = readU32(m.options.get(54));
    const hn = m.options.get(12);
    const entry: DhcpLogEntry = {
      time: this.now(), type: DHCP_TYPE_NAMES[t] ?? `type${t}`, xid: m.xid, mac: macToString(m.chaddr),
      clientId: hex(m.options.get(61)), hostname: hn ? Buffer.from(hn).toString("latin1") : null, ciaddr: m.ciaddr,
      requestedIp: requested ?? null, serverId: serverId ?? null, broadcast: (m.flags & 0x8000) !== 0,
      prl: Array.from(m.options.get(55) ?? []), srcIp, reply: "ignored",
    };
    this.log.push(entry);
    if (this.dropNext > 0) { this.dropNext--; entry.reply = "ignored: dropped"; return; }
    if (this.silent) { entry.reply = "ignored: silent"; return; }
    if (m.htype !== 1 || m.hlen !== 6) { entry.reply = "ignored: hardware type"; return; }
    const key = this.keyOf(m);
    const now = this.now();
    switch (t) {
      case DHCPDISCOVER: {
        if (this.nakAll) { entry.reply = "ignored: nakAll"; return; }
        const a = this.pick(key, requested);
        if (a === null) { entry.reply = "ignored: pool exhausted"; return; }
        const prev = this.leases.get(key);
        // Keep a bound lease bound (the client may be rediscovering); otherwise hold an offer.
        if (!(prev && prev.ip === a && prev.state === "bound" && prev.expires > now)) {
          this.leases.set(key, this.record(m, key, a, "offered", now + this.opts.offerHoldUs));
        }
        entry.reply = "OFFER";
        this.reply(m, DHCPOFFER, a, true);
        return;
      }
      case DHCPREQUEST: {
        if (this.nakAll) { entry.reply = "NAK"; this.nak(m, "nakAll"); return; }
        if (serverId !== undefined) {
          // SELECTING: a REQUEST naming another server tells us our offer was declined.
          if (serverId !== this.serverIp) {
            const l = this.leases.get(key);
            if (l && l.state === "offered") this.leases.delete(key);
            entry.reply = "ignored: other server";
            return;
          }
          const l = this.leases.get(key);
          if (!l || requested === undefined || l.ip !== requested || l.expires <= now || l.state === "declined" || l.state === "released") {
            entry.reply = "NAK"; this.nak(m, "no such offer"); return;
          }
          this.bind(l, m, now);
          entry.reply = "ACK";
          this.reply(m, DHCPACK, l.ip, true);
          return;
        }
        if (m.ciaddr === 0) {
          // INIT-REBOOT: verify a remembered address.
          if (requested === undefined) { entry.reply = "ignored: no requested address"; return; }
          if (!this.inSubnet(requested)) { entry.reply = "NAK"; this.nak(m, "wrong network"); return; }
          const l = this.leases.get(key);
          if (l && l.ip === requested && (l.state === "bound" || l.state === "offered")) {
            this.bind(l, m, now); entry.reply = "ACK"; this.reply(m, DHCPACK, l.ip, true); return;
          }
          const h = this.holder(requested);
          if ((h && h.clientKey !== key) || !this.free(requested, key)) { entry.reply = "NAK"; this.nak(m, "address not available"); return; }
          if (this.opts.rebootUnknown === "silent") { entry.reply = "ignored: unknown client"; return; }
          if (this.opts.rebootUnknown === "nak") { entry.reply = "NAK"; this.nak(m, "no record"); return; }
          const rec = this.record(m, key, requested, "bound", now);
          this.leases.set(key, rec);
          this.bind(rec, m, now);
          entry.reply = "ACK";
          this.reply(m, DHCPACK, requested, true);
          return;
        }
        // RENEWING (unicast) or REBINDING (broadcast): ciaddr is the client's address.
        const l = this.leases.get(key);
        if (!l || l.ip !== m.ciaddr || l.state !== "bound" || l.expires <= now) {
          entry.reply = "NAK"; this.nak(m, "lease unknown"); return;
        }
        this.bind(l, m, now);
        entry.reply = "ACK";
        this.reply(m, DHCPACK, l.ip, true);
        return;
      }
      case DHCPDECLINE: {
        if (serverId !== undefined && serverId !== this.serverIp) { entry.reply = "ignored: other server"; return; }
        if (requested !== undefined) this.declined.set(requested, now + this.opts.declineHoldUs);
        const l = this.leases.get(key);
        if (l && (requested === undefined || l.ip === requested)) l.state = "declined";
        entry.reply = "declined";
        return;
      }
      case DHCPRELEASE: {
        if (serverId !== undefined && serverId !== this.serverIp) { entry.reply = "ignored: other server"; return; }
        const l = this.leases.get(key);
        if (l && l.ip === m.ciaddr) { l.state = "released"; l.expires = now; }
        entry.reply = "released";
        return;
      }
      case DHCPINFORM: {
        entry.reply = "ACK";
        this.reply(m, DHCPACK, 0, false);
        return;
      }
      default:
        entry.reply = "ignored: type";
    }
  }

  private record(m: DhcpMessage, key: string, a: number, state: DhcpLeaseRecord["state"], expires: number): DhcpLeaseRecord {
    const hn = m.options.get(12);
    return {
      ip: a, mac: macToString(m.chaddr), clientKey: key, clientId: hex(m.options.get(61)),
      hostname: hn ? Buffer.from(hn).toString("latin1") : null, state, expires,
    };
  }

  private bind(l: DhcpLeaseRecord, m: DhcpMessage, now: number): void {
    l.state = "bound";
    l.expires = now + this.leaseUs();
    const hn = m.options.get(12);
    if (hn) l.hostname = Buffer.from(hn).toString("latin1");
  }

  private nak(m: DhcpMessage, why: string): void {
    const opts: [number, number[]][] = [[53, [DHCPNAK]], [54, u32be(this.serverIp)], [56, Array.from(Buffer.from(why))]];
    const cid = m.options.get(61);
    if (cid) opts.push([61, Array.from(cid)]);
    const b = buildDhcpMessage({ op: 2, xid: m.xid, chaddr: m.chaddr, flags: m.flags, giaddr: m.giaddr }, opts);
    // RFC 2131 4.1: a NAK is broadcast when the client may have no usable address.
    this.send(b, DHCPNAK, 0xffffffff, undefined);
  }

  private reply(m: DhcpMessage, type: number, yiaddr: number, withLease: boolean): void {
    const prl = m.options.get(55);
    const wants = (code: number) => !prl || prl.includes(code);
    const opts: [number, number[]][] = [[53, [type]], [54, u32be(this.serverIp)]];
    if (withLease) {
      const lease = this.opts.leaseSecs >>> 0;
      opts.push([51, u32be(lease)]);
      if (this.opts.t1Secs !== null) opts.push([58, u32be(this.opts.t1Secs >>> 0)]);
      if (this.opts.t2Secs !== null) opts.push([59, u32be(this.opts.t2Secs >>> 0)]);
    }
    if (wants(1)) opts.push([1, u32be(this.opts.mask)]);
    if (wants(3) && this.opts.router !== null) opts.push([3, u32be(this.opts.router)]);
    if (wants(6) && this.opts.dns.length) opts.push([6, this.opts.dns.flatMap(u32be)]);
    if (wants(15) && this.opts.domain) opts.push([15, Array.from(Buffer.from(this.opts.domain))]);
    const b = buildDhcpMessage({
      op: 2, xid: m.xid, chaddr: m.chaddr, flags: m.flags, ciaddr: type === DHCPACK ? m.ciaddr : 0, yiaddr,
      siaddr: this.serverIp, giaddr: m.giaddr,
    }, opts);
    // RFC 2131 4.1 reply addressing (no relays here).
    if (m.ciaddr !== 0) this.send(b, type, m.ciaddr, undefined);
    else if (m.flags & 0x8000) this.send(b, type, 0xffffffff, undefined);
    else this.send(b, type, yiaddr, m.chaddr);
  }

  private send(b: Uint8Array, type: number, dst: number, dstMac: Uint8Array | undefined): void {
    const go = () => {
      let out: Uint8Array | null = b;
      if (this.mutate) out = this.mutate(b, type);
      if (!out) return;
      const name = DHCP_TYPE_NAMES[type];
      this.sent[name] = (this.sent[name] ?? 0) + 1;
      this.sock.sendTo(dst, DHCP_CLIENT_PORT, out, dstMac ? { dstMac } : undefined);
    };
    if (this.opts.delayUs > 0) this.host.sched.after(this.opts.delayUs, go, "dhcp server reply");
    else go();
  }

  toString(): string { return `dhcp-server(${ipToString(this.serverIp)})`; }
}
