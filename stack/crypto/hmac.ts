// HMAC-SHA1 (RFC 2104), streaming, with the key's inner and outer states precomputed once
// per key (hmacSha1Init) so that every further message costs only its own blocks plus one
// outer block. Contexts are caller memory of HMAC_CTX_SIZE bytes.
import {
  SHA1_CTX_SIZE, sha1, sha1InitState, sha1Block, sha1Resume, sha1Update, sha1Final, sha1Block20, sha1StateOut,
} from "./sha1";
import { swap32 } from "./sha1";
import { wipe } from "./accel";

/** istate(20) | ostate(20) | inner SHA-1 context. */
export const HMAC_CTX_SIZE: i32 = 40 + SHA1_CTX_SIZE;
const ISTATE: usize = 0;
const OSTATE: usize = 20;
const INNER: usize = 40;

const keyBlock = memory.data(64);
const digest = memory.data(20);
const work = memory.data(20);

/** Precomputes the states for key (any length; longer than 64 bytes is hashed first). */
export function hmacSha1Init(ctx: usize, key: usize, keyLen: i32): void {
  const kb = keyBlock;
  memory.fill(kb, 0, 64);
  if (keyLen > 64) sha1(key, keyLen, kb);
  else if (keyLen > 0) memory.copy(kb, key, <usize>keyLen);
  for (let i: usize = 0; i < 64; i += 4) store<u32>(kb + i, load<u32>(kb + i) ^ 0x36363636);
  sha1InitState(ctx + ISTATE);
  sha1Block(ctx + ISTATE, kb);
  for (let i: usize = 0; i < 64; i += 4) store<u32>(kb + i, load<u32>(kb + i) ^ (0x36363636 ^ 0x5c5c5c5c));
  sha1InitState(ctx + OSTATE);
  sha1Block(ctx + OSTATE, kb);
  wipe(kb, 64);
  hmacSha1Reset(ctx);
}

/** Starts a new message under the same key. */
export function hmacSha1Reset(ctx: usize): void {
  sha1Resume(ctx + INNER, ctx + ISTATE, 64);
}

export function hmacSha1Update(ctx: usize, p: usize, len: i32): void {
  sha1Update(ctx + INNER, p, len);
}

/** Writes the 20-byte MAC to out and resets the context for another message. */
export function hmacSha1Final(ctx: usize, out: usize): void {
  sha1Final(ctx + INNER, digest);
  memory.copy(work, ctx + OSTATE, 20);
  sha1Block20(work,
    swap32(load<u32>(digest, 0)), swap32(load<u32>(digest, 4)), swap32(load<u32>(digest, 8)),
    swap32(load<u32>(digest, 12)), swap32(load<u32>(digest, 16)));
  sha1StateOut(work, out);
  wipe(digest, 20);
  hmacSha1Reset(ctx);
}

/** Erases the key-dependent states. */
export function hmacSha1Wipe(ctx: usize): void {
  wipe(ctx, HMAC_CTX_SIZE);
}

/** One context shared by the one-shot functions here and in wpa.ts (hmacSha1, prfSha1,
 *  eapolMic*), which each run to completion and wipe it: one copy in memory, not reentrant. */
export const hmacScratch = memory.data(HMAC_CTX_SIZE);

/** One-shot HMAC-SHA1 into 20 bytes at out. */
export function hmacSha1(key: usize, keyLen: i32, data: usize, dataLen: i32, out: usize): void {
  hmacSha1Init(hmacScratch, key, keyLen);
  hmacSha1Update(hmacScratch, data, dataLen);
  hmacSha1Final(hmacScratch, out);
  hmacSha1Wipe(hmacScratch);
}
