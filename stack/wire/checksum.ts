// The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum of
// 16-bit big-endian words. Written for an interpreter, where every wasm instruction costs:
// 32-bit words are added into a 64-bit accumulator (no carry handling needed: 2^32 ≡ 1
// modulo 0xffff, and the accumulator cannot overflow below 2^32 words), 64 bytes per loop
// iteration, the tail unrolled by its binary digits. Sums are taken in little-endian order
// and swapped once at the end (RFC 1071 §2(B): the sum is byte-order independent). Each
// 4-byte word costs 3 instructions (address, load, add); an 8-byte load would need a
// carry test per word, which costs more than the second 4-byte load it saves.
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

// @ts-ignore: decorator
@inline function word(p: usize, offset: usize): u64 { return <u64>load<u32>(p + offset); }

/** Our own partial sum of len bytes at p, continuing from `seed` (network order). */
export function softwareSum(p: usize, len: i32, seed: u32): u32 {
  if (len <= 0) return seed & 0xffff;
  // Seed to little-endian lane order.
  let acc: u64 = <u64>(((seed & 0xff) << 8) | ((seed >>> 8) & 0xff));
  const end64 = p + (<usize>len & ~63);
  if (p < end64) {
    do {
      acc = acc
        + word(p, 0) + word(p, 4) + word(p, 8) + word(p, 12) + word(p, 16) + word(p, 20) + word(p, 24) + word(p, 28)
        + word(p, 32) + word(p, 36) + word(p, 40) + word(p, 44) + word(p, 48) + word(p, 52) + word(p, 56) + word(p, 60);
      p += 64;
    } while (p < end64);
  }
  // The tail (< 64 bytes) by its binary digits: no loop.
  const rest = len & 63;
  if (rest & 32) {
    acc = acc + word(p, 0) + word(p, 4) + word(p, 8) + word(p, 12) + word(p, 16) + word(p, 20) + word(p, 24) + word(p, 28);
    p += 32;
  }
  if (rest & 16) { acc = acc + word(p, 0) + word(p, 4) + word(p, 8) + word(p, 12); p += 16; }
  if (rest & 8) { acc = acc + word(p, 0) + word(p, 4); p += 8; }
  if (rest & 4) { acc += word(p, 0); p += 4; }
  if (rest & 2) { acc += <u64>load<u16>(p); p += 2; }
  // An odd final byte is the high octet of a big-endian word: the low octet in our lanes.
  if (rest & 1) acc += <u64>load<u8>(p);
  const s = fold64(acc);
  return ((s & 0xff) << 8) | (s >>> 8);
}

/** Partial sum (network order, folded, not complemented) of len bytes, from seed. */
@inline export function inetSum(p: usize, len: i32, seed: u32): u32 {
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
@inline export function pseudoHeaderSum(src: u32, dst: u32, protocol: u32, length: u32): u32 {
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
