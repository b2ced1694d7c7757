// A recursive-resolver stand-in (RFC 1035) on a SimHost: the judge of our stub resolver.
// A zone of A, AAAA and CNAME records (CNAME chains are followed and returned in full, as a
// recursive resolver does), NXDOMAIN / NODATA with an SOA in the authority section for
// negative caching (RFC 2308), a reply delay, and fault modes:
//   dead       silent
//   slow       replies after slowDelayUs
//   liar       first a forged reply with a wrong ID (and a wrong address), then the real one
//   truncate   UDP replies carry TC=1 and no answers; the full answer is served over TCP
//              (2-byte length framing, RFC 1035 4.2.2) through sim/hosts/tcp.ts
//   servfail / refused   that rcode for every query
// Queries received are logged (transport, id, name, type, source).

import type { SimHost, UdpSocket } from "./host.ts";
import { TcpLayer, type TcpConnection } from "./tcp.ts";
import { ip as toIp } from "./wire.ts";

export type DnsRecordSpec =
  | { name: string; type: "A"; value: string | number; ttl?: number }
  | { name: string; type: "AAAA"; value: string; ttl?: number }
  | { name: string; type: "CNAME"; value: string; ttl?: number };

export type DnsServerMode = "normal" | "dead" | "slow" | "liar" | "truncate" | "servfail" | "refused";

export interface DnsServerOptions {
  records: DnsRecordSpec[];
  /** Negative caching: the SOA returned with NXDOMAIN / NODATA. */
  soa?: { zone: string; ttl: number; minimum: number };
  delayUs?: number;
  slowDelayUs?: number;
  mode?: DnsServerMode;
  /** Serve DNS over TCP on this TcpLayer (created on the host when not given). */
  tcp?: TcpLayer | null;
}

export interface DnsQueryLog {
  time: number; transport: "udp" | "tcp"; id: number; name: string; qtype: number; src: number; sport: number; reply: string;
}

export const TYPE_A = 1, TYPE_CNAME = 5, TYPE_SOA = 6, TYPE_AAAA = 28;

export function encodeName(name: string): number[] {
  const out: number[] = [];
  for (const l of name.split(".").filter(Boolean)) out.push(l.length, ...Buffer.from(l, "latin1"));
  out.push(0);
  return out;
}

/** Reads an uncompressed-or-compressed name; returns [text, offset after]. */
export function readName(b: Uint8Array, off: number): [string, number] {
  const labels: string[] = [];
  let after = -1, hops = 0;
  for (;;) {
    if (off >= b.length) throw new Error("name runs past message");
    const l = b[off];
    if (l === 0) { if (after < 0) after = off + 1; break; }
    if ((l & 0xc0) === 0xc0) {
      if (++hops > 64) throw new Error("pointer loop");
      if (after < 0) after = off + 2;
      off = ((l & 0x3f) << 8) | b[off + 1];
      continue;
    }
    labels.push(Buffer.from(b.subarray(off + 1, off + 1 + l)).toString("latin1"));
    off += 1 + l;
  }
  return [labels.join("."), after];
}

export interface DnsParsedMessage {
  id: number; flags: number; rcode: number; tc: boolean; qr: boolean;
  question: { name: string; type: number; cls: number } | null;
  answers: { name: string; type: number; ttl: number; data: Uint8Array; text?: string }[];
  authority: { name: string; type: number; ttl: number }[];
}

/** Parser for tests and the server (not hardened: throws on garbage). */
export function parseDnsMessage(b: Uint8Array): DnsParsedMessage {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const flags = v.getUint16(2);
  const qd = v.getUint16(4), an = v.getUint16(6), ns = v.getUint16(8);
  let off = 12;
  let question: DnsParsedMessage["question"] = null;
  for (let i = 0; i < qd; i++) {
    const [name, e] = readName(b, off);
    if (i === 0) question = { name, type: v.getUint16(e), cls: v.getUint16(e + 2) };
    off = e + 4;
  }
  const rr = (n: number) => {
    const out: DnsParsedMessage["answers"] = [];
    for (let i = 0; i < n; i++) {
      const [name, e] = readName(b, off);
      const type = v.getUint16(e), ttl = v.getUint32(e + 4), rdl = v.getUint16(e + 8);
      const data = b.slice(e + 10, e + 10 + rdl);
      const r: DnsParsedMessage["answers"][number] = { name, type, ttl, data };
      if (type === TYPE_CNAME) r.text = readName(b, e + 10)[0];
      if (type === TYPE_A) r.text = Array.from(data).join(".");
      out.push(r);
      off = e + 10 + rdl;
    }
    return out;
  };
  const answers = rr(an);
  const authority = rr(ns);
  return { id: v.getUint16(0), flags, rcode: flags & 15, tc: (flags & 0x200) !== 0, qr: (flags & 0x8000) !== 0, question, answers, authority };
}

