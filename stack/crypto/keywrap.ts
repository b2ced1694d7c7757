// AES key wrap (RFC 3394, default IV A6A6A6A6A6A6A6A6), as used for the Key Data of
// EAPOL-Key frames (GTK KDE) with the 16-byte KEK. KEKs of 16, 24 and 32 bytes work.
import { AES_CTX_SIZE, aesInit, aesEncryptBlock, aesDecryptBlock, aesWipe } from "./aes";
import { wipe } from "./accel";
import { swap32 } from "./sha1";

const ctx = memory.data(AES_CTX_SIZE);
const b = memory.data(16);
const IV: u64 = 0xa6a6a6a6a6a6a6a6;
/** Largest plaintext handled (n <= 2^31 / 8 keeps t = 6n within u32; EAPOL key data is far smaller). */
export const KEYWRAP_MAX: i32 = 4096;

// @ts-ignore: decorator
@inline function xorCounter(a: usize, t: u32): void {
  // A ^= t as a 64-bit big-endian integer (t < 2^32 here).
  store<u32>(a + 4, load<u32>(a + 4) ^ swap32(t));
}

/** Wraps len bytes (a multiple of 8, at least 16) into len + 8 bytes at out. Returns the
 *  output length, or -1 for a bad length or KEK (nothing written). out may equal input
 *  only if it is input - 8 or does not overlap; use separate buffers to be safe. */
export function aesKeyWrap(kek: usize, kekLen: i32, input: usize, len: i32, out: usize): i32 {
  if (len < 16 || len > KEYWRAP_MAX || (len & 7) != 0) return -1;
  if (!aesInit(ctx, kek, kekLen)) return -1;
  const n = len >> 3;
  memory.copy(out + 8, input, <usize>len);
  store<u64>(b, IV);
  for (let j = 0; j < 6; j++) {
    for (let i = 1; i <= n; i++) {
      const r = out + ((<usize>i) << 3);
      store<u64>(b + 8, load<u64>(r));
      aesEncryptBlock(ctx, b, b);
      xorCounter(b, <u32>(n * j + i));
      store<u64>(r, load<u64>(b + 8));
    }
  }
  store<u64>(out, load<u64>(b));
  wipe(b, 16);
  aesWipe(ctx);
  return len + 8;
}

/** Unwraps len bytes (a multiple of 8, at least 24) into len - 8 bytes at out. False for
 *  a bad length or KEK, or when the integrity check fails; out is zeroed then (never
 *  holds unverified key material). out may equal input + 8 or not overlap. */
export function aesKeyUnwrap(kek: usize, kekLen: i32, input: usize, len: i32, out: usize): bool {
  if (len < 24 || len > KEYWRAP_MAX + 8 || (len & 7) != 0) return false;
  if (!aesInit(ctx, kek, kekLen)) return false;
  const n = (len >> 3) - 1;
  store<u64>(b, load<u64>(input));
  memory.copy(out, input + 8, <usize>(len - 8));
  for (let j = 5; j >= 0; j--) {
    for (let i = n; i >= 1; i--) {
      const r = out + ((<usize>(i - 1)) << 3);
      xorCounter(b, <u32>(n * j + i));
      store<u64>(b + 8, load<u64>(r));
      aesDecryptBlock(ctx, b, b);
      store<u64>(r, load<u64>(b + 8));
    }
  }
  // Constant-time check of A against the IV.
  const ok = (load<u64>(b) ^ IV) == 0;
  if (!ok) memory.fill(out, 0, <usize>(len - 8));
  wipe(b, 16);
  aesWipe(ctx);
  return ok;
}
