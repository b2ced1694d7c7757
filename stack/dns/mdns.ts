// Multicast DNS responder for `<hostname>.local` (RFC 6762), one interface, A records only.
//
// - Answers queries for our name (type A or ANY, any class bit) with a multicast response
//   to 224.0.0.251:5353 (cache-flush A record, TTL 120 s). A query from a port other than
//   5353 comes from a simple resolver (`dig -p 5353 @224.0.0.251 name.local`): it gets a
//   legacy unicast response (6.7): to its address and port, its ID and question repeated,
//   no cache-flush bit, TTL 10 s.
// - Whenever the address changes, and when the link comes back (8: a link change may mean
//   another network): 3 probes 250 ms apart (RFC 6762 8.1: QU question of type
//   ANY, our proposed A record in the authority section; the first after a random 0-250 ms),
//   then 2 announcements 1 s apart (8.3). Queries are answered only once probing succeeded.
// - A conflict (8.1, 9): a response holding an A record for our name with other data, or
//   while probing a probe from someone else proposing other data for it that wins the
//   tie-break (the numerically greater address, 8.2 simplified to the A record's rdata):
//   logged, then the name gets a `-2`, `-3`, ... suffix and probing starts over.
// Sans-IO: fed datagrams and `now`, sends through a UdpEndpoint, reports nextDeadline().
import { NO_DEADLINE, LogLevel } from "../../hal/generated/hal";
import { logBegin, logStr, logEnd, logIp, logBytes } from "../runtime/log";
import { reserve } from "../runtime/memory";
import { UdpEndpoint, randomU32 } from "../dhcp/udp";

export const MDNS_GROUP: u32 = 0xe00000fb;
export const MDNS_PORT: u16 = 5353;
const TTL: u32 = 120;
/** 6.7: legacy unicast answers SHOULD NOT carry a TTL above 10 s. */
const LEGACY_TTL: u32 = 10;
/** Longest host label we keep (room for a `-NN` suffix within 63). */
const LABEL_MAX: i32 = 59;

namespace St {
  export const Idle: i32 = 0;
  export const Probing: i32 = 1;
  export const Announcing: i32 = 2;
  export const Ready: i32 = 3;
}

let nameMatched = false;
/** The name readName walked followed a compression pointer. */
let nameCompressed = false;

export class MdnsResponder {
  state: i32 = St.Idle;
  addr: u32 = 0;
  /** Our name, flat and lower-cased: [len]label[5]local[0]. */
  private name: usize = reserve(LABEL_MAX + 4 + 7);
  private nameLen: i32 = 0;
  private base: i32 = 0;
  suffix: i32 = 1;
  private sent: i32 = 0;
  private nextAt: i64 = NO_DEADLINE;
  conflicts: u32 = 0;
  answers: u32 = 0;

  constructor(private out: UdpEndpoint, private tx: usize) {}

  /** The host label (e.g. the `hostname` setting); restarts probing when it changed. */
  setName(text: usize, len: i32, now: i64): void {
    if (len > LABEL_MAX) len = LABEL_MAX;
    if (len <= 0) return;
    const p = this.name;
    let same = this.base == len; // unchanged: a `-N` rename stays
    for (let i = 0; i < len; i++) {
      let c = <u32>load<u8>(text + i);
      if (c - 65 < 26) c += 32;
      if (load<u8>(p + 1 + i) != <u8>c) same = false;
      store<u8>(p + 1 + i, <u8>c);
    }
    if (same && this.nameLen > 0) return;
    this.base = len;
    this.suffix = 1;
    this.build(len);
    if (this.addr != 0 && this.linkUp) this.probe(now);
  }

  private build(label: i32): void {
    const p = this.name;
    store<u8>(p, <u8>label);
    let o = 1 + label;
    store<u8>(p + o, 5);
    store<u8>(p + o + 1, 108); store<u8>(p + o + 2, 111); store<u8>(p + o + 3, 99); store<u8>(p + o + 4, 97); store<u8>(p + o + 5, 108); // local
    store<u8>(p + o + 6, 0);
    this.nameLen = o + 7;
  }

