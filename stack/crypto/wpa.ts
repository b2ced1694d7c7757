// WPA2-PSK key hierarchy (IEEE 802.11-2016): passphrase -> PMK (Annex J.4), the PRF of
// 12.7.1.2, PTK = KCK | KEK | TK (12.7.1.3 / 12.7.6), and the EAPOL-Key MIC for key
// descriptor version 2 (HMAC-SHA1-128).
import { hmacScratch, hmacSha1Init, hmacSha1Update, hmacSha1Final, hmacSha1Wipe } from "./hmac";
import { pbkdf2Begin, pbkdf2Step, pbkdf2Result, pbkdf2HmacSha1 } from "./pbkdf2";
import { ctEqual, wipe } from "./accel";

export const WPA_PMK_LEN: i32 = 32;
export const WPA_PMK_ITERATIONS: u32 = 4096;
/** PTK length for CCMP: KCK(16) | KEK(16) | TK(16) (PRF-384). */
export const WPA_PTK_CCMP_LEN: i32 = 48;
export const WPA_KCK_OFFSET: i32 = 0;
export const WPA_KEK_OFFSET: i32 = 16;
export const WPA_TK_OFFSET: i32 = 32;
/** MIC field of an EAPOL-Key frame, counted from the start of the 802.1X header
 *  (version, type, length = 4, then descriptor type 1, key info 2, key length 2,
 *  replay counter 8, nonce 32, IV 16, RSC 8, reserved 8). */
export const EAPOL_MIC_OFFSET: i32 = 81;
export const EAPOL_MIC_LEN: i32 = 16;

const mac = memory.data(20);
const zeroByte = memory.data(1);
const counterByte = memory.data(1);
const zeros16 = memory.data(16);

// ---------------------------------------------------------------------------------------
// Passphrase / PSK -> PMK

/** Annex J.4: a passphrase is 8..63 characters of ASCII 32..126. */
export function wpaPassphraseValid(pass: usize, len: i32): bool {
  if (len < 8 || len > 63) return false;
  for (let i = 0; i < len; i++) {
    const c = load<u8>(pass + i);
    if (c < 32 || c > 126) return false;
  }
  return true;
}

