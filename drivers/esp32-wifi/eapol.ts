// EAPOL-Key frames (IEEE 802.11-2016 12.7.2): a checked view over a received frame, the
// serialiser for the supplicant's replies, and the Key Data element/KDE walk (GTK KDE).
// Offsets count from the 802.1X header (version, type, body length), which follows the
// 14-byte Ethernet header in what the HAL delivers.
import { EAPOL_MIC_OFFSET, EAPOL_MIC_LEN, eapolMic } from "../../stack/crypto";

export const ETHERTYPE_EAPOL: u16 = 0x888e;
export const ETH_HEADER: i32 = 14;
export const EAPOL_TYPE_KEY: u8 = 3;
/** 802.1X header (4) + the fixed EAPOL-Key fields up to and including Key Data Length. */
export const EAPOL_KEY_FIXED: i32 = 99;
export const DESC_RSN: u8 = 2;
export const DESC_WPA: u8 = 254;

export const KI_VERSION_MASK: u16 = 7;
export const KI_VERSION_HMAC_SHA1_AES: u16 = 2;
export const KI_PAIRWISE: u16 = 1 << 3;
export const KI_INSTALL: u16 = 1 << 6;
export const KI_ACK: u16 = 1 << 7;
export const KI_MIC: u16 = 1 << 8;
export const KI_SECURE: u16 = 1 << 9;
export const KI_ERROR: u16 = 1 << 10;
export const KI_REQUEST: u16 = 1 << 11;
export const KI_ENCRYPTED: u16 = 1 << 12;

const OFF_BODY_LEN: i32 = 2;
const OFF_DESC: i32 = 4;
const OFF_KEY_INFO: i32 = 5;
const OFF_KEY_LEN: i32 = 7;
const OFF_REPLAY: i32 = 9;
const OFF_NONCE: i32 = 17;
const OFF_IV: i32 = 49;
const OFF_RSC: i32 = 65;
const OFF_DATA_LEN: i32 = 97;

export enum EapolCheck {
  Ok = 0,
  /** Shorter than its headers say, or not an EAPOL-Key frame at all. */
  Malformed = 1,
  /** WPA1 descriptor (254): refused. */
  WpaDescriptor = 2,
  /** Descriptor version other than 2 (HMAC-MD5/RC4, AES-CMAC/AKM 6): refused. */
  UnsupportedVersion = 3,
}

/** A checked view of one EAPOL-Key frame (the 802.1X part). */
export class EapolKeyView {
  ptr: usize = 0;
  len: i32 = 0;

  /** Wraps (ptr, len) and validates; accessors are only meaningful after Ok. */
  check(ptr: usize, len: i32): EapolCheck {
    this.ptr = ptr;
    this.len = 0;
    if (len < EAPOL_KEY_FIXED) return EapolCheck.Malformed;
    if (load<u8>(ptr + 1) != EAPOL_TYPE_KEY) return EapolCheck.Malformed;
    const bodyLen = be16(ptr + OFF_BODY_LEN);
    if (bodyLen + 4 > len || bodyLen + 4 < EAPOL_KEY_FIXED) return EapolCheck.Malformed;
    const dataLen = be16(ptr + OFF_DATA_LEN);
    if (EAPOL_KEY_FIXED + dataLen > bodyLen + 4) return EapolCheck.Malformed;
    const desc = load<u8>(ptr + OFF_DESC);
    if (desc == DESC_WPA) return EapolCheck.WpaDescriptor;
    if (desc != DESC_RSN) return EapolCheck.Malformed;
    if ((be16(ptr + OFF_KEY_INFO) & KI_VERSION_MASK) != KI_VERSION_HMAC_SHA1_AES) return EapolCheck.UnsupportedVersion;
    this.len = bodyLen + 4; // trailing Ethernet padding is not part of the MIC
    return EapolCheck.Ok;
  }

  keyInfo(): u16 { return <u16>be16(this.ptr + OFF_KEY_INFO); }
  keyLength(): i32 { return be16(this.ptr + OFF_KEY_LEN); }
  replayCounter(): u64 { return bswap<u64>(load<u64>(this.ptr + OFF_REPLAY)); }
  replayPtr(): usize { return this.ptr + OFF_REPLAY; }
  nonce(): usize { return this.ptr + OFF_NONCE; }
  iv(): usize { return this.ptr + OFF_IV; }
  rsc(): usize { return this.ptr + OFF_RSC; }
  mic(): usize { return this.ptr + EAPOL_MIC_OFFSET; }
  keyDataLen(): i32 { return be16(this.ptr + OFF_DATA_LEN); }
  keyData(): usize { return this.ptr + EAPOL_KEY_FIXED; }
}

