// WPA2-PSK crypto for the simulated access point and the simulated ESP32 radio (which, on
// hardware, does CCMP in silicon). Written with Node's crypto, independently of the stack's
// AssemblyScript code, so the two judge each other.
// References: IEEE 802.11-2016 12.7.1.2 (PRF), 12.7.1.3 (PTK), 12.5.3 (CCMP), J.4 (PSK),
// RFC 3394 (AES key wrap).
import { createCipheriv, createDecipheriv, createHmac, pbkdf2Sync } from "node:crypto";

export function pmkFromPassphrase(passphrase: string, ssid: Uint8Array | string): Buffer {
  return pbkdf2Sync(Buffer.from(passphrase, "utf8"), Buffer.from(ssid), 4096, 32, "sha1");
}

/** PRF-n (802.11-2016 12.7.1.2): HMAC-SHA1(K, A || 0 || B || i) concatenated. */
export function prf(key: Uint8Array, label: string, data: Uint8Array, bits: number): Buffer {
  const out: Buffer[] = [];
  for (let i = 0; out.length * 20 * 8 < bits; i++) {
    out.push(createHmac("sha1", key).update(Buffer.from(label, "ascii")).update(Buffer.of(0)).update(data).update(Buffer.of(i)).digest());
  }
  return Buffer.concat(out).subarray(0, bits / 8);
}

function minMax(a: Uint8Array, b: Uint8Array): [Uint8Array, Uint8Array] {
  return Buffer.compare(Buffer.from(a), Buffer.from(b)) <= 0 ? [a, b] : [b, a];
}

export interface Ptk { kck: Buffer; kek: Buffer; tk: Buffer }

/** PTK for CCMP (PRF-384): "Pairwise key expansion", Min/Max(AA,SPA) || Min/Max(ANonce,SNonce). */
export function derivePtk(pmk: Uint8Array, aa: Uint8Array, spa: Uint8Array, anonce: Uint8Array, snonce: Uint8Array): Ptk {
  const [a1, a2] = minMax(aa, spa);
  const [n1, n2] = minMax(anonce, snonce);
  const ptk = prf(pmk, "Pairwise key expansion", Buffer.concat([a1, a2, n1, n2]), 384);
  return { kck: ptk.subarray(0, 16), kek: ptk.subarray(16, 32), tk: ptk.subarray(32, 48) };
}

/** EAPOL-Key MIC, key descriptor version 2 (HMAC-SHA1-128) over the frame with a zeroed MIC. */
export function eapolMic(kck: Uint8Array, eapolFrame: Uint8Array): Buffer {
  return createHmac("sha1", kck).update(eapolFrame).digest().subarray(0, 16);
}

const WRAP_IV = Buffer.from("a6a6a6a6a6a6a6a6", "hex");

/** RFC 3394 AES key wrap (2.2.1), 128-bit KEK. */
export function aesWrap(kek: Uint8Array, plain: Uint8Array): Buffer {
  const n = plain.length / 8;
  if (!Number.isInteger(n) || n < 2) throw new Error("key wrap input must be a multiple of 8 bytes, at least 16");
  let a: Buffer = Buffer.from(WRAP_IV);
  const r: Buffer[] = Array.from({ length: n }, (_, i) => Buffer.from(plain.subarray(i * 8, i * 8 + 8)));
  for (let j = 0; j <= 5; j++) {
    for (let i = 0; i < n; i++) {
      const b = aesBlock(kek, Buffer.concat([a, r[i]]), true);
      a = xorCounter(b.subarray(0, 8), n * j + i + 1);
      r[i] = b.subarray(8, 16);
    }
  }
  return Buffer.concat([a, ...r]);
}

/** RFC 3394 unwrap; returns null when the integrity check fails. */
export function aesUnwrap(kek: Uint8Array, wrapped: Uint8Array): Buffer | null {
  const n = wrapped.length / 8 - 1;
  if (!Number.isInteger(n) || n < 2) return null;
  let a: Buffer = Buffer.from(wrapped.subarray(0, 8));
  const r: Buffer[] = Array.from({ length: n }, (_, i) => Buffer.from(wrapped.subarray(8 + i * 8, 16 + i * 8)));
  for (let j = 5; j >= 0; j--) {
    for (let i = n - 1; i >= 0; i--) {
      const b = aesBlock(kek, Buffer.concat([xorCounter(a, n * j + i + 1), r[i]]), false);
      a = b.subarray(0, 8);
      r[i] = b.subarray(8, 16);
    }
  }
  return a.equals(WRAP_IV) ? Buffer.concat(r) : null;
}

function xorCounter(a: Uint8Array, t: number): Buffer {
  const out = Buffer.from(a);
  for (let k = 7; k >= 0 && t > 0; k--, t = Math.floor(t / 256)) out[k] ^= t & 0xff;
  return out;
}

function aesBlock(key: Uint8Array, block: Uint8Array, encrypt: boolean): Buffer {
  const c = encrypt ? createCipheriv("aes-128-ecb", key, null) : createDecipheriv("aes-128-ecb", key, null);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(block), c.final()]);
}

