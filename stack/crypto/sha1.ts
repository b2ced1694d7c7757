// SHA-1 (FIPS 180-4), streaming and one-shot, allocation-free.
//
// The compression function is fully unrolled with the message schedule in sixteen locals
// (parameters w0..w15) and the working variables renamed round by round instead of
// shuffled, because under an interpreter every wasm instruction costs the same and loops,
// memory traffic and moves are pure overhead. Callers that already hold the block as
// words (HMAC/PBKDF2 over a 20-byte digest) call sha1Words directly and skip the byte
// loads and byte swaps entirely. When the host reports AccelCap.Sha1, byte blocks go to
// hal.accel_sha1_block instead.
//
// State layout, shared with hal.accel_sha1_block: 5 u32 words H0..H4 as native
// (little-endian) integers at state+0..19.
import { accel_sha1_block } from "../../hal/generated/hal";
import { hasSha1Accel } from "./accel";

export const SHA1_DIGEST_SIZE: i32 = 20;
export const SHA1_BLOCK_SIZE: i32 = 64;

/** Streaming context: state(20) | buffered(4) | total bytes(8) | block buffer(64). */
export const SHA1_CTX_SIZE: i32 = 96;
const CTX_BUFFERED: usize = 20;
const CTX_TOTAL: usize = 24;
const CTX_BLOCK: usize = 32;

/** Writes the initial hash value H(0) into 20 bytes of state. */
export function sha1InitState(state: usize): void {
  store<u32>(state, 0x67452301, 0);
  store<u32>(state, 0xefcdab89, 4);
  store<u32>(state, 0x98badcfe, 8);
  store<u32>(state, 0x10325476, 12);
  store<u32>(state, 0xc3d2e1f0, 16);
}

