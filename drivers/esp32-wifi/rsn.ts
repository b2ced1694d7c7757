// RSN element (IEEE 802.11-2016 9.4.2.25): parse what an AP advertises, decide whether we
// can join it, and build the element we put into the association request and M2.
//
// We speak WPA2-Personal only: AKM 00-0F-AC:2 (PSK) with CCMP-128 (00-0F-AC:4) as both
// the pairwise and the group data cipher, no management frame protection. Everything else
// gets a distinct RsnResult (and the matching 802.11 reason code, 9.4.1.7), never a trap:
// WPA1 (the 00-50-F2:1 vendor element) and TKIP-only networks, PSK-SHA256 (AKM 6) or
// 802.1X/SAE networks, APs that require PMF.
//
// Layout (all counts and the version little-endian): id 48, length, version (2) = 1,
// group data cipher suite (4), pairwise count m (2), m suites, AKM count n (2), n suites,
// RSN capabilities (2), PMKID count s (2), s x 16 bytes, group management cipher (4).
// Every field after the version may be absent from its start on (defaults: group CCMP,
// pairwise CCMP, AKM 802.1X), but a field that is present must be complete.

export const ELEMENT_RSN: u8 = 48;
export const ELEMENT_VENDOR: u8 = 221;

/** Cipher/AKM suites as (OUI << 8) | type; RSN suites use OUI 00-0F-AC. */
export const SUITE_TKIP: u32 = 0x000fac02;
export const SUITE_CCMP: u32 = 0x000fac04;
export const AKM_8021X: u32 = 0x000fac01;
export const AKM_PSK: u32 = 0x000fac02;
export const AKM_PSK_SHA256: u32 = 0x000fac06;

const CAP_MFPR: u32 = 1 << 6;

export enum RsnResult {
  /** WPA2-PSK with CCMP: we can join. */
  Ok = 0,
  /** Truncated or inconsistent element. */
  Malformed = 1,
  /** Only a WPA1 vendor element (TKIP era): refused. */
  Wpa1Only = 2,
  UnsupportedVersion = 3,
  /** Group data cipher other than CCMP (e.g. TKIP in mixed mode). */
  UnsupportedGroupCipher = 4,
  /** No CCMP among the pairwise suites (TKIP-only). */
  UnsupportedPairwiseCipher = 5,
  /** No PSK AKM (802.1X, PSK-SHA256 only, SAE ...). */
  UnsupportedAkm = 6,
  /** MFPR set: the AP requires PMF, which we do not implement. */
  PmfRequired = 7,
  /** No security elements at all but the privacy bit: WEP. */
  Wep = 8,
}

/** The 802.11 reason code (9.4.1.7) that names an RsnResult. */
export function rsnReasonCode(r: RsnResult): u16 {
  switch (r) {
    case RsnResult.Ok: return 0;
    case RsnResult.UnsupportedVersion: return 21;   // unsupported RSNE version
    case RsnResult.UnsupportedGroupCipher: return 18;
    case RsnResult.UnsupportedPairwiseCipher: return 19;
    case RsnResult.UnsupportedAkm: return 20;
    case RsnResult.PmfRequired: return 31;          // robust management frame policy violation
    default: return 13;                             // invalid element (Malformed, Wpa1Only, Wep)
  }
}

/** What the last parseRsn() found (module statics; valid after a call). */
export class RsnInfo {
  static version: u32 = 0;
  static groupCipher: u32 = 0;
  static pairwiseCcmp: bool = false;
  static pairwiseTkip: bool = false;
  static akmPsk: bool = false;
  static akmPskSha256: bool = false;
  static capabilities: u32 = 0;
  static pmkidCount: u32 = 0;
}

@inline function suiteAt(p: usize): u32 {
  return (<u32>load<u8>(p) << 24) | (<u32>load<u8>(p + 1) << 16) | (<u32>load<u8>(p + 2) << 8) | <u32>load<u8>(p + 3);
}

@inline function le16(p: usize): u32 {
  return <u32>load<u8>(p) | (<u32>load<u8>(p + 1) << 8);
}

/** Parses an RSN element given as a full element (id, length, body) of `len` bytes (extra
 *  bytes after the element are ignored). Fills RsnInfo and returns the verdict. */
