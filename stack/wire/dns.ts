// DNS wire format (RFC 1035 4.1, RFC 2181, RFC 2308 negative caching).
//
//   DnsHeaderView              the 12-byte header.
//   dnsReadName(...)           one (possibly compressed) name, decoded to flat wire form.
//   dnsNameFromText / dnsNameToText / dnsNameEquals   helpers on flat wire-form names.
//   dnsBuildQuery(...)         a one-question query (A, AAAA, ...), optionally TCP-framed.
//   DnsMessage                 walks a whole message into a bounded record table, keeps the
//                              first question and the SOA of the authority section;
//                              resolve() follows a CNAME chain inside the message.
//
// Flat wire-form name: length-prefixed labels ending with a zero byte, at most 255 bytes,
// as on the wire but without compression. Names are compared ASCII-case-insensitively.
// Nothing here allocates after construction; every buffer is created with its owner.

@inline function rd8(p: usize): u32 { return <u32>load<u8>(p); }
@inline function rd16(p: usize): u32 { return <u32>bswap<u16>(load<u16>(p)); }
@inline function rd32(p: usize): u32 { return bswap<u32>(load<u32>(p)); }
@inline function wr16(p: usize, v: u32): void { store<u16>(p, bswap<u16>(<u16>v)); }

export const DNS_PORT: u16 = 53;
export const DNS_HEADER_LEN: i32 = 12;
/** RFC 1035 2.3.4 (octets, including length bytes and the root label). */
export const DNS_MAX_NAME: i32 = 255;
export const DNS_MAX_LABEL: i32 = 63;
/** A 255-byte name has at most 127 non-root labels. */
export const DNS_MAX_LABELS: i32 = 127;
/**
 * Bound on compression pointers followed within one name: a well-formed name needs at most
 * one per label plus one. Together with the strictly-backward rule this bounds the work per
 * name to 128 hops and 255 bytes whatever the message.
 */
export const DNS_MAX_POINTERS: i32 = DNS_MAX_LABELS + 1;
/** Bound on CNAME links followed by DnsMessage.resolve. */
export const DNS_MAX_CNAME_CHAIN: i32 = 8;
/** RFC 1035 4.2.1: UDP messages are limited to this without EDNS. */
export const DNS_UDP_MAX: i32 = 512;

export namespace DnsType {
  export const A: u16 = 1;
  export const NS: u16 = 2;
  export const CNAME: u16 = 5;
  export const SOA: u16 = 6;
  export const PTR: u16 = 12;
  export const MX: u16 = 15;
  export const TXT: u16 = 16;
  export const AAAA: u16 = 28;
  export const OPT: u16 = 41;
  export const RRSIG: u16 = 46;
}
export const DNS_CLASS_IN: u16 = 1;

export namespace DnsRcode {
  export const NoError: u8 = 0;
  export const FormErr: u8 = 1;
  export const ServFail: u8 = 2;
  export const NxDomain: u8 = 3;
  export const NotImp: u8 = 4;
  export const Refused: u8 = 5;
}

export namespace DnsFlag {
  export const QR: u32 = 0x8000;
  export const AA: u32 = 0x0400;
  export const TC: u32 = 0x0200;
  export const RD: u32 = 0x0100;
  export const RA: u32 = 0x0080;
}

export class DnsHeaderView {
  ptr: usize = 0;
  len: i32 = 0;
  wrap(ptr: usize, len: i32): DnsHeaderView { this.ptr = ptr; this.len = len < 0 ? 0 : len; return this; }
  check(): bool { return this.len >= DNS_HEADER_LEN; }
  id(): u32 { return rd16(this.ptr); }
  flags(): u32 { return rd16(this.ptr + 2); }
  qr(): bool { return (this.flags() & DnsFlag.QR) != 0; }
  opcode(): u32 { return (this.flags() >> 11) & 15; }
  aa(): bool { return (this.flags() & DnsFlag.AA) != 0; }
  tc(): bool { return (this.flags() & DnsFlag.TC) != 0; }
  rd(): bool { return (this.flags() & DnsFlag.RD) != 0; }
  ra(): bool { return (this.flags() & DnsFlag.RA) != 0; }
  rcode(): u32 { return this.flags() & 15; }
  qdCount(): i32 { return <i32>rd16(this.ptr + 4); }
  anCount(): i32 { return <i32>rd16(this.ptr + 6); }
  nsCount(): i32 { return <i32>rd16(this.ptr + 8); }
  arCount(): i32 { return <i32>rd16(this.ptr + 10); }
}

