// Exposes stack/crypto to node:test suites (test/sim/crypto-*.test.ts) and to
// bench/crypto.ts. Arguments are pointers into the input buffer; results go to caller
// pointers (normally the output buffer).
export { input_buffer, output_buffer } from "./_io";
import {
  cryptoCaps, SHA1_CTX_SIZE, sha1, sha1Init, sha1Update, sha1Final, sha1InitState, sha1Block,
  hmacSha1, pbkdf2HmacSha1, PBKDF2_JOB_SIZE, pbkdf2Begin, pbkdf2Step, pbkdf2Result,
  wpaPmkFromSecret, wpaPmkBegin, wpaPmkStep, wpaPmkResult, prfSha1, wpaPtk, eapolMic, eapolMicVerify,
  AES_CTX_SIZE, aesInit, aesEncryptBlock, aesDecryptBlock, aesKeyWrap, aesKeyUnwrap,
} from "../../stack/crypto";

const ctx = memory.data(SHA1_CTX_SIZE);
const job = memory.data(PBKDF2_JOB_SIZE);
const aes = memory.data(AES_CTX_SIZE);
const chunkBuf = memory.data(1000);

export function caps(): i32 { return cryptoCaps(); }

export function sha1_oneshot(p: usize, len: i32, out: usize): void { sha1(p, len, out); }

/** Streaming SHA-1 fed in pieces of `chunk` bytes (tests the buffering). */
export function sha1_chunked(p: usize, len: i32, chunk: i32, out: usize): void {
  sha1Init(ctx);
  for (let off = 0; off < len; off += chunk) sha1Update(ctx, p + off, min(chunk, len - off));
  sha1Final(ctx, out);
}

/** SHA-1 of `count` copies of the byte b, streamed through a 1000-byte buffer. */
export function sha1_repeat(b: i32, count: i32, out: usize): void {
  memory.fill(chunkBuf, <u8>b, 1000);
  sha1Init(ctx);
  for (let left = count; left > 0; left -= 1000) sha1Update(ctx, chunkBuf, min(1000, left));
  sha1Final(ctx, out);
}

/** n compressions of the 64 bytes at p into a state (the bench's per-block figure). */
export function sha1_blocks(p: usize, n: i32, out: usize): void {
  sha1InitState(out);
  for (let i = 0; i < n; i++) sha1Block(out, p);
}

export function hmac_sha1(key: usize, keyLen: i32, data: usize, dataLen: i32, out: usize): void {
  hmacSha1(key, keyLen, data, dataLen, out);
}

export function pbkdf2(pass: usize, passLen: i32, salt: usize, saltLen: i32, iterations: u32, out: usize, dkLen: i32): bool {
  return pbkdf2HmacSha1(pass, passLen, salt, saltLen, iterations, out, dkLen);
}

/** The resumable path: at most `slice` iterations per step; returns the number of steps, or -1. */
export function pbkdf2_sliced(pass: usize, passLen: i32, salt: usize, saltLen: i32, iterations: u32, out: usize, dkLen: i32, slice: u32): i32 {
  if (!pbkdf2Begin(job, pass, passLen, salt, saltLen, iterations, dkLen)) return -1;
  let steps = 1;
  while (!pbkdf2Step(job, slice)) steps++;
  return pbkdf2Result(job, out) ? steps : -1;
}

export function wpa_pmk(secret: usize, len: i32, ssid: usize, ssidLen: i32, out: usize): bool {
  return wpaPmkFromSecret(secret, len, ssid, ssidLen, out);
}

export function wpa_pmk_sliced(pass: usize, len: i32, ssid: usize, ssidLen: i32, out: usize, slice: u32): i32 {
  if (!wpaPmkBegin(job, pass, len, ssid, ssidLen)) return -1;
  let steps = 1;
  while (!wpaPmkStep(job, slice)) steps++;
  return wpaPmkResult(job, out) ? steps : -1;
}

export function prf(key: usize, keyLen: i32, label: usize, labelLen: i32, data: usize, dataLen: i32, out: usize, outLen: i32): void {
  prfSha1(key, keyLen, label, labelLen, data, dataLen, out, outLen);
}

export function ptk(pmk: usize, aa: usize, spa: usize, anonce: usize, snonce: usize, out: usize, outLen: i32): void {
  wpaPtk(pmk, aa, spa, anonce, snonce, out, outLen);
}

export function mic(kck: usize, frame: usize, len: i32, out: usize): void { eapolMic(kck, frame, len, out); }
export function mic_verify(kck: usize, frame: usize, len: i32): bool { return eapolMicVerify(kck, frame, len); }

export function aes_encrypt(key: usize, keyLen: i32, input: usize, out: usize): bool {
  if (!aesInit(aes, key, keyLen)) return false;
  aesEncryptBlock(aes, input, out);
  return true;
}

export function aes_decrypt(key: usize, keyLen: i32, input: usize, out: usize): bool {
  if (!aesInit(aes, key, keyLen)) return false;
  aesDecryptBlock(aes, input, out);
  return true;
}

export function key_wrap(kek: usize, kekLen: i32, input: usize, len: i32, out: usize): i32 {
  return aesKeyWrap(kek, kekLen, input, len, out);
}

export function key_unwrap(kek: usize, kekLen: i32, input: usize, len: i32, out: usize): bool {
  return aesKeyUnwrap(kek, kekLen, input, len, out);
}

/** The stub runtime's heap top (each probe itself takes a few bytes): tests check that
 *  the crypto code never allocates. */
export function heap_top(): usize { return heap.alloc(0); }