/** Compresses one block given as sixteen big-endian-valued words into state. */
export function sha1Words(
  state: usize,
  w0: u32, w1: u32, w2: u32, w3: u32, w4: u32, w5: u32, w6: u32, w7: u32,
  w8: u32, w9: u32, w10: u32, w11: u32, w12: u32, w13: u32, w14: u32, w15: u32,
): void {
  let a = load<u32>(state, 0);
  let b = load<u32>(state, 4);
  let c = load<u32>(state, 8);
  let d = load<u32>(state, 12);
  let e = load<u32>(state, 16);
  // Round t adds into the variable that plays `e` and rotates the one that plays `b`;
  // the roles then shift by one (generated: see the pattern, t = 0..79).
  e += rotl<u32>(a, 5) + (d ^ (b & (c ^ d))) + 0x5a827999 + w0; b = rotl<u32>(b, 30);
  d += rotl<u32>(e, 5) + (c ^ (a & (b ^ c))) + 0x5a827999 + w1; a = rotl<u32>(a, 30);
  c += rotl<u32>(d, 5) + (b ^ (e & (a ^ b))) + 0x5a827999 + w2; e = rotl<u32>(e, 30);
  b += rotl<u32>(c, 5) + (a ^ (d & (e ^ a))) + 0x5a827999 + w3; d = rotl<u32>(d, 30);
  a += rotl<u32>(b, 5) + (e ^ (c & (d ^ e))) + 0x5a827999 + w4; c = rotl<u32>(c, 30);
  e += rotl<u32>(a, 5) + (d ^ (b & (c ^ d))) + 0x5a827999 + w5; b = rotl<u32>(b, 30);
  d += rotl<u32>(e, 5) + (c ^ (a & (b ^ c))) + 0x5a827999 + w6; a = rotl<u32>(a, 30);
  c += rotl<u32>(d, 5) + (b ^ (e & (a ^ b))) + 0x5a827999 + w7; e = rotl<u32>(e, 30);
  b += rotl<u32>(c, 5) + (a ^ (d & (e ^ a))) + 0x5a827999 + w8; d = rotl<u32>(d, 30);
  a += rotl<u32>(b, 5) + (e ^ (c & (d ^ e))) + 0x5a827999 + w9; c = rotl<u32>(c, 30);
  e += rotl<u32>(a, 5) + (d ^ (b & (c ^ d))) + 0x5a827999 + w10; b = rotl<u32>(b, 30);
  d += rotl<u32>(e, 5) + (c ^ (a & (b ^ c))) + 0x5a827999 + w11; a = rotl<u32>(a, 30);
  c += rotl<u32>(d, 5) + (b ^ (e & (a ^ b))) + 0x5a827999 + w12; e = rotl<u32>(e, 30);
  b += rotl<u32>(c, 5) + (a ^ (d & (e ^ a))) + 0x5a827999 + w13; d = rotl<u32>(d, 30);
  a += rotl<u32>(b, 5) + (e ^ (c & (d ^ e))) + 0x5a827999 + w14; c = rotl<u32>(c, 30);
  e += rotl<u32>(a, 5) + (d ^ (b & (c ^ d))) + 0x5a827999 + w15; b = rotl<u32>(b, 30);
  w0 = rotl<u32>(w13 ^ w8 ^ w2 ^ w0, 1);
  d += rotl<u32>(e, 5) + (c ^ (a & (b ^ c))) + 0x5a827999 + w0; a = rotl<u32>(a, 30);
  w1 = rotl<u32>(w14 ^ w9 ^ w3 ^ w1, 1);
  c += rotl<u32>(d, 5) + (b ^ (e & (a ^ b))) + 0x5a827999 + w1; e = rotl<u32>(e, 30);
  w2 = rotl<u32>(w15 ^ w10 ^ w4 ^ w2, 1);
  b += rotl<u32>(c, 5) + (a ^ (d & (e ^ a))) + 0x5a827999 + w2; d = rotl<u32>(d, 30);
  w3 = rotl<u32>(w0 ^ w11 ^ w5 ^ w3, 1);
  a += rotl<u32>(b, 5) + (e ^ (c & (d ^ e))) + 0x5a827999 + w3; c = rotl<u32>(c, 30);
  w4 = rotl<u32>(w1 ^ w12 ^ w6 ^ w4, 1);
  e += rotl<u32>(a, 5) + (b ^ c ^ d) + 0x6ed9eba1 + w4; b = rotl<u32>(b, 30);
  w5 = rotl<u32>(w2 ^ w13 ^ w7 ^ w5, 1);
  d += rotl<u32>(e, 5) + (a ^ b ^ c) + 0x6ed9eba1 + w5; a = rotl<u32>(a, 30);
  w6 = rotl<u32>(w3 ^ w14 ^ w8 ^ w6, 1);
  c += rotl<u32>(d, 5) + (e ^ a ^ b) + 0x6ed9eba1 + w6; e = rotl<u32>(e, 30);
  w7 = rotl<u32>(w4 ^ w15 ^ w9 ^ w7, 1);
  b += rotl<u32>(c, 5) + (d ^ e ^ a) + 0x6ed9eba1 + w7; d = rotl<u32>(d, 30);
  w8 = rotl<u32>(w5 ^ w0 ^ w10 ^ w8, 1);
  a += rotl<u32>(b, 5) + (c ^ d ^ e) + 0x6ed9eba1 + w8; c = rotl<u32>(c, 30);
  w9 = rotl<u32>(w6 ^ w1 ^ w11 ^ w9, 1);
  e += rotl<u32>(a, 5) + (b ^ c ^ d) + 0x6ed9eba1 + w9; b = rotl<u32>(b, 30);
  w10 = rotl<u32>(w7 ^ w2 ^ w12 ^ w10, 1);
  d += rotl<u32>(e, 5) + (a ^ b ^ c) + 0x6ed9eba1 + w10; a = rotl<u32>(a, 30);
  w11 = rotl<u32>(w8 ^ w3 ^ w13 ^ w11, 1);
  c += rotl<u32>(d, 5) + (e ^ a ^ b) + 0x6ed9eba1 + w11; e = rotl<u32>(e, 30);
  w12 = rotl<u32>(w9 ^ w4 ^ w14 ^ w12, 1);
  b += rotl<u32>(c, 5) + (d ^ e ^ a) + 0x6ed9eba1 + w12; d = rotl<u32>(d, 30);
  w13 = rotl<u32>(w10 ^ w5 ^ w15 ^ w13, 1);
  a += rotl<u32>(b, 5) + (c ^ d ^ e) + 0x6ed9eba1 + w13; c = rotl<u32>(c, 30);
  w14 = rotl<u32>(w11 ^ w6 ^ w0 ^ w14, 1);
  e += rotl<u32>(a, 5) + (b ^ c ^ d) + 0x6ed9eba1 + w14; b = rotl<u32>(b, 30);
  w15 = rotl<u32>(w12 ^ w7 ^ w1 ^ w15, 1);
  d += rotl<u32>(e, 5) + (a ^ b ^ c) + 0x6ed9eba1 + w15; a = rotl<u32>(a, 30);
  w0 = rotl<u32>(w13 ^ w8 ^ w2 ^ w0, 1);
  c += rotl<u32>(d, 5) + (e ^ a ^ b) + 0x6ed9eba1 + w0; e = rotl<u32>(e, 30);
  w1 = rotl<u32>(w14 ^ w9 ^ w3 ^ w1, 1);
  b += rotl<u32>(c, 5) + (d ^ e ^ a) + 0x6ed9eba1 + w1; d = rotl<u32>(d, 30);
  w2 = rotl<u32>(w15 ^ w10 ^ w4 ^ w2, 1);
  a += rotl<u32>(b, 5) + (c ^ d ^ e) + 0x6ed9eba1 + w2; c = rotl<u32>(c, 30);
  w3 = rotl<u32>(w0 ^ w11 ^ w5 ^ w3, 1);
  e += rotl<u32>(a, 5) + (b ^ c ^ d) + 0x6ed9eba1 + w3; b = rotl<u32>(b, 30);
  w4 = rotl<u32>(w1 ^ w12 ^ w6 ^ w4, 1);
  d += rotl<u32>(e, 5) + (a ^ b ^ c) + 0x6ed9eba1 + w4; a = rotl<u32>(a, 30);
  w5 = rotl<u32>(w2 ^ w13 ^ w7 ^ w5, 1);
  c += rotl<u32>(d, 5) + (e ^ a ^ b) + 0x6ed9eba1 + w5; e = rotl<u32>(e, 30);
  w6 = rotl<u32>(w3 ^ w14 ^ w8 ^ w6, 1);
  b += rotl<u32>(c, 5) + (d ^ e ^ a) + 0x6ed9eba1 + w6; d = rotl<u32>(d, 30);
  w7 = rotl<u32>(w4 ^ w15 ^ w9 ^ w7, 1);
  a += rotl<u32>(b, 5) + (c ^ d ^ e) + 0x6ed9eba1 + w7; c = rotl<u32>(c, 30);
  w8 = rotl<u32>(w5 ^ w0 ^ w10 ^ w8, 1);
  e += rotl<u32>(a, 5) + ((b & c) | (d & (b | c))) + 0x8f1bbcdc + w8; b = rotl<u32>(b, 30);
  w9 = rotl<u32>(w6 ^ w1 ^ w11 ^ w9, 1);
  d += rotl<u32>(e, 5) + ((a & b) | (c & (a | b))) + 0x8f1bbcdc + w9; a = rotl<u32>(a, 30);
  w10 = rotl<u32>(w7 ^ w2 ^ w12 ^ w10, 1);
  c += rotl<u32>(d, 5) + ((e & a) | (b & (e | a))) + 0x8f1bbcdc + w10; e = rotl<u32>(e, 30);
  w11 = rotl<u32>(w8 ^ w3 ^ w13 ^ w11, 1);
  b += rotl<u32>(c, 5) + ((d & e) | (a & (d | e))) + 0x8f1bbcdc + w11; d = rotl<u32>(d, 30);
  w12 = rotl<u32>(w9 ^ w4 ^ w14 ^ w12, 1);
  a += rotl<u32>(b, 5) + ((c & d) | (e & (c | d))) + 0x8f1bbcdc + w12; c = rotl<u32>(c, 30);
  w13 = rotl<u32>(w10 ^ w5 ^ w15 ^ w13, 1);
  e += rotl<u32>(a, 5) + ((b & c) | (d & (b | c))) + 0x8f1bbcdc + w13; b = rotl<u32>(b, 30);
  w14 = rotl<u32>(w11 ^ w6 ^ w0 ^ w14, 1);
  d += rotl<u32>(e, 5) + ((a & b) | (c & (a | b))) + 0x8f1bbcdc + w14; a = rotl<u32>(a, 30);
  w15 = rotl<u32>(w12 ^ w7 ^ w1 ^ w15, 1);
  c += rotl<u32>(d, 5) + ((e & a) | (b & (e | a))) + 0x8f1bbcdc + w15; e = rotl<u32>(e, 30);
  w0 = rotl<u32>(w13 ^ w8 ^ w2 ^ w0, 1);
  b += rotl<u32>(c, 5) + ((d & e) | (a & (d | e))) + 0x8f1bbcdc + w0; d = rotl<u32>(d, 30);
  w1 = rotl<u32>(w14 ^ w9 ^ w3 ^ w1, 1);
  a += rotl<u32>(b, 5) + ((c & d) | (e & (c | d))) + 0x8f1bbcdc + w1; c = rotl<u32>(c, 30);
  w2 = rotl<u32>(w15 ^ w10 ^ w4 ^ w2, 1);
  e += rotl<u32>(a, 5) + ((b & c) | (d & (b | c))) + 0x8f1bbcdc + w2; b = rotl<u32>(b, 30);
  w3 = rotl<u32>(w0 ^ w11 ^ w5 ^ w3, 1);
  d += rotl<u32>(e, 5) + ((a & b) | (c & (a | b))) + 0x8f1bbcdc + w3; a = rotl<u32>(a, 30);
  w4 = rotl<u32>(w1 ^ w12 ^ w6 ^ w4, 1);
  c += rotl<u32>(d, 5) + ((e & a) | (b & (e | a))) + 0x8f1bbcdc + w4; e = rotl<u32>(e, 30);
  w5 = rotl<u32>(w2 ^ w13 ^ w7 ^ w5, 1);
  b += rotl<u32>(c, 5) + ((d & e) | (a & (d | e))) + 0x8f1bbcdc + w5; d = rotl<u32>(d, 30);
  w6 = rotl<u32>(w3 ^ w14 ^ w8 ^ w6, 1);
  a += rotl<u32>(b, 5) + ((c & d) | (e & (c | d))) + 0x8f1bbcdc + w6; c = rotl<u32>(c, 30);
  w7 = rotl<u32>(w4 ^ w15 ^ w9 ^ w7, 1);
  e += rotl<u32>(a, 5) + ((b & c) | (d & (b | c))) + 0x8f1bbcdc + w7; b = rotl<u32>(b, 30);
  w8 = rotl<u32>(w5 ^ w0 ^ w10 ^ w8, 1);
  d += rotl<u32>(e, 5) + ((a & b) | (c & (a | b))) + 0x8f1bbcdc + w8; a = rotl<u32>(a, 30);
  w9 = rotl<u32>(w6 ^ w1 ^ w11 ^ w9, 1);
  c += rotl<u32>(d, 5) + ((e & a) | (b & (e | a))) + 0x8f1bbcdc + w9; e = rotl<u32>(e, 30);
  w10 = rotl<u32>(w7 ^ w2 ^ w12 ^ w10, 1);
  b += rotl<u32>(c, 5) + ((d & e) | (a & (d | e))) + 0x8f1bbcdc + w10; d = rotl<u32>(d, 30);
  w11 = rotl<u32>(w8 ^ w3 ^ w13 ^ w11, 1);
  a += rotl<u32>(b, 5) + ((c & d) | (e & (c | d))) + 0x8f1bbcdc + w11; c = rotl<u32>(c, 30);
  w12 = rotl<u32>(w9 ^ w4 ^ w14 ^ w12, 1);
  e += rotl<u32>(a, 5) + (b ^ c ^ d) + 0xca62c1d6 + w12; b = rotl<u32>(b, 30);
  w13 = rotl<u32>(w10 ^ w5 ^ w15 ^ w13, 1);
  d += rotl<u32>(e, 5) + (a ^ b ^ c) + 0xca62c1d6 + w13; a = rotl<u32>(a, 30);
  w14 = rotl<u32>(w11 ^ w6 ^ w0 ^ w14, 1);
  c += rotl<u32>(d, 5) + (e ^ a ^ b) + 0xca62c1d6 + w14; e = rotl<u32>(e, 30);
  w15 = rotl<u32>(w12 ^ w7 ^ w1 ^ w15, 1);
  b += rotl<u32>(c, 5) + (d ^ e ^ a) + 0xca62c1d6 + w15; d = rotl<u32>(d, 30);
  w0 = rotl<u32>(w13 ^ w8 ^ w2 ^ w0, 1);
  a += rotl<u32>(b, 5) + (c ^ d ^ e) + 0xca62c1d6 + w0; c = rotl<u32>(c, 30);
  w1 = rotl<u32>(w14 ^ w9 ^ w3 ^ w1, 1);
  e += rotl<u32>(a, 5) + (b ^ c ^ d) + 0xca62c1d6 + w1; b = rotl<u32>(b, 30);
  w2 = rotl<u32>(w15 ^ w10 ^ w4 ^ w2, 1);
  d += rotl<u32>(e, 5) + (a ^ b ^ c) + 0xca62c1d6 + w2; a = rotl<u32>(a, 30);
  w3 = rotl<u32>(w0 ^ w11 ^ w5 ^ w3, 1);
  c += rotl<u32>(d, 5) + (e ^ a ^ b) + 0xca62c1d6 + w3; e = rotl<u32>(e, 30);
  w4 = rotl<u32>(w1 ^ w12 ^ w6 ^ w4, 1);
  b += rotl<u32>(c, 5) + (d ^ e ^ a) + 0xca62c1d6 + w4; d = rotl<u32>(d, 30);
  w5 = rotl<u32>(w2 ^ w13 ^ w7 ^ w5, 1);
  a += rotl<u32>(b, 5) + (c ^ d ^ e) + 0xca62c1d6 + w5; c = rotl<u32>(c, 30);
  w6 = rotl<u32>(w3 ^ w14 ^ w8 ^ w6, 1);
  e += rotl<u32>(a, 5) + (b ^ c ^ d) + 0xca62c1d6 + w6; b = rotl<u32>(b, 30);
  w7 = rotl<u32>(w4 ^ w15 ^ w9 ^ w7, 1);
  d += rotl<u32>(e, 5) + (a ^ b ^ c) + 0xca62c1d6 + w7; a = rotl<u32>(a, 30);
  w8 = rotl<u32>(w5 ^ w0 ^ w10 ^ w8, 1);
  c += rotl<u32>(d, 5) + (e ^ a ^ b) + 0xca62c1d6 + w8; e = rotl<u32>(e, 30);
  w9 = rotl<u32>(w6 ^ w1 ^ w11 ^ w9, 1);
  b += rotl<u32>(c, 5) + (d ^ e ^ a) + 0xca62c1d6 + w9; d = rotl<u32>(d, 30);
  w10 = rotl<u32>(w7 ^ w2 ^ w12 ^ w10, 1);
  a += rotl<u32>(b, 5) + (c ^ d ^ e) + 0xca62c1d6 + w10; c = rotl<u32>(c, 30);
  w11 = rotl<u32>(w8 ^ w3 ^ w13 ^ w11, 1);
  e += rotl<u32>(a, 5) + (b ^ c ^ d) + 0xca62c1d6 + w11; b = rotl<u32>(b, 30);
  w12 = rotl<u32>(w9 ^ w4 ^ w14 ^ w12, 1);
  d += rotl<u32>(e, 5) + (a ^ b ^ c) + 0xca62c1d6 + w12; a = rotl<u32>(a, 30);
  w13 = rotl<u32>(w10 ^ w5 ^ w15 ^ w13, 1);
  c += rotl<u32>(d, 5) + (e ^ a ^ b) + 0xca62c1d6 + w13; e = rotl<u32>(e, 30);
  w14 = rotl<u32>(w11 ^ w6 ^ w0 ^ w14, 1);
  b += rotl<u32>(c, 5) + (d ^ e ^ a) + 0xca62c1d6 + w14; d = rotl<u32>(d, 30);
  w15 = rotl<u32>(w12 ^ w7 ^ w1 ^ w15, 1);
  a += rotl<u32>(b, 5) + (c ^ d ^ e) + 0xca62c1d6 + w15; c = rotl<u32>(c, 30);
  store<u32>(state, load<u32>(state, 0) + a, 0);
  store<u32>(state, load<u32>(state, 4) + b, 4);
  store<u32>(state, load<u32>(state, 8) + c, 8);
  store<u32>(state, load<u32>(state, 12) + d, 12);
  store<u32>(state, load<u32>(state, 16) + e, 16);
}

