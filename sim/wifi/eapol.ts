// EAPOL-Key frames (IEEE 802.11-2016 12.7.2) for the simulated authenticator.
import { aesUnwrap, aesWrap, eapolMic } from "./crypto.ts";

export const ETHERTYPE_EAPOL = 0x888e;
export const KeyInfo = {
  VersionHmacSha1Aes: 2, Pairwise: 1 << 3, Install: 1 << 6, Ack: 1 << 7, Mic: 1 << 8, Secure: 1 << 9,
  Error: 1 << 10, Request: 1 << 11, EncryptedData: 1 << 12,
} as const;
const MIC_OFFSET = 81;

export interface EapolKey {
  keyInfo: number;
  keyLength: number;
  replayCounter: bigint;
  nonce: Buffer;
  rsc: Buffer;
  mic: Buffer;
  keyData: Buffer;
}

export function buildEapolKey(k: EapolKey, kck: Uint8Array | null): Buffer {
  const f = Buffer.alloc(99 + k.keyData.length);
  f[0] = 2; f[1] = 3; f.writeUInt16BE(95 + k.keyData.length, 2);
  f[4] = 2; // RSN key descriptor
  f.writeUInt16BE(k.keyInfo, 5);
  f.writeUInt16BE(k.keyLength, 7);
  f.writeBigUInt64BE(k.replayCounter, 9);
  k.nonce.copy(f, 17);
  k.rsc.copy(f, 65);
  f.writeUInt16BE(k.keyData.length, 97);
  k.keyData.copy(f, 99);
  if (kck && k.keyInfo & KeyInfo.Mic) eapolMic(kck, f).copy(f, MIC_OFFSET);
  return f;
}

export function parseEapolKey(f: Uint8Array): EapolKey | null {
  if (f.length < 99 || f[1] !== 3 || f[4] !== 2) return null;
  const b = Buffer.from(f);
  const bodyLen = b.readUInt16BE(2), dataLen = b.readUInt16BE(97);
  if (4 + bodyLen > b.length || 99 + dataLen > 4 + bodyLen) return null;
  return {
    keyInfo: b.readUInt16BE(5), keyLength: b.readUInt16BE(7), replayCounter: b.readBigUInt64BE(9),
    nonce: b.subarray(17, 49), rsc: b.subarray(65, 73), mic: b.subarray(81, 97), keyData: b.subarray(99, 99 + dataLen),
  };
}

/** Checks an EAPOL-Key frame's MIC with the KCK (MIC field zeroed for the computation). */
export function micValid(frame: Uint8Array, kck: Uint8Array): boolean {
  const bodyLen = (frame[2] << 8) | frame[3];
  const copy = Buffer.from(frame.subarray(0, 4 + bodyLen));
  const mic = Buffer.from(copy.subarray(MIC_OFFSET, MIC_OFFSET + 16));
  copy.fill(0, MIC_OFFSET, MIC_OFFSET + 16);
  return eapolMic(kck, copy).equals(mic);
}

/** GTK KDE (12.7.2, table 12-6): OUI 00-0F-AC type 1, key id, Tx bit. */
export function gtkKde(keyId: number, gtk: Uint8Array): Buffer {
  return Buffer.concat([Buffer.of(0xdd, 6 + gtk.length, 0x00, 0x0f, 0xac, 1, keyId & 3, 0), gtk]);
}

/** Pads key data per 12.7.2 (0xdd then zeros to a multiple of 8, at least 16) and wraps it with the KEK. */
export function wrapKeyData(kek: Uint8Array, data: Buffer): Buffer {
  let padded = data;
  if (padded.length < 16 || padded.length % 8) {
    const target = Math.max(16, Math.ceil((padded.length + 1) / 8) * 8);
    padded = Buffer.concat([padded, Buffer.of(0xdd), Buffer.alloc(target - padded.length - 1)]);
  }
  return aesWrap(kek, padded);
}

export function unwrapKeyData(kek: Uint8Array, data: Uint8Array): Buffer | null {
  return aesUnwrap(kek, data);
}
