// The resolver's reading of a reply to an A query, in place: no copy of the message and no
// name buffers (the general DnsMessage of stack/wire/dns.ts keeps an answer table and three
// 256-byte name buffers, ~1.8 KB with its DnsResolved, more than a device resolver can spend).
// Same semantics as DnsMessage.resolve(name, A): every record is validated (a record running
// past the end makes the message malformed, unless TC is set: then the records read so far
// count), the CNAME chain is followed from the question name within the answer section (at
// most DNS_MAX_CNAME_CHAIN links), the class-IN A records of the canonical name are the
// answer, TTL = the smallest along the chain and over the kept records; NODATA / NXDOMAIN
// take the RFC 2308 negative TTL min(SOA TTL, SOA MINIMUM) of the first SOA in authority.
import { dnsReadName, DnsType, DnsResolveStatus, DNS_MAX_CNAME_CHAIN } from "../wire/dns";

const CLASS_IN: u32 = 1;
const HEADER: i32 = 12;

@inline function rd16(p: usize): u32 { return (<u32>load<u8>(p) << 8) | <u32>load<u8>(p + 1); }
@inline function rd32(p: usize): u32 { return bswap<u32>(load<u32>(p)); }

/** Results of the last dnsAnswerA call. */
export let answerTtl: u32 = 0;
export let answerCount: i32 = 0;
/** Answer records in the message (after validation; fewer when a TC message ends early). */
export let answerRecords: i32 = 0;

// Section offsets found by the validation pass.
let ansStart: i32 = 0;
let ansN: i32 = 0;
let negTtl: u32 = 0;

/**
 * Compares the (possibly compressed) name at message offset `a` with the name at offset
 * `boff` of `b` (the message again, or a flat lower-case name: blen bounds it), ASCII
 * case-insensitively.
 */
function nameEq(m: usize, mlen: i32, a: i32, b: usize, blen: i32, boff: i32): bool {
  let hops = 0;
  while (true) {
    if (a >= mlen || boff >= blen) return false;
    let la = <i32>load<u8>(m + a);
    while ((la & 0xc0) == 0xc0) {
      if (a + 1 >= mlen || ++hops > 64) return false;
      a = ((la & 0x3f) << 8) | <i32>load<u8>(m + a + 1);
      if (a >= mlen) return false;
      la = <i32>load<u8>(m + a);
    }
    let lb = <i32>load<u8>(b + boff);
    while ((lb & 0xc0) == 0xc0) {
      if (boff + 1 >= blen || ++hops > 64) return false;
      boff = ((lb & 0x3f) << 8) | <i32>load<u8>(b + boff + 1);
      if (boff >= blen) return false;
      lb = <i32>load<u8>(b + boff);
    }
    if (la != lb || la > 63) return false;
    if (la == 0) return true;
    if (a + 1 + la > mlen || boff + 1 + lb > blen) return false;
    for (let i = 1; i <= la; i++) {
      let x = <u32>load<u8>(m + a + i), y = <u32>load<u8>(b + boff + i);
      if (x - 65 < 26) x += 32;
      if (y - 65 < 26) y += 32;
      if (x != y) return false;
    }
    a += 1 + la;
    boff += 1 + lb;
  }
}

/**
 * True when the message (len >= 12) asks exactly (qname, A, IN) first. qname: flat wire
 * form, lower case, qnameLen bytes.
 */
export function dnsQuestionIsA(m: usize, len: i32, qname: usize, qnameLen: i32): bool {
  if (len < HEADER || rd16(m + 4) < 1) return false;
  const e = dnsReadName(m, len, HEADER, 0, 0);
  if (e < 0 || e + 4 > len) return false;
  return rd16(m + e) == DnsType.A && rd16(m + e + 2) == CLASS_IN && nameEq(m, len, HEADER, qname, qnameLen, 0);
}

/** Validates every record; false when malformed (a TC message may end early). Call before dnsAnswerA. */
export function dnsReplyCheck(m: usize, len: i32): bool {
  answerRecords = 0;
  if (len < HEADER || !validate(m, len)) return false;
  answerRecords = ansN;
  return true;
}