  /** The interface's address (0: none) and link state; a new address, or the link coming
   *  back with one, restarts probing. While the link is down nothing is sent or answered. */
  setAddress(addr: u32, linkUp: bool, now: i64): void {
    const wasUp = this.linkUp;
    this.linkUp = linkUp;
    if (addr == this.addr && (linkUp == wasUp || addr == 0)) return;
    this.addr = addr;
    if (addr == 0 || !linkUp) { this.state = St.Idle; this.nextAt = NO_DEADLINE; return; }
    if (this.nameLen > 0) this.probe(now);
  }
  private linkUp: bool = false;

  private probe(now: i64): void {
    this.state = St.Probing;
    this.sent = 0;
    this.nextAt = now + <i64>(randomU32() % 250_000);
  }

  nextDeadline(): i64 { return this.nextAt; }

  poll(now: i64): void {
    if (now < this.nextAt) return;
    if (this.state == St.Probing) {
      this.send(true, now);
      this.nextAt = now + 250_000;
      if (++this.sent == 3) { this.state = St.Announcing; this.sent = 0; }
    } else if (this.state == St.Announcing) {
      this.send(false, now);
      this.nextAt = now + 1_000_000;
      if (++this.sent == 2) {
        this.state = St.Ready;
        this.nextAt = NO_DEADLINE;
        if (logBegin(LogLevel.Info)) { logStr("mdns: "); this.logName(); logStr(" is "); logIp(this.addr); logEnd(); }
      }
    } else {
      this.nextAt = NO_DEADLINE;
    }
  }

  private logName(): void {
    logBytes(this.name + 1, <i32>load<u8>(this.name));
    logStr(".local");
  }

  /** A datagram to port 5353 (multicast or unicast). */
  onDatagram(src: u32, sport: u16, m: usize, len: i32, now: i64): void {
    if (len < 12 || this.state == St.Idle || src == this.addr) return;
    const flags = rd16(m + 2);
    const qd = rd16(m + 4);
    const rr = rd16(m + 6) + rd16(m + 8) + rd16(m + 10);
    let off = 12;
    let want = false;
    let wantType = 0;
    let firstQuestionEnd = 0; // the first question, when it asks for us in plain labels
    for (let i = 0; i < qd; i++) {
      off = this.readName(m, len, off);
      if (off < 0 || off + 4 > len) return;
      const t = rd16(m + off);
      if (nameMatched && (t == 1 || t == 255)) {
        if (!want) wantType = t;
        if (i == 0 && !nameCompressed) firstQuestionEnd = off + 4;
        want = true;
      }
      off += 4;
    }
    const response = (flags & 0x8000) != 0;
    if (response && (flags & 0x7800) != 0) return; // opcode must be 0
    for (let i = 0; i < rr; i++) {
      off = this.readName(m, len, off);
      if (off < 0 || off + 10 > len) return;
      const t = rd16(m + off);
      const rdl = rd16(m + off + 8);
      const d = off + 10;
      if (d + rdl > len) return;
      if (nameMatched && t == 1 && rdl == 4) {
        const a = rd32(m + d);
        // Responses with other data conflict; probes only while we probe, and only when they win.
        if (a != this.addr && (response || (this.state == St.Probing && a > this.addr))) { this.conflict(now); return; }
      }
      off = d + rdl;
    }
    if (!response && want && this.state >= St.Announcing) {
      this.answers++;
      if (sport != MDNS_PORT) this.sendLegacy(src, sport, m, firstQuestionEnd, wantType, now);
      else this.send(false, now);
    }
  }

  private conflict(now: i64): void {
    this.conflicts++;
    if (logBegin(LogLevel.Warn)) { logStr("mdns: name conflict on "); this.logName(); logStr(", renaming"); logEnd(); }
    if (this.suffix < 99) this.suffix++;
    const p = this.name + 1 + this.base;
    store<u8>(p, 45); // '-'
    let n = this.base + 2;
    if (this.suffix >= 10) { store<u8>(p + 1, <u8>(48 + this.suffix / 10)); store<u8>(p + 2, <u8>(48 + this.suffix % 10)); n++; }
    else store<u8>(p + 1, <u8>(48 + this.suffix));
    this.build(n);
    this.probe(now);
  }