// ---- names ----

let lastNameLen: i32 = 0;
/** Flat length (including the root byte) of the name the last successful dnsReadName decoded. */
export function dnsLastNameLen(): i32 { return lastNameLen; }

/**
 * Reads the name at offset off of the message (msg, len). Compression pointers must point
 * strictly backwards, before the start of the label run that contains them, and not into
 * the header: this rejects loops, self and forward pointers without a visited set. Rejects
 * labels over 63 bytes, extended label types (0x40/0x80), names over 255 bytes or 127
 * labels, more than DNS_MAX_POINTERS pointers, and anything running past len.
 * When out != 0 the name is written there in flat wire form (out needs cap >= its length,
 * 255 always suffices). Returns the offset just past the name where it starts (after the
 * first pointer, if any), or -1 when malformed.
 */
export function dnsReadName(msg: usize, len: i32, off: i32, out: usize, cap: i32): i32 {
  let pos = off;
  let runStart = off;
  let after = -1;
  let outLen = 0;
  let labels = 0;
  let pointers = 0;
  if (off < 0) return -1;
  while (true) {
    if (pos >= len) return -1;
    const b = <i32>rd8(msg + pos);
    if (b == 0) {
      outLen++;
      if (out != 0) {
        if (outLen > cap) return -1;
        store<u8>(out + outLen - 1, 0);
      }
      if (after < 0) after = pos + 1;
      lastNameLen = outLen;
      return after;
    }
    const kind = b & 0xc0;
    if (kind == 0xc0) {
      if (pos + 1 >= len) return -1;
      const target = ((b & 0x3f) << 8) | <i32>rd8(msg + pos + 1);
      if (target >= runStart || target < DNS_HEADER_LEN) return -1;
      if (++pointers > DNS_MAX_POINTERS) return -1;
      if (after < 0) after = pos + 2;
      pos = target;
      runStart = target;
      continue;
    }
    if (kind != 0) return -1;
    if (pos + 1 + b > len) return -1;
    if (++labels > DNS_MAX_LABELS) return -1;
    if (outLen + 1 + b + 1 > DNS_MAX_NAME) return -1;
    if (out != 0) {
      if (outLen + 1 + b + 1 > cap) return -1;
      memory.copy(out + outLen, msg + pos, <usize>(1 + b));
    }
    outLen += 1 + b;
    pos += 1 + b;
  }
  return -1; // not reached
}

@inline function lower(c: u32): u32 { return c >= 65 && c <= 90 ? c + 32 : c; }

/** Flat length of a well-formed flat name (as produced here), or -1 past 255 bytes. */
export function dnsNameLen(name: usize): i32 {
  let o = 0;
  while (o < DNS_MAX_NAME) {
    const l = <i32>rd8(name + o);
    if (l == 0) return o + 1;
    if (l > DNS_MAX_LABEL) return -1;
    o += 1 + l;
  }
  return -1;
}

/** Case-insensitive (ASCII) equality of two flat names. */
export function dnsNameEquals(a: usize, b: usize): bool {
  const n = dnsNameLen(a);
  if (n < 0 || n != dnsNameLen(b)) return false;
  for (let i = 0; i < n; i++) if (lower(rd8(a + i)) != lower(rd8(b + i))) return false;
  return true;
}

/** Lower-cases a flat name in place (label bytes only). */
export function dnsNameLower(name: usize): void {
  let o = 0;
  while (o < DNS_MAX_NAME) {
    const l = <i32>rd8(name + o);
    if (l == 0 || l > DNS_MAX_LABEL) return;
    for (let i = 1; i <= l; i++) store<u8>(name + o + i, <u8>lower(rd8(name + o + i)));
    o += 1 + l;
  }
}