export function buildDnsQuery(id: number, name: string, qtype = TYPE_A): Uint8Array {
  return Uint8Array.from([id >> 8, id & 255, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, ...encodeName(name), qtype >> 8, qtype & 255, 0, 1]);
}

const be16 = (v: number) => [(v >> 8) & 255, v & 255];
const be32 = (v: number) => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];

export class DnsServer {
  mode: DnsServerMode;
  delayUs: number;
  slowDelayUs: number;
  readonly log: DnsQueryLog[] = [];
  records: DnsRecordSpec[];
  soa: { zone: string; ttl: number; minimum: number };
  /** Rewrites every UDP reply (fuzzing over the network); null drops it. */
  mutate: ((reply: Uint8Array) => Uint8Array | null) | null = null;
  readonly tcp: TcpLayer | null;
  private sock: UdpSocket;

  constructor(readonly host: SimHost, o: DnsServerOptions) {
    this.records = o.records;
    this.soa = o.soa ?? { zone: "example.com", ttl: 3600, minimum: 60 };
    this.delayUs = o.delayUs ?? 0;
    this.slowDelayUs = o.slowDelayUs ?? 3e6;
    this.mode = o.mode ?? "normal";
    this.sock = host.udp.bind(53, (data, from) => this.udpInput(data, from));
    this.tcp = o.tcp === null ? null : (o.tcp ?? new TcpLayer(host));
    this.tcp?.listen(53, (c) => this.tcpAccept(c));
  }

  queries(transport?: "udp" | "tcp"): DnsQueryLog[] { return this.log.filter((q) => !transport || q.transport === transport); }

  private findAll(name: string, type: string): DnsRecordSpec[] {
    const n = name.toLowerCase().replace(/\.$/, "");
    return this.records.filter((r) => r.name.toLowerCase() === n && r.type === type);
  }

  /** Builds the full reply for a query (message without TCP framing). */
  answer(q: Uint8Array, opts: { truncate?: boolean; idOverride?: number; forgeAddress?: boolean } = {}): { reply: Uint8Array; what: string } | null {
    if (q.length < 12) return null;
    const qv = new DataView(q.buffer, q.byteOffset, q.byteLength);
    if (qv.getUint16(2) & 0x8000 || qv.getUint16(4) !== 1) return null;
    let qname: string, qend: number;
    try { [qname, qend] = readName(q, 12); } catch { return null; }
    if (qend + 4 > q.length) return null;
    const qtype = qv.getUint16(qend), id = opts.idOverride ?? qv.getUint16(0);
    const question = Array.from(q.subarray(12, qend + 4));
    let rcode = 0;
    const ans: number[] = [];
    let anCount = 0, nsCount = 0;
    const auth: number[] = [];
    let what: string;
    const addRr = (owner: string, type: number, ttl: number, rdata: number[]) => {
      // The first owner is the question name: compress it with a pointer to offset 12.
      const nameBytes = owner.toLowerCase() === qname.toLowerCase() ? [0xc0, 12] : encodeName(owner);
      ans.push(...nameBytes, ...be16(type), 0, 1, ...be32(ttl), ...be16(rdata.length), ...rdata);
      anCount++;
    };
    if (this.mode === "servfail") { rcode = 2; what = "SERVFAIL"; }
    else if (this.mode === "refused") { rcode = 5; what = "REFUSED"; }
    else {
      let name = qname;
      let known = false;
      for (let hops = 0; hops < 16; hops++) {
        const c = this.findAll(name, "CNAME")[0];
        if (!c || qtype === TYPE_CNAME) break;
        known = true;
        addRr(name, TYPE_CNAME, c.ttl ?? 300, encodeName(String(c.value)));
        name = String(c.value);
      }
      const typeName = qtype === TYPE_A ? "A" : qtype === TYPE_AAAA ? "AAAA" : qtype === TYPE_CNAME ? "CNAME" : "?";
      const recs = this.findAll(name, typeName);
      for (const r of recs) {
        const rd = r.type === "A" ? be32(opts.forgeAddress ? 0x0a666666 : toIp(r.value))
          : r.type === "AAAA" ? Array.from(Buffer.from(r.value.replace(/:/g, "").padEnd(32, "0").slice(0, 32), "hex"))
          : encodeName(r.value);
        addRr(name, qtype, r.ttl ?? 300, rd);
      }
      if (this.records.some((r) => r.name.toLowerCase() === name.toLowerCase())) known = true;
      if (!recs.length) {
        if (!known) rcode = 3;
        const soa = [...encodeName(`ns.${this.soa.zone}`), ...encodeName(`hostmaster.${this.soa.zone}`),
          ...be32(1), ...be32(7200), ...be32(900), ...be32(1209600), ...be32(this.soa.minimum)];
        auth.push(...encodeName(this.soa.zone), ...be16(TYPE_SOA), 0, 1, ...be32(this.soa.ttl), ...be16(soa.length), ...soa);
        nsCount = 1;
        what = rcode === 3 ? "NXDOMAIN" : "NODATA";
      } else what = `${recs.length} ${typeName}`;
    }
    const rd = qv.getUint16(2) & 0x0100;
    let flags = 0x8000 | 0x0080 | rd | rcode;
    if (opts.truncate) {
      flags |= 0x0200;
      return { reply: Uint8Array.from([...be16(id), ...be16(flags), 0, 1, 0, 0, 0, 0, 0, 0, ...question]), what: `TC (${what})` };
    }
    return {
      reply: Uint8Array.from([...be16(id), ...be16(flags), 0, 1, ...be16(anCount), ...be16(nsCount), 0, 0, ...question, ...ans, ...auth]),
      what,
    };
  }