  /** Probe: QU question (ANY) + our A record as authority; else a response with our A record. */
  private send(probe: bool, now: i64): void {
    const b = this.tx;
    memory.fill(b, 0, 12);
    if (probe) { store<u8>(b + 5, 1); store<u8>(b + 9, 1); } else { store<u8>(b + 2, 0x84); store<u8>(b + 7, 1); }
    let o = 12;
    const n = this.nameLen;
    memory.copy(b + o, this.name, <usize>n);
    o += n;
    if (probe) {
      wr16(b + o, 255); wr16(b + o + 2, 0x8001); o += 4;
      wr16(b + o, 0xc00c); o += 2; // the question's name
    }
    wr16(b + o, 1);
    wr16(b + o + 2, probe ? 1 : 0x8001); // cache-flush in responses (10.2), never in probes
    wr16(b + o + 4, 0); wr16(b + o + 6, <u32>TTL);
    wr16(b + o + 8, 4);
    wr16(b + o + 10, this.addr >>> 16); wr16(b + o + 12, this.addr & 0xffff);
    o += 14;
    this.out.send(MDNS_GROUP, MDNS_PORT, MDNS_PORT, b, o, now);
  }

  /** 6.7: a conventional unicast DNS answer to a simple resolver's query `q`: its ID, its RD
   *  bit, its question repeated (byte for byte when it was the first one, `qEnd` its end;
   *  else our name with `qtype`), then our A record. */
  private sendLegacy(dst: u32, dport: u16, q: usize, qEnd: i32, qtype: i32, now: i64): void {
    const b = this.tx;
    memory.fill(b, 0, 12);
    store<u16>(b, load<u16>(q)); // ID
    store<u8>(b + 2, 0x84 | (load<u8>(q + 2) & 0x01)); // response, authoritative, RD copied
    store<u8>(b + 5, 1);    // the question, repeated
    store<u8>(b + 7, 1);    // one answer
    let o = 12;
    if (qEnd > 12 && qEnd - 12 <= 255 + 4) { // a name fits 255 bytes (RFC 1035 3.1)
      memory.copy(b + o, q + 12, <usize>(qEnd - 12));
      o = qEnd;
    } else {
      const n = this.nameLen;
      memory.copy(b + o, this.name, <usize>n);
      o += n;
      wr16(b + o, <u32>qtype); wr16(b + o + 2, 1); o += 4;
    }
    wr16(b + o, 0xc00c); // the question's name
    wr16(b + o + 2, 1); wr16(b + o + 4, 1); // A, IN (no cache-flush bit)
    wr16(b + o + 6, 0); wr16(b + o + 8, LEGACY_TTL);
    wr16(b + o + 10, 4);
    wr16(b + o + 12, this.addr >>> 16); wr16(b + o + 14, this.addr & 0xffff);
    o += 16;
    this.out.send(dst, dport, MDNS_PORT, b, o, now);
  }

  /** Walks a (possibly compressed) name; the offset after it or -1; nameMatched: it is ours. */
  private readName(m: usize, len: i32, off: i32): i32 {
    const ours = this.name, ol = this.nameLen;
    let end = -1, pos = 0, hops = 0;
    nameCompressed = false;
    let ok = true;
    while (true) {
      if (off >= len) return -1;
      const l = <i32>load<u8>(m + off);
      if ((l & 0xc0) == 0xc0) {
        if (off + 1 >= len || ++hops > 16) return -1;
        if (end < 0) end = off + 2;
        nameCompressed = true;
        off = ((l & 0x3f) << 8) | <i32>load<u8>(m + off + 1);
        continue;
      }
      if (l > 63 || off + 1 + l > len) return -1;
      if (ok) {
        if (pos >= ol || <i32>load<u8>(ours + pos) != l) ok = false;
        else {
          for (let k = 0; k < l; k++) {
            let c = <u32>load<u8>(m + off + 1 + k);
            if (c - 65 < 26) c += 32;
            if (<u8>c != load<u8>(ours + pos + 1 + k)) { ok = false; break; }
          }
        }
        pos += 1 + l;
      }
      off += 1 + l;
      if (l == 0) break;
    }
    nameMatched = ok && pos == ol;
    return end < 0 ? off : end;
  }
}

function rd16(p: usize): i32 { return (<i32>load<u8>(p) << 8) | <i32>load<u8>(p + 1); }
function rd32(p: usize): u32 { return (<u32>rd16(p) << 16) | <u32>rd16(p + 2); }
function wr16(p: usize, v: u32): void { store<u8>(p, <u8>(v >>> 8)); store<u8>(p + 1, <u8>v); }