/** Byte swap as three inlined operations on a rotate (AssemblyScript's bswap<u32> is a
 *  function call: 16 extra calls per block). */
// @ts-ignore: decorator
@inline export function swap32(x: u32): u32 {
  return (rotl<u32>(x, 8) & 0x00ff00ff) | (rotr<u32>(x, 8) & 0xff00ff00);
}

// @ts-ignore: decorator
@inline function be32(p: usize, offset: usize): u32 {
  return swap32(load<u32>(p + offset));
}

/** Compresses one 64-byte block (bytes, any alignment) into state. */
export function sha1Block(state: usize, block: usize): void {
  if (hasSha1Accel()) {
    accel_sha1_block(state, block);
    return;
  }
  sha1Words(state,
    be32(block, 0), be32(block, 4), be32(block, 8), be32(block, 12),
    be32(block, 16), be32(block, 20), be32(block, 24), be32(block, 28),
    be32(block, 32), be32(block, 36), be32(block, 40), be32(block, 44),
    be32(block, 48), be32(block, 52), be32(block, 56), be32(block, 60));
}

/** Writes the 20-byte big-endian digest held in state to out. */
export function sha1StateOut(state: usize, out: usize): void {
  for (let i: usize = 0; i < 20; i += 4) store<u32>(out + i, swap32(load<u32>(state + i)));
}

