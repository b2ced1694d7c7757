// Big-endian field access for wire formats, and MAC address helpers. wasm is little-endian,
// so every multi-byte network field goes through a byte swap here.

// @ts-ignore: decorator
@inline export function get8(p: usize): u32 { return <u32>load<u8>(p); }
// @ts-ignore: decorator
@inline export function get16(p: usize): u32 { return <u32>bswap<u16>(load<u16>(p)); }
// @ts-ignore: decorator
@inline export function get32(p: usize): u32 { return bswap<u32>(load<u32>(p)); }
// @ts-ignore: decorator
@inline export function put8(p: usize, v: u32): void { store<u8>(p, <u8>v); }
// @ts-ignore: decorator
@inline export function put16(p: usize, v: u32): void { store<u16>(p, bswap<u16>(<u16>v)); }
// @ts-ignore: decorator
@inline export function put32(p: usize, v: u32): void { store<u32>(p, bswap<u32>(v)); }

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