/**
 * Converts dotted text ("www.example.com", optional trailing dot; "." or "" is the root)
 * to a flat name at out. Returns its length, or -1 for an empty label, a label over 63
 * bytes, a name over 255 bytes, or cap too small.
 */
export function dnsNameFromText(text: usize, len: i32, out: usize, cap: i32): i32 {
  if (len > 0 && rd8(text + len - 1) == 46) len--; // trailing dot
  let o = 0;
  let i = 0;
  if (len > 0) {
    while (true) {
      let j = i;
      while (j < len && rd8(text + j) != 46) j++;
      const l = j - i;
      if (l == 0 || l > DNS_MAX_LABEL) return -1;
      if (o + 1 + l + 1 > DNS_MAX_NAME || o + 1 + l + 1 > cap) return -1;
      store<u8>(out + o, <u8>l);
      memory.copy(out + o + 1, text + i, <usize>l);
      o += 1 + l;
      if (j >= len) break;
      i = j + 1;
    }
  }
  if (o + 1 > cap) return -1;
  store<u8>(out + o, 0);
  return o + 1;
}

/** Writes a flat name as dotted text (no trailing dot; the root is "."). Returns the length or -1. */
export function dnsNameToText(name: usize, out: usize, cap: i32): i32 {
  let o = 0;
  let n = 0;
  while (o < DNS_MAX_NAME) {
    const l = <i32>rd8(name + o);
    if (l == 0) {
      if (n == 0) { if (cap < 1) return -1; store<u8>(out, 46); return 1; }
      return n;
    }
    if (l > DNS_MAX_LABEL) return -1;
    if (n > 0) { if (n >= cap) return -1; store<u8>(out + n++, 46); }
    if (n + l > cap) return -1;
    memory.copy(out + n, name + o + 1, <usize>l);
    n += l;
    o += 1 + l;
  }
  return -1;
}

// ---- queries ----

/**
 * Builds a query with one question (name is a flat name, qtype DnsType.A or AAAA or any)
 * into buf. With tcp, a 2-byte length prefix comes first (RFC 1035 4.2.2). Returns the
 * total length written, or 0 if the name is malformed or cap is too small.
 */
export function dnsBuildQuery(buf: usize, cap: i32, id: u32, name: usize, qtype: u16, recursionDesired: bool, tcp: bool): i32 {
  const nl = dnsNameLen(name);
  if (nl < 0) return 0;
  const pre = tcp ? 2 : 0;
  const total = pre + DNS_HEADER_LEN + nl + 4;
  if (total > cap) return 0;
  const m = buf + pre;
  if (tcp) wr16(buf, <u32>(total - 2));
  wr16(m, id & 0xffff);
  wr16(m + 2, recursionDesired ? DnsFlag.RD : 0);
  wr16(m + 4, 1);
  wr16(m + 6, 0);
  wr16(m + 8, 0);
  wr16(m + 10, 0);
  memory.copy(m + DNS_HEADER_LEN, name, <usize>nl);
  wr16(m + DNS_HEADER_LEN + nl, qtype);
  wr16(m + DNS_HEADER_LEN + nl + 2, DNS_CLASS_IN);
  return total;
}

/**
 * DNS over TCP: the length of the message a 2-byte prefix at buf announces, or -1 when
 * fewer than 2 bytes are there. The whole frame is 2 + that many bytes.
 */
export function dnsTcpFrameLen(buf: usize, len: i32): i32 {
  if (len < 2) return -1;
  return <i32>rd16(buf);
}

// ---- responses ----

export namespace DnsSection {
  export const Answer: u8 = 1;
  export const Authority: u8 = 2;
  export const Additional: u8 = 3;
}

/** One stored resource record: offsets into the message, valid while the message is. */
export class DnsRecord {
  nameOff: i32 = 0;
  type: u16 = 0;
  cls: u16 = 0;
  /** RFC 2181 8: a TTL with the top bit set is read as 0. */
  ttl: u32 = 0;
  rdOff: i32 = 0;
  rdLen: i32 = 0;
}