  private logQuery(transport: "udp" | "tcp", q: Uint8Array, src: number, sport: number, reply: string): void {
    let name = "?", qtype = 0;
    try {
      const [n, e] = readName(q, 12);
      name = n; qtype = (q[e] << 8) | q[e + 1];
    } catch { /* logged as '?' */ }
    this.log.push({ time: this.host.sched.now, transport, id: q.length >= 2 ? (q[0] << 8) | q[1] : -1, name, qtype, src, sport, reply });
  }

  private udpInput(q: Uint8Array, from: { ip: number; port: number }): void {
    const sched = this.host.sched;
    if (this.mode === "dead") { this.logQuery("udp", q, from.ip, from.port, "dropped (dead)"); return; }
    const a = this.answer(q, { truncate: this.mode === "truncate" });
    this.logQuery("udp", q, from.ip, from.port, a ? a.what : "malformed");
    if (!a) return;
    const send = (b: Uint8Array) => {
      const out = this.mutate ? this.mutate(b) : b;
      if (out) this.sock.sendTo(from.ip, from.port, out);
    };
    const delay = this.delayUs + (this.mode === "slow" ? this.slowDelayUs : 0);
    if (this.mode === "liar") {
      // An off-path spoofer racing the real server: wrong ID, wrong address, sent at once.
      const forged = this.answer(q, { idOverride: (((q[0] << 8) | q[1]) ^ 0x5a5a) & 0xffff, forgeAddress: true });
      if (forged) sched.after(0, () => send(forged.reply), "dns liar");
    }
    sched.after(delay, () => send(a.reply), "dns reply");
  }

  private tcpAccept(c: TcpConnection): void {
    let buf = new Uint8Array(0);
    c.onData = (d) => {
      const nb = new Uint8Array(buf.length + d.length);
      nb.set(buf); nb.set(d, buf.length);
      buf = nb;
      while (buf.length >= 2) {
        const n = (buf[0] << 8) | buf[1];
        if (buf.length < 2 + n) break;
        const q = buf.slice(2, 2 + n);
        buf = buf.slice(2 + n);
        if (this.mode === "dead") { this.logQuery("tcp", q, c.remoteIp, c.remotePort, "dropped (dead)"); continue; }
        const a = this.answer(q);
        this.logQuery("tcp", q, c.remoteIp, c.remotePort, a ? a.what : "malformed");
        if (!a) { c.close(); return; }
        const framed = new Uint8Array(2 + a.reply.length);
        framed[0] = a.reply.length >> 8; framed[1] = a.reply.length & 255;
        framed.set(a.reply, 2);
        this.host.sched.after(this.delayUs, () => { if (c.state === "ESTABLISHED" || c.state === "CLOSE-WAIT") c.send(framed); }, "dns tcp reply");
      }
    };
    c.onPeerClosed = () => c.close();
  }
}