function hexNibble(c: i32): i32 {
  if (c >= 48 && c <= 57) return c - 48;
  c |= 32;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** A PSK given as 64 hex digits is the PMK itself. False unless exactly 64 hex digits. */
export function wpaPskFromHex(hex: usize, len: i32, out: usize): bool {
  if (len != 64) return false;
  for (let i = 0; i < 32; i++) {
    const hi = hexNibble(load<u8>(hex + 2 * i));
    const lo = hexNibble(load<u8>(hex + 2 * i + 1));
    if ((hi | lo) < 0) { wipe(out, i); return false; }
    store<u8>(out + i, (hi << 4) | lo);
  }
  return true;
}

/** Starts PMK = PBKDF2-HMAC-SHA1(passphrase, SSID, 4096, 256 bits) as a resumable job in
 *  caller memory of PBKDF2_JOB_SIZE bytes (pbkdf2.ts). False for an invalid passphrase or SSID > 32. */
export function wpaPmkBegin(job: usize, pass: usize, passLen: i32, ssid: usize, ssidLen: i32): bool {
  if (!wpaPassphraseValid(pass, passLen) || ssidLen < 0 || ssidLen > 32) return false;
  return pbkdf2Begin(job, pass, passLen, ssid, ssidLen, WPA_PMK_ITERATIONS, WPA_PMK_LEN);
}

/** Runs at most maxIterations of the 8192 HMAC iterations of a PMK job; true when done. */
export function wpaPmkStep(job: usize, maxIterations: u32): bool {
  return pbkdf2Step(job, maxIterations);
}

/** Copies the 32-byte PMK out and wipes the job; false if the job is not finished. */
export function wpaPmkResult(job: usize, out: usize): bool {
  return pbkdf2Result(job, out);
}

/** One-shot passphrase -> PMK (blocks for the whole derivation). */
export function wpaPmkFromPassphrase(pass: usize, passLen: i32, ssid: usize, ssidLen: i32, out: usize): bool {
  if (!wpaPassphraseValid(pass, passLen) || ssidLen < 0 || ssidLen > 32) return false;
  return pbkdf2HmacSha1(pass, passLen, ssid, ssidLen, WPA_PMK_ITERATIONS, out, WPA_PMK_LEN);
}

/** A configured secret: 64 hex digits are taken as the PSK, anything else as a passphrase. */
export function wpaPmkFromSecret(secret: usize, len: i32, ssid: usize, ssidLen: i32, out: usize): bool {
  if (len == 64 && wpaPskFromHex(secret, len, out)) return true;
  return wpaPmkFromPassphrase(secret, len, ssid, ssidLen, out);
}

// ---------------------------------------------------------------------------------------
// PRF (12.7.1.2) and PTK

/** PRF-SHA1: out = first outLen bytes of HMAC-SHA1(K, A || 0x00 || B || i), i = 0, 1, ...
 *  outLen <= 0 writes nothing. */
export function prfSha1(key: usize, keyLen: i32, label: usize, labelLen: i32, data: usize, dataLen: i32, out: usize, outLen: i32): void {
  if (outLen <= 0) return;
  const ctx = hmacScratch;
  hmacSha1Init(ctx, key, keyLen);
  store<u8>(zeroByte, 0);
  for (let i = 0, pos = 0; pos < outLen; i++, pos += 20) {
    store<u8>(counterByte, i);
    hmacSha1Update(ctx, label, labelLen);
    hmacSha1Update(ctx, zeroByte, 1);
    hmacSha1Update(ctx, data, dataLen);
    hmacSha1Update(ctx, counterByte, 1);
    if (outLen - pos >= 20) {
      hmacSha1Final(ctx, out + pos);
    } else {
      hmacSha1Final(ctx, mac);
      memory.copy(out + pos, mac, <usize>(outLen - pos));
    }
  }
  wipe(mac, 20);
  hmacSha1Wipe(ctx);
}

// "Pairwise key expansion" (ASCII, no terminator).
const PAIRWISE_LABEL = memory.data<u8>([
  0x50, 0x61, 0x69, 0x72, 0x77, 0x69, 0x73, 0x65, 0x20, 0x6b, 0x65, 0x79,
  0x20, 0x65, 0x78, 0x70, 0x61, 0x6e, 0x73, 0x69, 0x6f, 0x6e,
]);
const PAIRWISE_LABEL_LEN: i32 = 22;
const ptkData = memory.data(76);

/** Unsigned lexicographic comparison of len bytes: <0, 0, >0. */
function compareBytes(a: usize, b: usize, len: i32): i32 {
  for (let i = 0; i < len; i++) {
    const d = <i32>load<u8>(a + i) - <i32>load<u8>(b + i);
    if (d != 0) return d;
  }
  return 0;
}

/** PTK = PRF(PMK, "Pairwise key expansion", Min(AA,SPA) || Max(AA,SPA) ||
 *  Min(ANonce,SNonce) || Max(ANonce,SNonce)), outLen bytes (48 for CCMP, at most 64).
 *  pmk is 32 bytes, aa/spa 6, nonces 32. */
export function wpaPtk(pmk: usize, aa: usize, spa: usize, anonce: usize, snonce: usize, out: usize, outLen: i32): void {
  const d = ptkData;
  const aaFirst = compareBytes(aa, spa, 6) < 0;
  memory.copy(d, aaFirst ? aa : spa, 6);
  memory.copy(d + 6, aaFirst ? spa : aa, 6);
  const anFirst = compareBytes(anonce, snonce, 32) < 0;
  memory.copy(d + 12, anFirst ? anonce : snonce, 32);
  memory.copy(d + 44, anFirst ? snonce : anonce, 32);
  prfSha1(pmk, WPA_PMK_LEN, PAIRWISE_LABEL, PAIRWISE_LABEL_LEN, d, 76, out, outLen);
}

// ---------------------------------------------------------------------------------------
// EAPOL-Key MIC, key descriptor version 2: HMAC-SHA1 truncated to 128 bits.

/** MIC over len bytes of an EAPOL frame (from the 802.1X header) whose MIC field the
 *  caller has zeroed; 16 bytes to out. */
export function eapolMic(kck: usize, frame: usize, len: i32, out: usize): void {
  hmacSha1Init(hmacScratch, kck, 16);
  hmacSha1Update(hmacScratch, frame, len);
  hmacSha1Final(hmacScratch, mac);
  memory.copy(out, mac, 16);
  wipe(mac, 20);
  hmacSha1Wipe(hmacScratch);
}

/** Checks the MIC carried at EAPOL_MIC_OFFSET of a received EAPOL-Key frame, computing
 *  over the frame as if that field were zero (the frame is not modified). Constant-time
 *  comparison. False for a frame too short to hold the field. */
export function eapolMicVerify(kck: usize, frame: usize, len: i32): bool {
  if (len < EAPOL_MIC_OFFSET + EAPOL_MIC_LEN) return false;
  hmacSha1Init(hmacScratch, kck, 16);
  hmacSha1Update(hmacScratch, frame, EAPOL_MIC_OFFSET);
  hmacSha1Update(hmacScratch, zeros16, EAPOL_MIC_LEN);
  hmacSha1Update(hmacScratch, frame + EAPOL_MIC_OFFSET + EAPOL_MIC_LEN, len - EAPOL_MIC_OFFSET - EAPOL_MIC_LEN);
  hmacSha1Final(hmacScratch, mac);
  const ok = ctEqual(mac, frame + EAPOL_MIC_OFFSET, EAPOL_MIC_LEN);
  wipe(mac, 20);
  hmacSha1Wipe(hmacScratch);
  return ok;
}