export namespace DnsResolveStatus {
  /** Addresses found (count > 0). */
  export const Ok: i32 = 0;
  /** NOERROR but no record of the type for the (canonical) name; ttl from the SOA. */
  export const NoData: i32 = 1;
  /** NXDOMAIN; ttl from the SOA (RFC 2308). */
  export const NxDomain: i32 = 2;
  /** Any other rcode (SERVFAIL, REFUSED, ...). */
  export const ServerError: i32 = 3;
  /** The CNAME chain is longer than DNS_MAX_CNAME_CHAIN (or loops). */
  export const ChainTooLong: i32 = 4;
  /** The message was not parsed successfully. */
  export const NotParsed: i32 = 5;
}

/** What resolve() returns; the caller owns one (created at init). */
export class DnsResolved {
  status: i32 = DnsResolveStatus.NotParsed;
  /** Canonical name (flat wire form, lower-cased), 256 bytes reserved. */
  name: usize;
  nameLen: i32 = 0;
  /** IPv4 addresses (host order) when the question type is A. */
  addrs: StaticArray<u32>;
  /** Index (into DnsMessage answers) of each matching record, for A, AAAA or other types. */
  recordIdx: StaticArray<i32>;
  count: i32 = 0;
  /** Matching records beyond the capacity. */
  overflow: i32 = 0;
  /** Smallest TTL along the chain and over the matching records; or the negative TTL. */
  ttl: u32 = 0;
  cnameHops: i32 = 0;

  constructor(public capacity: i32 = 8) {
    this.name = changetype<usize>(new StaticArray<u8>(256));
    this.addrs = new StaticArray<u32>(capacity);
    this.recordIdx = new StaticArray<i32>(capacity);
  }
}

/**
 * A parsed DNS message. Construct once at init with the answer table capacity; parse()
 * reuses it. Only the first question is kept; answers are stored up to the capacity (the
 * rest are validated and counted in answersDropped); authority records are validated and
 * the first SOA kept for negative caching; additional records are validated and skipped.
 */
export class DnsMessage {
  msg: usize = 0;
  len: i32 = 0;
  header: DnsHeaderView = new DnsHeaderView();
  parsed: bool = false;
  /** The message ended early while TC was set: records read so far are kept. */
  incomplete: bool = false;

  hasQuestion: bool = false;
  qName: usize;
  qNameLen: i32 = 0;
  qType: u16 = 0;
  qClass: u16 = 0;

  answers: StaticArray<DnsRecord>;
  answerCount: i32 = 0;
  answersDropped: i32 = 0;

  hasSoa: bool = false;
  soaTtl: u32 = 0;
  soaMinimum: u32 = 0;
  optCount: i32 = 0;

  private scratchA: usize;
  private scratchB: usize;

  constructor(public capacity: i32 = 16) {
    this.qName = changetype<usize>(new StaticArray<u8>(256));
    this.scratchA = changetype<usize>(new StaticArray<u8>(256));
    this.scratchB = changetype<usize>(new StaticArray<u8>(256));
    this.answers = new StaticArray<DnsRecord>(capacity);
    for (let i = 0; i < capacity; i++) unchecked(this.answers[i] = new DnsRecord());
  }

  /** RFC 2308 5: the negative-caching TTL, min(SOA TTL, SOA MINIMUM); 0 without an SOA. */
  negativeTtl(): u32 {
    if (!this.hasSoa) return 0;
    return this.soaTtl < this.soaMinimum ? this.soaTtl : this.soaMinimum;
  }

  answer(i: i32): DnsRecord { return unchecked(this.answers[i]); }

  /** Parses a message prefixed with its 2-byte TCP length. Returns the bytes consumed (2 + message), 0 when incomplete, -1 when malformed. */
  parseTcp(buf: usize, len: i32): i32 {
    const n = dnsTcpFrameLen(buf, len);
    if (n < 0 || n > len - 2) { this.parsed = false; return 0; }
    return this.parse(buf + 2, n) ? n + 2 : -1;
  }

