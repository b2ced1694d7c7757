// An independent frame builder/parser for the netstack suites (no stack code on this side).
export const ip = (a: number, b: number, c: number, d: number): number => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
export const mac = (...b: number[]): Uint8Array => Uint8Array.from(b);
export const BROADCAST = mac(0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
export const ZERO_MAC = mac(0, 0, 0, 0, 0, 0);

export function checksum(b: Uint8Array, seed = 0): number {
  let s = seed;
  for (let i = 0; i < b.length; i += 2) s += (b[i] << 8) | (i + 1 < b.length ? b[i + 1] : 0);
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return ~s & 0xffff;
}

const be16 = (v: number) => [(v >>> 8) & 255, v & 255];
const be32 = (v: number) => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];

export function eth(dst: Uint8Array, src: Uint8Array, type: number, payload: Uint8Array): Uint8Array {
  return Uint8Array.from([...dst, ...src, ...be16(type), ...payload]);
}

export function arp(op: number, sha: Uint8Array, spa: number, tha: Uint8Array, tpa: number): Uint8Array {
  return Uint8Array.from([0, 1, 8, 0, 6, 4, ...be16(op), ...sha, ...be32(spa), ...tha, ...be32(tpa)]);
}

export interface IpOpts { ttl?: number; id?: number; flagsFrag?: number; options?: number[]; badChecksum?: boolean; version?: number }

export function ipv4(src: number, dst: number, proto: number, payload: Uint8Array, o: IpOpts = {}): Uint8Array {
  const opts = o.options ?? [];
  const hl = 20 + opts.length;
  const h = Uint8Array.from([((o.version ?? 4) << 4) | (hl / 4), 0, ...be16(hl + payload.length), ...be16(o.id ?? 1),
    ...be16(o.flagsFrag ?? 0x4000), o.ttl ?? 64, proto, 0, 0, ...be32(src), ...be32(dst), ...opts]);
  const c = checksum(h) ^ (o.badChecksum ? 0x5a5a : 0);
  h[10] = c >>> 8; h[11] = c & 255;
  return Uint8Array.from([...h, ...payload]);
}

export function icmp(type: number, code: number, rest: number, data: Uint8Array): Uint8Array {
  const m = Uint8Array.from([type, code, 0, 0, ...be32(rest), ...data]);
  const c = checksum(m);
  m[2] = c >>> 8; m[3] = c & 255;
  return m;
}

export const echo = (type: number, id: number, seq: number, data: Uint8Array) => icmp(type, 0, ((id << 16) | seq) >>> 0, data);

export const u16 = (b: Uint8Array, o: number) => (b[o] << 8) | b[o + 1];
export const u32 = (b: Uint8Array, o: number) => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;

/** A parsed transmitted frame. */
export interface Frame { bytes: Uint8Array; dst: Uint8Array; src: Uint8Array; type: number; payload: Uint8Array }

export function parseFrame(bytes: Uint8Array): Frame {
  return { bytes, dst: bytes.slice(0, 6), src: bytes.slice(6, 12), type: u16(bytes, 12), payload: bytes.slice(14) };
}

export interface ParsedArp { op: number; sha: Uint8Array; spa: number; tha: Uint8Array; tpa: number }
export function parseArp(p: Uint8Array): ParsedArp {
  return { op: u16(p, 6), sha: p.slice(8, 14), spa: u32(p, 14), tha: p.slice(18, 24), tpa: u32(p, 24) };
}

export interface ParsedIp { ttl: number; proto: number; src: number; dst: number; flags: number; headerOk: boolean; payload: Uint8Array; id: number }
export function parseIp(p: Uint8Array): ParsedIp {
  const hl = (p[0] & 15) * 4, total = u16(p, 2);
  return {
    ttl: p[8], proto: p[9], src: u32(p, 12), dst: u32(p, 16), flags: u16(p, 6), id: u16(p, 4),
    headerOk: checksum(p.slice(0, hl)) === 0, payload: p.slice(hl, total),
  };
}