// ---- CCMP (802.11-2016 12.5.3) ----

export interface MacHeaderInfo { headerLen: number; qos: boolean; a4: boolean; tid: number; a2: Buffer }

export function macHeaderInfo(frame: Uint8Array): MacHeaderInfo {
  const fc0 = frame[0], fc1 = frame[1];
  const type = (fc0 >> 2) & 3, subtype = fc0 >> 4;
  const a4 = (fc1 & 3) === 3;
  const qos = type === 2 && (subtype & 8) !== 0;
  let headerLen = 24 + (a4 ? 6 : 0);
  const tid = qos ? frame[headerLen] & 0x0f : 0;
  if (qos) headerLen += 2;
  if (qos && (fc1 & 0x80)) headerLen += 4; // HT Control present when Order is set in a QoS frame
  return { headerLen, qos, a4, tid, a2: Buffer.from(frame.subarray(10, 16)) };
}

/** AAD per 802.11-2012 and later: masked FC, A1-A3, masked SC, A4, masked QC. */
export function ccmpAad(frame: Uint8Array): Buffer {
  const info = macHeaderInfo(frame);
  const type = (frame[0] >> 2) & 3;
  const fc0 = type === 2 ? frame[0] & 0x8f : frame[0]; // data: subtype bits b4-b6 masked
  let fc1 = (frame[1] & ~0x38) | 0x40; // Retry, PwrMgt, MoreData masked; Protected set
  if (info.qos) fc1 &= ~0x80; // Order masked in QoS frames
  const parts = [Buffer.of(fc0, fc1), Buffer.from(frame.subarray(4, 22)), Buffer.of(frame[22] & 0x0f, 0)];
  if (info.a4) parts.push(Buffer.from(frame.subarray(24, 30)));
  if (info.qos) parts.push(Buffer.of(info.tid, 0));
  return Buffer.concat(parts);
}

export function ccmpNonce(frame: Uint8Array, pn: bigint): Buffer {
  const info = macHeaderInfo(frame);
  const mgmt = ((frame[0] >> 2) & 3) === 0 ? 0x10 : 0;
  const pnBytes = Buffer.alloc(6);
  for (let i = 0; i < 6; i++) pnBytes[i] = Number((pn >> BigInt(8 * (5 - i))) & 0xffn);
  return Buffer.concat([Buffer.of(info.tid | mgmt), info.a2, pnBytes]);
}

export function ccmpHeader(pn: bigint, keyId: number): Buffer {
  const b = (i: number) => Number((pn >> BigInt(8 * i)) & 0xffn);
  return Buffer.of(b(0), b(1), 0, 0x20 | ((keyId & 3) << 6), b(2), b(3), b(4), b(5));
}

/** Encrypts an unprotected MPDU (header + body, no FCS); sets the Protected bit. */
export function ccmpEncrypt(tk: Uint8Array, mpdu: Uint8Array, pn: bigint, keyId: number): Buffer {
  const frame = Buffer.from(mpdu);
  frame[1] |= 0x40;
  const { headerLen } = macHeaderInfo(frame);
  const header = frame.subarray(0, headerLen), body = frame.subarray(headerLen);
  const c = createCipheriv("aes-128-ccm", tk, ccmpNonce(frame, pn), { authTagLength: 8 });
  c.setAAD(ccmpAad(frame), { plaintextLength: body.length });
  const enc = Buffer.concat([c.update(body), c.final()]);
  return Buffer.concat([header, ccmpHeader(pn, keyId), enc, c.getAuthTag()]);
}

export interface CcmpDecrypted { plaintext: Buffer; pn: bigint; keyId: number; mpdu: Buffer }

/** Decrypts a protected MPDU; null when the MIC fails or the frame is malformed. */
export function ccmpDecrypt(tk: Uint8Array, frame: Uint8Array): CcmpDecrypted | null {
  if (frame.length < 24) return null;
  const { headerLen } = macHeaderInfo(frame);
  if (frame.length < headerLen + 8 + 8 || !(frame[headerLen + 3] & 0x20)) return null;
  const h = frame.subarray(headerLen, headerLen + 8);
  let pn = 0n;
  for (const i of [7, 6, 5, 4, 1, 0]) pn = (pn << 8n) | BigInt(h[i]);
  const body = frame.subarray(headerLen + 8, frame.length - 8);
  const tag = frame.subarray(frame.length - 8);
  try {
    const d = createDecipheriv("aes-128-ccm", tk, ccmpNonce(frame, pn), { authTagLength: 8 });
    d.setAuthTag(tag);
    d.setAAD(ccmpAad(frame), { plaintextLength: body.length });
    const plaintext = Buffer.concat([d.update(body), d.final()]);
    const mpdu = Buffer.concat([Buffer.from(frame.subarray(0, headerLen)), plaintext]);
    mpdu[1] &= ~0x40;
    return { plaintext, pn, keyId: h[3] >> 6, mpdu };
  } catch {
    return null;
  }
}
