// AES block cipher (FIPS 197), byte-oriented, for EAPOL key unwrapping (RFC 3394 with the
// KEK). Keys of 16, 24 and 32 bytes; the key is expanded once per context. Encryption of
// 128-bit keys goes to hal.accel_aes128_encrypt when the host reports AccelCap.Aes128;
// decryption (key unwrap) is always ours: the HAL has no decrypt accelerator.
//
// Memory: the S-box and its inverse (512 bytes) are computed on first use from the
// definition (multiplicative inverse in GF(2^8) followed by the affine map), so the
// module carries no table data; a context is AES_CTX_SIZE bytes of caller memory.
// Bulk traffic (CCMP) is done by the Wi-Fi hardware, so this code favours size over speed.
import { accel_aes128_encrypt } from "../../hal/generated/hal";
import { hasAesAccel, wipe } from "./accel";

/** rounds(4) | raw key(32) | round keys (up to 15 x 16 = 240). */
export const AES_CTX_SIZE: i32 = 276;
const ROUNDS: usize = 0;
const KEY: usize = 4;
const RK: usize = 36;

const sbox = memory.data(256);
const invSbox = memory.data(256);
let tablesReady = false;

// SubBytes+ShiftRows source index (state is column-major: byte r + 4c) and its inverse.
const SHIFT = memory.data<u8>([0, 5, 10, 15, 4, 9, 14, 3, 8, 13, 2, 7, 12, 1, 6, 11]);
const INV_SHIFT = memory.data<u8>([0, 13, 10, 7, 4, 1, 14, 11, 8, 5, 2, 15, 12, 9, 6, 3]);

const st = memory.data(16);
const tmp = memory.data(16);

// @ts-ignore: decorator
@inline function xtime(x: u32): u32 {
  return ((x << 1) ^ ((x >> 7) * 0x1b)) & 0xff;
}

// @ts-ignore: decorator
@inline function rotl8(x: u32, n: u32): u32 {
  return ((x << n) | (x >> (8 - n))) & 0xff;
}

function buildTables(): void {
  // p walks the multiplicative group by powers of 3 (a generator); q = 1/p walks it by
  // powers of 3^-1 = 0xf6 in step, so q is always p's inverse.
  let p: u32 = 1, q: u32 = 1;
  do {
    p = p ^ xtime(p);                   // p *= 3
    q ^= q << 1; q ^= q << 2; q ^= q << 4; q &= 0xff;
    if (q & 0x80) q ^= 0x09;            // q /= 3
    const s = q ^ rotl8(q, 1) ^ rotl8(q, 2) ^ rotl8(q, 3) ^ rotl8(q, 4) ^ 0x63;
    store<u8>(sbox + p, <u8>s);
    store<u8>(invSbox + s, <u8>p);
  } while (p != 1);
  store<u8>(sbox, 0x63);
  store<u8>(invSbox + 0x63, 0);
  tablesReady = true;
}

/** Expands key (keyLen 16, 24 or 32) into ctx. False (ctx unusable) for other lengths. */
export function aesInit(ctx: usize, key: usize, keyLen: i32): bool {
  store<u32>(ctx + ROUNDS, 0);
  if (keyLen != 16 && keyLen != 24 && keyLen != 32) return false;
  if (!tablesReady) buildTables();
  const nk = keyLen >> 2;
  const nr = nk + 6;
  memory.fill(ctx + KEY, 0, 32);
  memory.copy(ctx + KEY, key, <usize>keyLen);
  const rk = ctx + RK;
  memory.copy(rk, key, <usize>keyLen);
  let rcon: u32 = 1;
  const words = 4 * (nr + 1);
  for (let i = nk; i < words; i++) {
    const prev = rk + ((<usize>(i - 1)) << 2);
    let t0 = <u32>load<u8>(prev), t1 = <u32>load<u8>(prev, 1), t2 = <u32>load<u8>(prev, 2), t3 = <u32>load<u8>(prev, 3);
    if (i % nk == 0) {
      const r0 = t0;
      t0 = <u32>load<u8>(sbox + t1) ^ rcon;
      t1 = load<u8>(sbox + t2);
      t2 = load<u8>(sbox + t3);
      t3 = load<u8>(sbox + r0);
      rcon = xtime(rcon);
    } else if (nk > 6 && i % nk == 4) {
      t0 = load<u8>(sbox + t0); t1 = load<u8>(sbox + t1); t2 = load<u8>(sbox + t2); t3 = load<u8>(sbox + t3);
    }
    const back = rk + ((<usize>(i - nk)) << 2);
    const dst = rk + ((<usize>i) << 2);
    store<u8>(dst, <u8>(load<u8>(back) ^ t0));
    store<u8>(dst, <u8>(load<u8>(back, 1) ^ t1), 1);
    store<u8>(dst, <u8>(load<u8>(back, 2) ^ t2), 2);
    store<u8>(dst, <u8>(load<u8>(back, 3) ^ t3), 3);
  }
  store<u32>(ctx + ROUNDS, nr);
  return true;
}

