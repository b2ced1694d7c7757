// Which crypto primitives the host accelerates (hal.accel_caps, AccelCap bits). Read once,
// on first use, and cached: the answer cannot change while the module runs.
import { accel_caps, AccelCap } from "../../hal/generated/hal";
export { AccelCap };

let caps: i32 = -1;

function readCaps(): i32 {
  caps = accel_caps() & (AccelCap.Sha1 | AccelCap.Aes128);
  return caps;
}

/** The AccelCap bits the crypto code uses (inlined: a global read, no call after the first). */
// @ts-ignore: decorator
@inline export function cryptoCaps(): i32 {
  return caps >= 0 ? caps : readCaps();
}

/** True when the host computes SHA-1 blocks natively. */
// @ts-ignore: decorator
@inline export function hasSha1Accel(): bool {
  return (cryptoCaps() & AccelCap.Sha1) != 0;
}

/** True when the host encrypts AES-128 blocks natively. */
// @ts-ignore: decorator
@inline export function hasAesAccel(): bool {
  return (cryptoCaps() & AccelCap.Aes128) != 0;
}

/** Constant-time comparison of len bytes: the time depends on len only, never on where
 *  the first difference is. Negative len compares nothing and returns false. */
export function ctEqual(a: usize, b: usize, len: i32): bool {
  if (len < 0) return false;
  let diff: u32 = 0;
  for (let i = 0; i < len; i++) diff |= <u32>(load<u8>(a + i) ^ load<u8>(b + i));
  return diff == 0;
}

/** Overwrites key material that is no longer needed. */
export function wipe(p: usize, len: i32): void {
  if (len > 0) memory.fill(p, 0, <usize>len);
}
