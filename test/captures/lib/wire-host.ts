// Host side of test/harness/captures.ts: calls the stack's DHCP/DNS parsers in wasm and
// decodes the summaries they serialise into the output buffer.
import { loadHarness, type Harness } from "../../harness-host.ts";
import { ipToString } from "./frames.ts";

export const COUNTER = { DhcpRx: 60, DhcpTx: 61, DhcpDropMalformed: 62, DnsRx: 63, DnsTx: 64, DnsDropMalformed: 65 } as const;

class Reader {
  private dv: DataView;
  private o = 0;
  constructor(private h: Harness) {
    const mem = (h.exports.memory as WebAssembly.Memory).buffer;
    this.dv = new DataView(mem, h.outputPtr);
  }
  u32(): number { const v = this.dv.getUint32(this.o, true); this.o += 4; return v; }
  bytes(): Uint8Array {
    const n = this.u32();
    const b = new Uint8Array(this.dv.buffer, this.dv.byteOffset + this.o, n).slice();
    this.o += (n + 3) & ~3;
    return b;
  }
  text(): string { return Buffer.from(this.bytes()).toString("latin1"); }
}

export interface DhcpSummary {
  op: number; xid: number; ciaddr: string; yiaddr: string; siaddr: string; giaddr: string;
  flags: number; secs: number; present: number; messageType: number;
  serverId: string; leaseTime: number; renewalTime: number; rebindingTime: number;
  subnetMask: string; requestedIp: string; maxMessageSize: number; overload: number;
  repeated: number; badLength: number; listOverflow: number;
  routers: string[]; dnsServers: string[];
  hostname: string; clientId: Uint8Array; paramList: number[]; message: string; chaddr: Uint8Array;
}

export const DHCP_HAS = {
  MessageType: 1 << 0, ServerId: 1 << 1, LeaseTime: 1 << 2, RenewalTime: 1 << 3, RebindingTime: 1 << 4,
  SubnetMask: 1 << 5, Routers: 1 << 6, DnsServers: 1 << 7, Hostname: 1 << 8, ClientId: 1 << 9,
  RequestedIp: 1 << 10, ParamRequestList: 1 << 11, Message: 1 << 12, MaxMessageSize: 1 << 13,
  Overload: 1 << 14, End: 1 << 15,
} as const;

export const DHCP_TYPES = ["", "DISCOVER", "OFFER", "REQUEST", "DECLINE", "ACK", "NAK", "RELEASE", "INFORM"];

export interface DnsRecordSummary { name: string; type: number; cls: number; ttl: number; rdLen: number; a?: string; cname?: string }
export interface DnsSummary {
  id: number; flags: number; qr: boolean; opcode: number; aa: boolean; tc: boolean; rd: boolean; ra: boolean; rcode: number;
  qd: number; an: number; ns: number; ar: number; incomplete: boolean;
  question: { name: string; type: number; cls: number } | null;
  answers: DnsRecordSummary[]; answersDropped: number;
  soa: { ttl: number; minimum: number; negativeTtl: number } | null; optCount: number;
  resolved: { status: number; canonicalName: string; ttl: number; cnameHops: number; addresses: string[]; overflow: number } | null;
}

export const DNS_TYPES: Record<string, number> = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, TXT: 16, AAAA: 28, OPT: 41, RRSIG: 46 };

export class WireHost {
  private constructor(readonly h: Harness) {}
  static async load(): Promise<WireHost> { return new WireHost(await loadHarness("captures")); }

  counter(id: number): number { return this.h.exports.counter(id) >>> 0; }
  heapTop(): number { return this.h.exports.heap_top(); }

  /** Parses without decoding the summary (for fuzzing); true when accepted. */
  dhcpAccepts(msg: Uint8Array): boolean { return this.h.exports.dhcp_parse(this.h.input(msg), msg.length) === 1; }
  dnsAccepts(msg: Uint8Array, tcp = false): boolean { return this.h.exports.dns_parse(this.h.input(msg), msg.length, tcp ? 1 : 0) === 1; }

