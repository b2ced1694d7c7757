// PBKDF2-HMAC-SHA1 (RFC 8018 section 5.2), resumable.
//
// The HMAC key (the password) is absorbed once: every iteration starts from the cached
// inner and outer states and compresses exactly two blocks, both of the fixed
// "64 + 20 bytes" shape, straight from the previous digest's words (no byte conversion,
// no buffers). A WPA PMK is 2 x 4096 iterations, i.e. 16,384 compressions; on wasm3 that
// is seconds of CPU, so the work is a job the caller can run in slices
// (pbkdf2Step(job, n) does at most n iterations) between polls.
//
// A job is caller memory of PBKDF2_JOB_SIZE bytes. The salt is copied in; the password
// is only needed by pbkdf2Begin.
import { hmacSha1Init, hmacSha1Update, hmacSha1Final, HMAC_CTX_SIZE } from "./hmac";
import { sha1Words, sha1Block20, swap32 } from "./sha1";
import { hasSha1Accel, wipe } from "./accel";

export const PBKDF2_MAX_SALT: i32 = 64;
export const PBKDF2_MAX_DK: i32 = 64;

const HMAC: usize = 0;                         // HMAC context: istate at +0, ostate at +20
const SALT: usize = HMAC_CTX_SIZE;             // 64
const DK: usize = SALT + 64;                   // 64
const SALT_LEN: usize = DK + 64;
const DK_LEN: usize = SALT_LEN + 4;
const ITERATIONS: usize = DK_LEN + 4;
const DONE_ITER: usize = ITERATIONS + 4;       // iterations done for the current block
const BLOCK: usize = DONE_ITER + 4;            // current block index, from 1
const U: usize = BLOCK + 4;                    // U_j as 5 words
const T: usize = U + 20;                       // running XOR of U_1..U_j as 5 words
const WORK: usize = T + 20;                    // SHA-1 state being computed
export const PBKDF2_JOB_SIZE: i32 = <i32>(WORK + 20);

const counterBytes = memory.data(4);

/** Prepares a job. False (and nothing to run) when saltLen > PBKDF2_MAX_SALT, dkLen is not
 *  1..PBKDF2_MAX_DK, iterations is 0, or a length is negative. */
export function pbkdf2Begin(job: usize, pass: usize, passLen: i32, salt: usize, saltLen: i32, iterations: u32, dkLen: i32): bool {
  store<u32>(job + DK_LEN, 0);
  if (passLen < 0 || saltLen < 0 || saltLen > PBKDF2_MAX_SALT || dkLen < 1 || dkLen > PBKDF2_MAX_DK || iterations == 0) return false;
  hmacSha1Init(job + HMAC, pass, passLen);
  if (saltLen > 0) memory.copy(job + SALT, salt, <usize>saltLen);
  store<u32>(job + SALT_LEN, saltLen);
  store<u32>(job + DK_LEN, dkLen);
  store<u32>(job + ITERATIONS, iterations);
  store<u32>(job + DONE_ITER, 0);
  store<u32>(job + BLOCK, 1);
  return true;
}

/** True once the whole derived key is computed (or the job was never valid). */
export function pbkdf2Done(job: usize): bool {
  const dkLen = load<u32>(job + DK_LEN);
  return (load<u32>(job + BLOCK) - 1) * 20 >= dkLen;
}

/** Runs at most maxIterations HMAC iterations (at least one). Returns pbkdf2Done(job). */
export function pbkdf2Step(job: usize, maxIterations: u32): bool {
  let budget = maxIterations > 0 ? maxIterations : 1;
  const iterations = load<u32>(job + ITERATIONS);
  while (!pbkdf2Done(job) && budget > 0) {
    let done = load<u32>(job + DONE_ITER);
    if (done == 0) {
      // U_1 = PRF(P, S || INT(i)); T = U_1.
      const block = load<u32>(job + BLOCK);
      store<u32>(counterBytes, swap32(block));
      hmacSha1Update(job + HMAC, job + SALT, <i32>load<u32>(job + SALT_LEN));
      hmacSha1Update(job + HMAC, counterBytes, 4);
      hmacSha1Final(job + HMAC, job + U);
      for (let i: usize = 0; i < 20; i += 4) {
        const w = swap32(load<u32>(job + U + i));
        store<u32>(job + U + i, w);
        store<u32>(job + T + i, w);
      }
      done = 1;
      budget--;
    }
    const n = min(budget, iterations - done);
    iterate(job, n);
    done += n;
    budget -= n;
    if (done < iterations) {
      store<u32>(job + DONE_ITER, done);
    } else {
      finishBlock(job);
    }
  }
  return pbkdf2Done(job);
}