  /** Parses the message (msg, len). Returns false when malformed. */
  parse(msg: usize, len: i32): bool {
    this.msg = msg;
    this.len = len;
    this.parsed = false;
    this.incomplete = false;
    this.hasQuestion = false;
    this.qNameLen = 0;
    this.answerCount = 0;
    this.answersDropped = 0;
    this.hasSoa = false;
    this.optCount = 0;
    const h = this.header.wrap(msg, len);
    if (!h.check()) return false;
    let off = DNS_HEADER_LEN;
    const qd = h.qdCount();
    for (let i = 0; i < qd; i++) {
      const nameOut: usize = i == 0 ? this.qName : <usize>0;
      const e = dnsReadName(msg, len, off, nameOut, 256);
      if (e < 0 || e + 4 > len) return false;
      if (i == 0) {
        this.hasQuestion = true;
        this.qNameLen = lastNameLen;
        this.qType = <u16>rd16(msg + e);
        this.qClass = <u16>rd16(msg + e + 2);
      }
      off = e + 4;
    }
    const counts0 = h.anCount(), counts1 = h.nsCount(), counts2 = h.arCount();
    for (let s = 1; s <= 3; s++) {
      const n = s == 1 ? counts0 : s == 2 ? counts1 : counts2;
      for (let i = 0; i < n; i++) {
        if (h.tc() && off >= len) { this.incomplete = true; this.parsed = true; return true; }
        off = this.record(<u8>s, off);
        if (off < 0) {
          if (h.tc()) { this.incomplete = true; this.parsed = true; return true; }
          return false;
        }
      }
    }
    this.parsed = true;
    return true;
  }

  // Validates one record at off, stores it when wanted; returns the offset after it or -1.
  private record(section: u8, off: i32): i32 {
    const msg = this.msg, len = this.len;
    const nameOff = off;
    const e = dnsReadName(msg, len, off, 0, 0);
    if (e < 0 || e + 10 > len) return -1;
    const type = <u16>rd16(msg + e);
    const cls = <u16>rd16(msg + e + 2);
    let ttl = rd32(msg + e + 4);
    if (ttl & 0x80000000) ttl = 0;
    const rdLen = <i32>rd16(msg + e + 8);
    const rdOff = e + 10;
    const end = rdOff + rdLen;
    if (end > len) return -1;
    // Types whose rdata we read are validated here, so readers can trust them later.
    if (type == DnsType.A && cls == DNS_CLASS_IN) {
      if (rdLen != 4) return -1;
    } else if (type == DnsType.AAAA && cls == DNS_CLASS_IN) {
      if (rdLen != 16) return -1;
    } else if (type == DnsType.CNAME) {
      if (dnsReadName(msg, len, rdOff, 0, 0) != end) return -1;
    } else if (type == DnsType.SOA) {
      const m1 = dnsReadName(msg, len, rdOff, 0, 0);
      if (m1 < 0 || m1 > end) return -1;
      const m2 = dnsReadName(msg, len, m1, 0, 0);
      if (m2 < 0 || m2 + 20 != end) return -1;
      if (section == DnsSection.Authority && !this.hasSoa) {
        this.hasSoa = true;
        this.soaTtl = ttl;
        const mn = rd32(msg + m2 + 16);
        this.soaMinimum = (mn & 0x80000000) ? 0 : mn;
      }
    } else if (type == DnsType.OPT) {
      this.optCount++;
    }
    if (section == DnsSection.Answer) {
      if (this.answerCount < this.capacity) {
        const r = unchecked(this.answers[this.answerCount++]);
        r.nameOff = nameOff;
        r.type = type;
        r.cls = cls;
        r.ttl = ttl;
        r.rdOff = rdOff;
        r.rdLen = rdLen;
      } else {
        this.answersDropped++;
      }
    }
    return end;
  }

  /** Decodes the owner name of answer i into out (256 bytes). Returns its flat length or -1. */
  answerName(i: i32, out: usize): i32 {
    if (i < 0 || i >= this.answerCount) return -1;
    if (dnsReadName(this.msg, this.len, unchecked(this.answers[i]).nameOff, out, 256) < 0) return -1;
    return lastNameLen;
  }

