// Big-endian field access for wire formats, and MAC address helpers. wasm is little-endian,
// so every multi-byte network field goes through a byte swap here (written out: the
// library's bswap stays a function call in the -O3 build, one call per field).

// @ts-ignore: decorator
@inline export function get8(p: usize): u32 { return <u32>load<u8>(p); }
// @ts-ignore: decorator
@inline export function get16(p: usize): u32 { const v = <u32>load<u16>(p); return ((v & 0xff) << 8) | (v >> 8); }
// @ts-ignore: decorator
@inline export function get32(p: usize): u32 { const v = load<u32>(p); return rotl<u32>(((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8), 16); }
// @ts-ignore: decorator
@inline export function put8(p: usize, v: u32): void { store<u8>(p, <u8>v); }
// @ts-ignore: decorator
@inline export function put16(p: usize, v: u32): void { store<u16>(p, <u16>(((v & 0xff) << 8) | ((v >> 8) & 0xff))); }
// @ts-ignore: decorator
@inline export function put32(p: usize, v: u32): void { store<u32>(p, rotl<u32>(((v >>> 8) & 0x00ff00ff) | ((v & 0x00ff00ff) << 8), 16)); }

export const MAC_LEN: i32 = 6;

export function macEquals(a: usize, b: usize): bool {
  return load<u32>(a) == load<u32>(b) && load<u16>(a, 4) == load<u16>(b, 4);
}

export function macCopy(dst: usize, src: usize): void {
  store<u32>(dst, load<u32>(src));
  store<u16>(dst, load<u16>(src, 4), 4);
}

export function macFill(dst: usize, byte: u8): void {
  memory.fill(dst, byte, 6);
}

export function macIsBroadcast(p: usize): bool {
  return load<u32>(p) == 0xffffffff && load<u16>(p, 4) == 0xffff;
}

export function macIsZero(p: usize): bool {
  return load<u32>(p) == 0 && load<u16>(p, 4) == 0;
}

/** Group bit (I/G) of the first octet: multicast or broadcast. */
// @ts-ignore: decorator
@inline export function macIsGroup(p: usize): bool { return (load<u8>(p) & 1) != 0; }

/** RFC 1112 §6.4: 01:00:5e + the low 23 bits of the IPv4 group address. */
export function macFromIpv4Multicast(dst: usize, group: u32): void {
  store<u8>(dst, 0x01); store<u8>(dst, 0x00, 1); store<u8>(dst, 0x5e, 2);
  store<u8>(dst, <u8>((group >>> 16) & 0x7f), 3);
  store<u8>(dst, <u8>(group >>> 8), 4);
  store<u8>(dst, <u8>group, 5);
}

export const BROADCAST_MAC: usize = memory.data<u8>([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
export const ZERO_MAC: usize = memory.data<u8>([0, 0, 0, 0, 0, 0]);