export function sha1Init(ctx: usize): void {
  sha1InitState(ctx);
  store<u32>(ctx + CTX_BUFFERED, 0);
  store<u64>(ctx + CTX_TOTAL, 0);
}

/** Starts a context from a saved intermediate state after `consumed` bytes (a multiple of
 *  64), e.g. a precomputed HMAC inner state. */
export function sha1Resume(ctx: usize, state: usize, consumed: u64): void {
  memory.copy(ctx, state, 20);
  store<u32>(ctx + CTX_BUFFERED, 0);
  store<u64>(ctx + CTX_TOTAL, consumed);
}

/** Absorbs len bytes at p. A negative or zero len does nothing. */
export function sha1Update(ctx: usize, p: usize, len: i32): void {
  if (len <= 0) return;
  store<u64>(ctx + CTX_TOTAL, load<u64>(ctx + CTX_TOTAL) + <u64>len);
  const block = ctx + CTX_BLOCK;
  let n = <i32>load<u32>(ctx + CTX_BUFFERED);
  if (n > 0) {
    const take = min(64 - n, len);
    memory.copy(block + n, p, <usize>take);
    n += take; p += take; len -= take;
    if (n < 64) { store<u32>(ctx + CTX_BUFFERED, n); return; }
    sha1Block(ctx, block);
    n = 0;
  }
  while (len >= 64) {
    sha1Block(ctx, p);
    p += 64; len -= 64;
  }
  if (len > 0) memory.copy(block, p, <usize>len);
  store<u32>(ctx + CTX_BUFFERED, len);
}