  dhcp(msg: Uint8Array): DhcpSummary | null {
    if (!this.dhcpAccepts(msg)) return null;
    const r = new Reader(this.h);
    r.u32();
    const ip = () => ipToString(r.u32());
    const s: any = {
      op: r.u32(), xid: r.u32(), ciaddr: ip(), yiaddr: ip(), siaddr: ip(), giaddr: ip(), flags: r.u32(), secs: r.u32(),
      present: r.u32(), messageType: r.u32(), serverId: ip(), leaseTime: r.u32(), renewalTime: r.u32(),
      rebindingTime: r.u32(), subnetMask: ip(), requestedIp: ip(), maxMessageSize: r.u32(), overload: r.u32(),
      repeated: r.u32(), badLength: r.u32(), listOverflow: r.u32(),
    };
    s.routers = Array.from({ length: r.u32() }, ip);
    s.dnsServers = Array.from({ length: r.u32() }, ip);
    s.hostname = r.text();
    s.clientId = r.bytes();
    s.paramList = Array.from(r.bytes());
    s.message = r.text();
    s.chaddr = r.bytes();
    return s as DhcpSummary;
  }

  dhcpBuild(type: number, o: { xid: number; mac: Uint8Array; ciaddr?: number; requestedIp?: number; serverId?: number; leaseTime?: number; clientIdKind?: number; hostname?: boolean; broadcast?: boolean }): Uint8Array {
    const macPtr = this.h.input(o.mac);
    const n = this.h.exports.dhcp_build(type, o.xid, macPtr, o.ciaddr ?? 0, o.requestedIp ?? 0, o.serverId ?? 0, o.leaseTime ?? 0,
      o.clientIdKind ?? 0, o.hostname ? 1 : 0, o.broadcast ? 1 : 0);
    return this.h.bytes(this.h.outputPtr, n);
  }

  dns(msg: Uint8Array, tcp = false): DnsSummary | null {
    if (!this.dnsAccepts(msg, tcp)) return null;
    const r = new Reader(this.h);
    r.u32();
    const b = () => r.u32() !== 0;
    const s: any = {
      id: r.u32(), flags: r.u32(), qr: b(), opcode: r.u32(), aa: b(), tc: b(), rd: b(), ra: b(), rcode: r.u32(),
      qd: r.u32(), an: r.u32(), ns: r.u32(), ar: r.u32(), incomplete: b(),
    };
    s.question = b() ? { name: r.text(), type: r.u32(), cls: r.u32() } : null;
    const n = r.u32();
    s.answersDropped = r.u32();
    s.answers = [];
    for (let i = 0; i < n; i++) {
      const rec: DnsRecordSummary = { name: r.text(), type: r.u32(), cls: r.u32(), ttl: r.u32(), rdLen: r.u32() };
      if (rec.type === 1) rec.a = ipToString(r.u32());
      else if (rec.type === 5) rec.cname = r.text();
      s.answers.push(rec);
    }
    const hasSoa = b();
    const soa = { ttl: r.u32(), minimum: r.u32(), negativeTtl: r.u32() };
    s.soa = hasSoa ? soa : null;
    s.optCount = r.u32();
    if (b()) {
      const res: any = { status: r.u32(), canonicalName: r.text(), ttl: r.u32(), cnameHops: r.u32() };
      const count = r.u32();
      res.overflow = r.u32();
      res.addresses = Array.from({ length: count }, () => ipToString(r.u32()));
      s.resolved = res;
    } else s.resolved = null;
    return s as DnsSummary;
  }

  dnsBuildQuery(name: string, id: number, qtype: number, tcp = false): Uint8Array {
    const t = Buffer.from(name, "latin1");
    const n = this.h.exports.dns_build_query(this.h.input(t), t.length, id, qtype, tcp ? 1 : 0);
    return this.h.bytes(this.h.outputPtr, n);
  }
}