@inline function be16(p: usize): i32 {
  return (<i32>load<u8>(p) << 8) | <i32>load<u8>(p + 1);
}

/** Writes an EAPOL-Key frame (802.1X version 1, RSN descriptor) to out and, when keyInfo
 *  has KI_MIC and kck != 0, its MIC. nonce may be 0 (zeros). Returns its length. */
export function buildEapolKey(out: usize, keyInfo: u16, keyLength: i32, replay: usize, nonce: usize,
  keyData: usize, keyDataLen: i32, kck: usize): i32 {
  const len = EAPOL_KEY_FIXED + keyDataLen;
  memory.fill(out, 0, <usize>len);
  store<u8>(out, 1);
  store<u8>(out + 1, EAPOL_TYPE_KEY);
  store<u16>(out + OFF_BODY_LEN, bswap<u16>(<u16>(len - 4)));
  store<u8>(out + OFF_DESC, DESC_RSN);
  store<u16>(out + OFF_KEY_INFO, bswap<u16>(keyInfo));
  store<u16>(out + OFF_KEY_LEN, bswap<u16>(<u16>keyLength));
  memory.copy(out + OFF_REPLAY, replay, 8);
  if (nonce != 0) memory.copy(out + OFF_NONCE, nonce, 32);
  store<u16>(out + OFF_DATA_LEN, bswap<u16>(<u16>keyDataLen));
  if (keyDataLen > 0) memory.copy(out + EAPOL_KEY_FIXED, keyData, <usize>keyDataLen);
  if ((keyInfo & KI_MIC) != 0 && kck != 0) eapolMic(kck, out, len, out + EAPOL_MIC_OFFSET);
  return len;
}

/** What findKdes() found in (unwrapped) Key Data. */
export class Kdes {
  static rsnOffset: i32 = -1;
  static rsnLen: i32 = 0;
  static rsnCount: i32 = 0;
  static gtkOffset: i32 = -1;
  static gtkLen: i32 = 0;
  static gtkKeyId: i32 = 0;
  static gtkTx: bool = false;
}

/** Walks Key Data (12.7.2, elements and KDEs). Records the RSN element and the GTK KDE
 *  (00-0F-AC type 1: key id, Tx bit, reserved, GTK). Stops at the padding (0xDD followed
 *  by zeros, or a trailing 0xDD). False for a malformed list or a malformed GTK KDE. */
export function findKdes(p: usize, len: i32): bool {
  Kdes.rsnOffset = -1; Kdes.rsnLen = 0; Kdes.rsnCount = 0; Kdes.gtkOffset = -1; Kdes.gtkLen = 0; Kdes.gtkKeyId = 0; Kdes.gtkTx = false;
  let pos = 0;
  while (pos < len) {
    const id = load<u8>(p + pos);
    if (id == 0xdd && (pos + 1 >= len || load<u8>(p + pos + 1) == 0)) break; // padding
    if (pos + 2 > len) return false;
    const l = <i32>load<u8>(p + pos + 1);
    if (pos + 2 + l > len) return false;
    if (id == 48) {
      if (Kdes.rsnCount == 0) { Kdes.rsnOffset = pos; Kdes.rsnLen = l + 2; }
      Kdes.rsnCount++;
    } else if (id == 0xdd && l >= 4 && load<u8>(p + pos + 2) == 0x00 && load<u8>(p + pos + 3) == 0x0f
      && load<u8>(p + pos + 4) == 0xac && load<u8>(p + pos + 5) == 1) {
      if (l < 6 + 5 || Kdes.gtkOffset >= 0) return false; // too short for any GTK, or two GTKs
      const info = load<u8>(p + pos + 6);
      Kdes.gtkKeyId = info & 3;
      Kdes.gtkTx = (info & 4) != 0;
      Kdes.gtkOffset = pos + 8;
      Kdes.gtkLen = l - 6;
    }
    pos += 2 + l;
  }
  return true;
}