/** Pads, writes the 20-byte digest to out, and leaves the context to be re-initialised. */
export function sha1Final(ctx: usize, out: usize): void {
  const block = ctx + CTX_BLOCK;
  let n = <i32>load<u32>(ctx + CTX_BUFFERED);
  const bits = load<u64>(ctx + CTX_TOTAL) << 3;
  store<u8>(block + n, 0x80);
  n++;
  if (n > 56) {
    memory.fill(block + n, 0, <usize>(64 - n));
    sha1Block(ctx, block);
    n = 0;
  }
  memory.fill(block + n, 0, <usize>(56 - n));
  store<u64>(block + 56, bswap<u64>(bits));
  sha1Block(ctx, block);
  sha1StateOut(ctx, out);
  memory.fill(block, 0, 64);
  store<u32>(ctx + CTX_BUFFERED, 0);
}

const oneShot = memory.data(SHA1_CTX_SIZE);

/** One-shot SHA-1 of len bytes at p into 20 bytes at out. */
export function sha1(p: usize, len: i32, out: usize): void {
  sha1Init(oneShot);
  sha1Update(oneShot, p, len);
  sha1Final(oneShot, out);
}

// The padded block for a message of one 64-byte block plus 20 bytes: 20 bytes of data,
// 0x80, zeros, and the length 84*8 = 672 bits. HMAC's outer hash and every PBKDF2
// iteration end in exactly this block, so its padding words are constants.
const PAD20_BITS: u32 = (64 + 20) * 8;
const pad20Block = memory.data(64);
let pad20Ready = false;

/** Compresses the final block of a (64 + 20)-byte message whose last 20 bytes are the
 *  big-endian-valued words h0..h4 (a previous digest) into state. */
export function sha1Block20(state: usize, h0: u32, h1: u32, h2: u32, h3: u32, h4: u32): void {
  if (hasSha1Accel()) {
    const b = pad20Block;
    if (!pad20Ready) {
      memory.fill(b, 0, 64);
      store<u8>(b + 20, 0x80);
      store<u32>(b + 60, swap32(PAD20_BITS));
      pad20Ready = true;
    }
    store<u32>(b, swap32(h0), 0);
    store<u32>(b, swap32(h1), 4);
    store<u32>(b, swap32(h2), 8);
    store<u32>(b, swap32(h3), 12);
    store<u32>(b, swap32(h4), 16);
    accel_sha1_block(state, b);
    return;
  }
  sha1Words(state, h0, h1, h2, h3, h4, 0x80000000, 0, 0, 0, 0, 0, 0, 0, 0, 0, PAD20_BITS);
}
