// The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum of
// 16-bit big-endian words. Written for an interpreter, where every wasm instruction costs:
// 32-bit words are added into a 64-bit accumulator (no carry handling needed: 2^32 ≡ 1
// modulo 0xffff, and the accumulator cannot overflow below 2^32 words), 32 bytes per loop
// iteration. Sums are taken in little-endian order and swapped once at the end (RFC 1071
// §2(B): the sum is byte-order independent). With 8-byte loads the per-word carry test
// costs more wasm instructions than the second 4-byte load it saves.
//
// Sums exchanged between functions ("partial sums") are 16-bit values in network order,
// folded but not complemented, like the HAL's accel_inet_checksum.
import { accel_caps, accel_inet_checksum, AccelCap } from "../../hal/generated/hal";

let useAccel = false;

/** Reads the HAL accelerator capability once; call during initialisation. */
export function initChecksum(): void {
  useAccel = (accel_caps() & AccelCap.InetChecksum) != 0;
}

/** Folds a 64-bit little-endian-order accumulator to 16 bits (end-around carries). */
// @ts-ignore: decorator
@inline function fold64(acc: u64): u32 {
  acc = (acc & 0xffffffff) + (acc >>> 32);
  acc = (acc & 0xffffffff) + (acc >>> 32);
  let s = <u32>acc;
  s = (s & 0xffff) + (s >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return s;
}

/** Our own partial sum of len bytes at p, continuing from `seed` (network order). */
export function softwareSum(p: usize, len: i32, seed: u32): u32 {
  // Seed to little-endian lane order.
  let acc: u64 = <u64>(((seed & 0xff) << 8) | ((seed >>> 8) & 0xff));
  if (len <= 0) return seed & 0xffff;
  const end = p + <usize>len;
  const end32 = p + (<usize>len & ~31);
  while (p < end32) {
    acc = acc
      + <u64>load<u32>(p) + <u64>load<u32>(p, 4) + <u64>load<u32>(p, 8) + <u64>load<u32>(p, 12)
      + <u64>load<u32>(p, 16) + <u64>load<u32>(p, 20) + <u64>load<u32>(p, 24) + <u64>load<u32>(p, 28);
    p += 32;
  }
  const end4 = p + (<usize>(end - p) & ~3);
  while (p < end4) { acc += <u64>load<u32>(p); p += 4; }
  if (end - p >= 2) { acc += <u64>load<u16>(p); p += 2; }
  // An odd final byte is the high octet of a big-endian word: the low octet in our lanes.
  if (p < end) acc += <u64>load<u8>(p);
  const s = fold64(acc);
  return ((s & 0xff) << 8) | (s >>> 8);
}

/** Partial sum (network order, folded, not complemented) of len bytes, from seed. */
export function inetSum(p: usize, len: i32, seed: u32): u32 {
  if (useAccel) return <u32>accel_inet_checksum(p, len, <i32>seed) & 0xffff;
  return softwareSum(p, len, seed);
}

/** The checksum field value for len bytes at p (the field itself zero or included). */
export function inetChecksum(p: usize, len: i32, seed: u32 = 0): u32 {
  return ~inetSum(p, len, seed) & 0xffff;
}

/** True when the data, including its checksum field, sums to 0xffff (RFC 1071 §1). */
export function inetChecksumValid(p: usize, len: i32, seed: u32 = 0): bool {
  return inetSum(p, len, seed) == 0xffff;
}

/** Adds two partial sums (ones' complement addition). */
export function sumAdd(a: u32, b: u32): u32 {
  let s = a + b;
  s = (s & 0xffff) + (s >>> 16);
  return (s & 0xffff) + (s >>> 16);
}

/** The TCP/UDP pseudo-header partial sum (RFC 793 §3.1, RFC 768), a seed for inetSum. */
export function pseudoHeaderSum(src: u32, dst: u32, protocol: u32, length: u32): u32 {
  let s: u32 = (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + protocol + length;
  s = (s & 0xffff) + (s >>> 16);
  return (s & 0xffff) + (s >>> 16);
}

/**
 * Incremental update of a checksum field when one 16-bit word changes from `old` to
 * `now` (RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m')).
 */
export function checksumAdjust(checksum: u32, old: u32, now: u32): u32 {
  return ~sumAdd(sumAdd(~checksum & 0xffff, ~old & 0xffff), now) & 0xffff;
}