  /** Decodes the target of CNAME answer i into out (256 bytes). Returns its flat length or -1. */
  answerTarget(i: i32, out: usize): i32 {
    if (i < 0 || i >= this.answerCount) return -1;
    const r = unchecked(this.answers[i]);
    if (r.type != DnsType.CNAME) return -1;
    if (dnsReadName(this.msg, this.len, r.rdOff, out, 256) < 0) return -1;
    return lastNameLen;
  }

  /** The IPv4 address (host order) of A answer i; 0 for anything else. */
  answerA(i: i32): u32 {
    if (i < 0 || i >= this.answerCount) return 0;
    const r = unchecked(this.answers[i]);
    if (r.type != DnsType.A || r.rdLen != 4) return 0;
    return rd32(this.msg + r.rdOff);
  }

  /** True when this is a response whose first question is (name, qtype, IN), names case-insensitive. */
  questionMatches(name: usize, qtype: u16): bool {
    return this.parsed && this.hasQuestion && this.qType == qtype && this.qClass == DNS_CLASS_IN &&
      dnsNameEquals(this.qName, name);
  }

  private ownerIs(i: i32, name: usize): bool {
    return this.answerName(i, this.scratchA) > 0 && dnsNameEquals(this.scratchA, name);
  }

  /**
   * Follows the CNAME chain from name (flat) within the answer section, then collects the
   * class-IN records of qtype owned by the canonical name. out.ttl is the smallest TTL
   * along the chain and over those records; for NoData/NxDomain it is the SOA negative TTL.
   * Returns out.status.
   */
  resolve(name: usize, qtype: u16, out: DnsResolved): i32 {
    out.count = 0;
    out.overflow = 0;
    out.cnameHops = 0;
    out.ttl = 0;
    out.nameLen = 0;
    if (!this.parsed) { out.status = DnsResolveStatus.NotParsed; return out.status; }
    const nl = dnsNameLen(name);
    if (nl < 0) { out.status = DnsResolveStatus.NotParsed; return out.status; }
    memory.copy(out.name, name, <usize>nl);
    out.nameLen = nl;
    dnsNameLower(out.name);
    const rcode = this.header.rcode();
    let ttl: u32 = 0xffffffff;
    // Follow CNAMEs (a CNAME for the type CNAME itself is the answer, not a link).
    while (qtype != DnsType.CNAME) {
      let found = -1;
      for (let i = 0; i < this.answerCount; i++) {
        const r = unchecked(this.answers[i]);
        if (r.type == DnsType.CNAME && r.cls == DNS_CLASS_IN && this.ownerIs(i, out.name)) { found = i; break; }
      }
      if (found < 0) break;
      if (out.cnameHops >= DNS_MAX_CNAME_CHAIN) { out.status = DnsResolveStatus.ChainTooLong; out.ttl = 0; return out.status; }
      out.cnameHops++;
      const r = unchecked(this.answers[found]);
      if (r.ttl < ttl) ttl = r.ttl;
      const tl = this.answerTarget(found, this.scratchB);
      if (tl < 0) { out.status = DnsResolveStatus.NotParsed; return out.status; }
      memory.copy(out.name, this.scratchB, <usize>tl);
      out.nameLen = tl;
      dnsNameLower(out.name);
    }
    for (let i = 0; i < this.answerCount; i++) {
      const r = unchecked(this.answers[i]);
      if (r.type != qtype || r.cls != DNS_CLASS_IN || !this.ownerIs(i, out.name)) continue;
      if (out.count >= out.capacity) { out.overflow++; continue; }
      if (r.ttl < ttl) ttl = r.ttl;
      unchecked(out.recordIdx[out.count] = i);
      unchecked(out.addrs[out.count] = r.type == DnsType.A ? rd32(this.msg + r.rdOff) : 0);
      out.count++;
    }
    if (out.count > 0) {
      out.ttl = ttl;
      out.status = DnsResolveStatus.Ok;
    } else if (rcode == DnsRcode.NoError) {
      out.ttl = this.negativeTtl();
      out.status = DnsResolveStatus.NoData;
    } else if (rcode == DnsRcode.NxDomain) {
      out.ttl = this.negativeTtl();
      out.status = DnsResolveStatus.NxDomain;
    } else {
      out.status = DnsResolveStatus.ServerError;
    }
    return out.status;
  }
}