export function parseRsn(ie: usize, len: i32): RsnResult {
  RsnInfo.version = 0; RsnInfo.groupCipher = SUITE_CCMP; RsnInfo.pairwiseCcmp = true; RsnInfo.pairwiseTkip = false;
  RsnInfo.akmPsk = false; RsnInfo.akmPskSha256 = false; RsnInfo.capabilities = 0; RsnInfo.pmkidCount = 0;
  if (len < 4 || load<u8>(ie) != ELEMENT_RSN) return RsnResult.Malformed;
  const bodyLen = <i32>load<u8>(ie + 1);
  if (bodyLen + 2 > len || bodyLen < 2) return RsnResult.Malformed;
  const p = ie + 2;
  let pos = 0;
  RsnInfo.version = le16(p);
  pos = 2;
  if (RsnInfo.version != 1) return RsnResult.UnsupportedVersion;
  let akmSeen = false;
  if (pos < bodyLen) {
    if (pos + 4 > bodyLen) return RsnResult.Malformed;
    RsnInfo.groupCipher = suiteAt(p + pos);
    pos += 4;
  }
  if (pos < bodyLen) {
    if (pos + 2 > bodyLen) return RsnResult.Malformed;
    const m = <i32>le16(p + pos);
    pos += 2;
    if (m == 0 || pos + 4 * m > bodyLen) return RsnResult.Malformed;
    RsnInfo.pairwiseCcmp = false;
    for (let i = 0; i < m; i++) {
      const s = suiteAt(p + pos);
      if (s == SUITE_CCMP) RsnInfo.pairwiseCcmp = true;
      else if (s == SUITE_TKIP) RsnInfo.pairwiseTkip = true;
      pos += 4;
    }
  }
  if (pos < bodyLen) {
    if (pos + 2 > bodyLen) return RsnResult.Malformed;
    const n = <i32>le16(p + pos);
    pos += 2;
    if (n == 0 || pos + 4 * n > bodyLen) return RsnResult.Malformed;
    akmSeen = true;
    for (let i = 0; i < n; i++) {
      const s = suiteAt(p + pos);
      if (s == AKM_PSK) RsnInfo.akmPsk = true;
      else if (s == AKM_PSK_SHA256) RsnInfo.akmPskSha256 = true;
      pos += 4;
    }
  }
  if (pos < bodyLen) {
    if (pos + 2 > bodyLen) return RsnResult.Malformed;
    RsnInfo.capabilities = le16(p + pos);
    pos += 2;
  }
  if (pos < bodyLen) {
    if (pos + 2 > bodyLen) return RsnResult.Malformed;
    const s = <i32>le16(p + pos);
    pos += 2;
    if (pos + 16 * s > bodyLen) return RsnResult.Malformed;
    RsnInfo.pmkidCount = s;
    pos += 16 * s;
  }
  if (pos < bodyLen) {
    // Group management cipher suite; anything after it is a future extension (ignored).
    if (pos + 4 > bodyLen) return RsnResult.Malformed;
  }
  if (!akmSeen) return RsnResult.UnsupportedAkm; // default AKM is 802.1X
  if (RsnInfo.groupCipher != SUITE_CCMP) return RsnResult.UnsupportedGroupCipher;
  if (!RsnInfo.pairwiseCcmp) return RsnResult.UnsupportedPairwiseCipher;
  if (!RsnInfo.akmPsk) return RsnResult.UnsupportedAkm;
  if (RsnInfo.capabilities & CAP_MFPR) return RsnResult.PmfRequired;
  return RsnResult.Ok;
}

/** Result of findSecurity(): where the RSN element is inside the searched IE list. */
export class SecurityIes {
  static rsnOffset: i32 = -1;
  static rsnLen: i32 = 0;
  static hasWpa1: bool = false;
}

/** Walks a list of full elements (a scan result's IE bytes). Records the first RSN
 *  element and whether a WPA1 vendor element (00-50-F2 type 1) is present. False when the
 *  list is malformed (an element runs past the end). */
export function findSecurity(ies: usize, len: i32): bool {
  SecurityIes.rsnOffset = -1; SecurityIes.rsnLen = 0; SecurityIes.hasWpa1 = false;
  let pos = 0;
  while (pos + 2 <= len) {
    const id = load<u8>(ies + pos);
    const l = <i32>load<u8>(ies + pos + 1);
    if (pos + 2 + l > len) return false;
    if (id == ELEMENT_RSN && SecurityIes.rsnOffset < 0) { SecurityIes.rsnOffset = pos; SecurityIes.rsnLen = l + 2; }
    else if (id == ELEMENT_VENDOR && l >= 4 && load<u8>(ies + pos + 2) == 0x00 && load<u8>(ies + pos + 3) == 0x50
      && load<u8>(ies + pos + 4) == 0xf2 && load<u8>(ies + pos + 5) == 1) SecurityIes.hasWpa1 = true;
    pos += 2 + l;
  }
  return pos == len;
}

/** Verdict on a BSS from its security elements and the privacy capability bit:
 *  Ok with `open` false for WPA2-PSK/CCMP, Ok with open for an open network. */
export class Security {
  static open: bool = false;
}

export function classifyBss(ies: usize, len: i32, privacy: bool): RsnResult {
  Security.open = false;
  if (!findSecurity(ies, len)) return RsnResult.Malformed;
  if (SecurityIes.rsnOffset >= 0) return parseRsn(ies + SecurityIes.rsnOffset, SecurityIes.rsnLen);
  if (SecurityIes.hasWpa1) return RsnResult.Wpa1Only;
  if (privacy) return RsnResult.Wep;
  Security.open = true;
  return RsnResult.Ok;
}

/** Our RSN element: version 1, group CCMP, pairwise CCMP, AKM PSK, capabilities 0. */
export const OUR_RSN_LEN: i32 = 22;
const OUR_RSN = memory.data<u8>([
  48, 20, 1, 0, 0x00, 0x0f, 0xac, 4, 1, 0, 0x00, 0x0f, 0xac, 4, 1, 0, 0x00, 0x0f, 0xac, 2, 0, 0,
]);

/** Writes our RSN element to out (OUR_RSN_LEN bytes); returns the length. */
export function buildRsn(out: usize): i32 {
  memory.copy(out, OUR_RSN, OUR_RSN_LEN);
  return OUR_RSN_LEN;
}

export function ourRsn(): usize { return OUR_RSN; }