function validate(m: usize, len: i32): bool {
  const tc = (load<u8>(m + 2) & 2) != 0;
  let off = HEADER;
  const qd = <i32>rd16(m + 4);
  for (let i = 0; i < qd; i++) {
    const e = dnsReadName(m, len, off, 0, 0);
    if (e < 0 || e + 4 > len) return false;
    off = e + 4;
  }
  ansStart = off;
  ansN = 0;
  negTtl = 0;
  let soa = false;
  for (let s = 0; s < 3; s++) {
    const n = <i32>rd16(m + 6 + 2 * s);
    for (let i = 0; i < n; i++) {
      if (tc && off >= len) return true;
      const e = dnsReadName(m, len, off, 0, 0);
      if (e < 0 || e + 10 > len) return tc;
      const type = rd16(m + e), cls = rd16(m + e + 2);
      let ttl = rd32(m + e + 4);
      if (ttl & 0x80000000) ttl = 0;
      const rdOff = e + 10, end = rdOff + <i32>rd16(m + e + 8);
      if (end > len) return tc;
      if (type == DnsType.A && cls == CLASS_IN) {
        if (end - rdOff != 4) return tc;
      } else if (type == DnsType.AAAA && cls == CLASS_IN) {
        if (end - rdOff != 16) return tc;
      } else if (type == DnsType.CNAME) {
        if (dnsReadName(m, len, rdOff, 0, 0) != end) return tc;
      } else if (type == DnsType.SOA) {
        const m1 = dnsReadName(m, len, rdOff, 0, 0);
        if (m1 < 0 || m1 > end) return tc;
        const m2 = dnsReadName(m, len, m1, 0, 0);
        if (m2 < 0 || m2 + 20 != end) return tc;
        if (s == 1 && !soa) {
          soa = true;
          let mn = rd32(m + m2 + 16);
          if (mn & 0x80000000) mn = 0;
          negTtl = ttl < mn ? ttl : mn;
        }
      }
      if (s == 0) ansN++;
      off = end;
    }
  }
  return true;
}

/**
 * Reads the reply to (qname, A) that dnsReplyCheck just accepted: fills addrs (up to its
 * length) and answerCount/answerTtl. Returns a DnsResolveStatus.
 */
export function dnsAnswerA(m: usize, len: i32, qname: usize, qnameLen: i32, addrs: StaticArray<u32>): i32 {
  answerCount = 0;
  answerTtl = 0;
  // The current name: the question name (flat) until a CNAME moves it into the message.
  let cb: usize = qname, cblen = qnameLen, coff = 0;
  let ttl: u32 = 0xffffffff;
  let hops = 0;
  while (true) {
    let off = ansStart, target = -1;
    for (let i = 0; i < ansN; i++) {
      const e = dnsReadName(m, len, off, 0, 0);
      const rdOff = e + 10, end = rdOff + <i32>rd16(m + e + 8);
      if (rd16(m + e) == DnsType.CNAME && rd16(m + e + 2) == CLASS_IN && nameEq(m, len, off, cb, cblen, coff)) {
        target = rdOff;
        let t = rd32(m + e + 4);
        if (t & 0x80000000) t = 0;
        if (t < ttl) ttl = t;
        break;
      }
      off = end;
    }
    if (target < 0) break;
    if (hops >= DNS_MAX_CNAME_CHAIN) return DnsResolveStatus.ChainTooLong;
    hops++;
    cb = m; cblen = len; coff = target;
  }
  let off = ansStart, n = 0;
  for (let i = 0; i < ansN; i++) {
    const e = dnsReadName(m, len, off, 0, 0);
    const rdOff = e + 10, end = rdOff + <i32>rd16(m + e + 8);
    if (rd16(m + e) == DnsType.A && rd16(m + e + 2) == CLASS_IN && n < addrs.length && nameEq(m, len, off, cb, cblen, coff)) {
      let t = rd32(m + e + 4);
      if (t & 0x80000000) t = 0;
      if (t < ttl) ttl = t;
      unchecked(addrs[n++] = rd32(m + rdOff));
    }
    off = end;
  }
  answerCount = n;
  const rcode = <u32>load<u8>(m + 3) & 15;
  if (n > 0) { answerTtl = ttl; return DnsResolveStatus.Ok; }
  if (rcode == 0) { answerTtl = negTtl; return DnsResolveStatus.NoData; }
  if (rcode == 3) { answerTtl = negTtl; return DnsResolveStatus.NxDomain; }
  return DnsResolveStatus.ServerError;
}