function finishBlock(job: usize): void {
  const block = load<u32>(job + BLOCK);
  const off = (block - 1) * 20;
  const take = min<u32>(20, load<u32>(job + DK_LEN) - off);
  for (let i: u32 = 0; i < take; i++) {
    const w = load<u32>(job + T + ((<usize>i) & ~3));
    store<u8>(job + DK + off + i, <u8>(w >>> (24 - ((i & 3) << 3))));
  }
  store<u32>(job + BLOCK, block + 1);
  store<u32>(job + DONE_ITER, 0);
}

/** n iterations U_j = PRF(P, U_{j-1}), T ^= U_j, from the cached inner/outer states. */
function iterate(job: usize, n: u32): void {
  if (n == 0) return;
  const istate = job + HMAC;
  const ostate = job + HMAC + 20;
  const work = job + WORK;
  let u0 = load<u32>(job + U, 0), u1 = load<u32>(job + U, 4), u2 = load<u32>(job + U, 8);
  let u3 = load<u32>(job + U, 12), u4 = load<u32>(job + U, 16);
  let t0 = load<u32>(job + T, 0), t1 = load<u32>(job + T, 4), t2 = load<u32>(job + T, 8);
  let t3 = load<u32>(job + T, 12), t4 = load<u32>(job + T, 16);
  if (hasSha1Accel()) {
    for (let k: u32 = 0; k < n; k++) {
      memory.copy(work, istate, 20);
      sha1Block20(work, u0, u1, u2, u3, u4);
      u0 = load<u32>(work, 0); u1 = load<u32>(work, 4); u2 = load<u32>(work, 8);
      u3 = load<u32>(work, 12); u4 = load<u32>(work, 16);
      memory.copy(work, ostate, 20);
      sha1Block20(work, u0, u1, u2, u3, u4);
      u0 = load<u32>(work, 0); u1 = load<u32>(work, 4); u2 = load<u32>(work, 8);
      u3 = load<u32>(work, 12); u4 = load<u32>(work, 16);
      t0 ^= u0; t1 ^= u1; t2 ^= u2; t3 ^= u3; t4 ^= u4;
    }
  } else {
    // 84 bytes = (64 + 20) * 8 bits of message; the padding words are constants.
    for (let k: u32 = 0; k < n; k++) {
      memory.copy(work, istate, 20);
      sha1Words(work, u0, u1, u2, u3, u4, 0x80000000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 672);
      u0 = load<u32>(work, 0); u1 = load<u32>(work, 4); u2 = load<u32>(work, 8);
      u3 = load<u32>(work, 12); u4 = load<u32>(work, 16);
      memory.copy(work, ostate, 20);
      sha1Words(work, u0, u1, u2, u3, u4, 0x80000000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 672);
      u0 = load<u32>(work, 0); u1 = load<u32>(work, 4); u2 = load<u32>(work, 8);
      u3 = load<u32>(work, 12); u4 = load<u32>(work, 16);
      t0 ^= u0; t1 ^= u1; t2 ^= u2; t3 ^= u3; t4 ^= u4;
    }
  }
  store<u32>(job + U, u0, 0); store<u32>(job + U, u1, 4); store<u32>(job + U, u2, 8);
  store<u32>(job + U, u3, 12); store<u32>(job + U, u4, 16);
  store<u32>(job + T, t0, 0); store<u32>(job + T, t1, 4); store<u32>(job + T, t2, 8);
  store<u32>(job + T, t3, 12); store<u32>(job + T, t4, 16);
}

/** Copies the derived key (dkLen bytes) to out and wipes the job. False if not done. */
export function pbkdf2Result(job: usize, out: usize): bool {
  const dkLen = <i32>load<u32>(job + DK_LEN);
  if (dkLen == 0 || !pbkdf2Done(job)) return false;
  memory.copy(out, job + DK, <usize>dkLen);
  wipe(job, PBKDF2_JOB_SIZE);
  return true;
}

const oneShotJob = memory.data(PBKDF2_JOB_SIZE);

/** One-shot PBKDF2-HMAC-SHA1 into dkLen bytes at out (limits as pbkdf2Begin). */
export function pbkdf2HmacSha1(pass: usize, passLen: i32, salt: usize, saltLen: i32, iterations: u32, out: usize, dkLen: i32): bool {
  if (!pbkdf2Begin(oneShotJob, pass, passLen, salt, saltLen, iterations, dkLen)) return false;
  while (!pbkdf2Step(oneShotJob, 0xffffffff)) {}
  return pbkdf2Result(oneShotJob, out);
}