export function aesWipe(ctx: usize): void {
  wipe(ctx, AES_CTX_SIZE);
}

// @ts-ignore: decorator
@inline function addRoundKey(s: usize, k: usize): void {
  store<u64>(s, load<u64>(s) ^ load<u64>(k));
  store<u64>(s, load<u64>(s, 8) ^ load<u64>(k, 8), 8);
}

function mixColumns(s: usize): void {
  for (let c: usize = 0; c < 16; c += 4) {
    const p = s + c;
    const a0 = <u32>load<u8>(p), a1 = <u32>load<u8>(p, 1), a2 = <u32>load<u8>(p, 2), a3 = <u32>load<u8>(p, 3);
    const t = a0 ^ a1 ^ a2 ^ a3;
    store<u8>(p, <u8>(a0 ^ t ^ xtime(a0 ^ a1)));
    store<u8>(p, <u8>(a1 ^ t ^ xtime(a1 ^ a2)), 1);
    store<u8>(p, <u8>(a2 ^ t ^ xtime(a2 ^ a3)), 2);
    store<u8>(p, <u8>(a3 ^ t ^ xtime(a3 ^ a0)), 3);
  }
}

function invMixColumns(s: usize): void {
  // InvMixColumns = MixColumns after multiplying by {04}x^2 + {05} (per column:
  // a0 ^= 4(a0^a2), a2 ^= 4(a0^a2), a1 ^= 4(a1^a3), a3 ^= 4(a1^a3)).
  for (let c: usize = 0; c < 16; c += 4) {
    const p = s + c;
    const a0 = <u32>load<u8>(p), a1 = <u32>load<u8>(p, 1), a2 = <u32>load<u8>(p, 2), a3 = <u32>load<u8>(p, 3);
    const u = xtime(xtime(a0 ^ a2));
    const v = xtime(xtime(a1 ^ a3));
    store<u8>(p, <u8>(a0 ^ u));
    store<u8>(p, <u8>(a1 ^ v), 1);
    store<u8>(p, <u8>(a2 ^ u), 2);
    store<u8>(p, <u8>(a3 ^ v), 3);
  }
  mixColumns(s);
}

function subShift(s: usize, table: usize, shift: usize): void {
  for (let i: usize = 0; i < 16; i++) store<u8>(tmp + i, load<u8>(table + load<u8>(s + load<u8>(shift + i))));
  memory.copy(s, tmp, 16);
}

/** Encrypts one 16-byte block (input and output may be the same buffer). */
export function aesEncryptBlock(ctx: usize, input: usize, output: usize): void {
  const nr = <i32>load<u32>(ctx + ROUNDS);
  if (nr == 0) { memory.fill(output, 0, 16); return; }
  if (nr == 10 && hasAesAccel()) {
    accel_aes128_encrypt(ctx + KEY, input, st);
    memory.copy(output, st, 16);
    return;
  }
  const rk = ctx + RK;
  memory.copy(st, input, 16);
  addRoundKey(st, rk);
  for (let r = 1; r < nr; r++) {
    subShift(st, sbox, SHIFT);
    mixColumns(st);
    addRoundKey(st, rk + ((<usize>r) << 4));
  }
  subShift(st, sbox, SHIFT);
  addRoundKey(st, rk + ((<usize>nr) << 4));
  memory.copy(output, st, 16);
}

/** Decrypts one 16-byte block (input and output may be the same buffer). */
export function aesDecryptBlock(ctx: usize, input: usize, output: usize): void {
  const nr = <i32>load<u32>(ctx + ROUNDS);
  if (nr == 0) { memory.fill(output, 0, 16); return; }
  const rk = ctx + RK;
  memory.copy(st, input, 16);
  addRoundKey(st, rk + ((<usize>nr) << 4));
  for (let r = nr - 1; r > 0; r--) {
    subShift(st, invSbox, INV_SHIFT);
    addRoundKey(st, rk + ((<usize>r) << 4));
    invMixColumns(st);
  }
  subShift(st, invSbox, INV_SHIFT);
  addRoundKey(st, rk);
  memory.copy(output, st, 16);
}
