// Wire formats for the simulated peers, written independently of the stack under test.
// IPv4 addresses are numbers in host order (a.b.c.d = a<<24|b<<16|c<<8|d, unsigned).

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;

export function parseIp(s: string): number {
  const p = s.split(".");
  if (p.length !== 4 || p.some((x) => !/^\d{1,3}$/.test(x) || +x > 255)) throw new Error(`bad IPv4 address '${s}'`);
  return ((+p[0] << 24) | (+p[1] << 16) | (+p[2] << 8) | +p[3]) >>> 0;
}

export function ipToString(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

export function ip(a: number | string): number {
  return typeof a === "string" ? parseIp(a) : a >>> 0;
}

export function prefixMask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** RFC 1071 ones' complement sum, folded, not yet inverted. */
export function onesSum(data: Uint8Array, start = 0, end = data.length, initial = 0): number {
  let sum = initial;
  let i = start;
  for (; i + 1 < end; i += 2) sum += (data[i] << 8) | data[i + 1];
  if (i < end) sum += data[i] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

export function checksum(data: Uint8Array, start = 0, end = data.length, initial = 0): number {
  return ~onesSum(data, start, end, initial) & 0xffff;
}

/** Sum of the TCP/UDP pseudo-header (RFC 768, RFC 9293 3.1). */
export function pseudoSum(src: number, dst: number, proto: number, len: number): number {
  return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + proto + len;
}

export function ethFrame(dst: Uint8Array, src: Uint8Array, type: number, payload: Uint8Array): Uint8Array {
  // Pad to the 60-byte minimum (without FCS) as a real NIC does.
  const f = new Uint8Array(Math.max(60, 14 + payload.length));
  f.set(dst, 0);
  f.set(src, 6);
  f[12] = type >> 8; f[13] = type & 255;
  f.set(payload, 14);
  return f;
}

export interface Ipv4Packet {
  src: number;
  dst: number;
  proto: number;
  ttl: number;
  id: number;
  tos: number;
  /** Whole header as received (options included). */
  header: Uint8Array;
  payload: Uint8Array;
  /** Source MAC of the frame that carried it. */
  srcMac: Uint8Array;
}

export interface Ipv4BuildOptions { ttl?: number; tos?: number; id?: number; dontFragment?: boolean }

export function buildIpv4(src: number, dst: number, proto: number, payload: Uint8Array, o: Ipv4BuildOptions = {}): Uint8Array {
  const p = new Uint8Array(20 + payload.length);
  const v = new DataView(p.buffer);
  p[0] = 0x45;
  p[1] = o.tos ?? 0;
  v.setUint16(2, p.length);
  v.setUint16(4, o.id ?? 0);
  v.setUint16(6, o.dontFragment ? 0x4000 : 0);
  p[8] = o.ttl ?? 64;
  p[9] = proto;
  v.setUint32(12, src);
  v.setUint32(16, dst);
  v.setUint16(10, checksum(p, 0, 20));
  p.set(payload, 20);
  return p;
}

export type Ipv4ParseError = "short" | "version" | "ihl" | "length" | "checksum" | "fragment";

/** Validates per RFC 1122 3.2.1; fragments are reported (this host does not reassemble). */
export function parseIpv4(b: Uint8Array, srcMac: Uint8Array): Ipv4Packet | Ipv4ParseError {
  if (b.length < 20) return "short";
  if (b[0] >> 4 !== 4) return "version";
  const ihl = (b[0] & 15) * 4;
  if (ihl < 20 || ihl > b.length) return "ihl";
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const total = v.getUint16(2);
  if (total < ihl || total > b.length) return "length"; // frame may carry Ethernet padding
  if (checksum(b, 0, ihl) !== 0) return "checksum";
  const frag = v.getUint16(6);
  if (frag & 0x2000 || frag & 0x1fff) return "fragment";
  return {
    src: v.getUint32(12), dst: v.getUint32(16), proto: b[9], ttl: b[8], id: v.getUint16(4), tos: b[1],
    header: b.subarray(0, ihl), payload: b.subarray(ihl, total), srcMac,
  };
}

export function buildUdp(src: number, dst: number, sport: number, dport: number, data: Uint8Array): Uint8Array {
  const u = new Uint8Array(8 + data.length);
  const v = new DataView(u.buffer);
  v.setUint16(0, sport);
  v.setUint16(2, dport);
  v.setUint16(4, u.length);
  u.set(data, 8);
  const c = checksum(u, 0, u.length, pseudoSum(src, dst, IPPROTO_UDP, u.length));
  v.setUint16(6, c === 0 ? 0xffff : c); // RFC 768: a computed zero is sent as all ones
  return u;
}

export function buildIcmp(type: number, code: number, rest: number, body: Uint8Array): Uint8Array {
  const m = new Uint8Array(8 + body.length);
  const v = new DataView(m.buffer);
  m[0] = type; m[1] = code;
  v.setUint32(4, rest);
  m.set(body, 8);
  v.setUint16(2, checksum(m));
  return m;
}
