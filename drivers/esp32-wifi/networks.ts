// Bounded tables for network selection: the known networks (from the config store: SSID,
// secret, priority; plus what we learnt: last success, cached BSSID/channel/RSN element and
// PMK for a fast reconnect), the PMK cache (persisted by the config store so a passphrase is
// stretched once per network, not per connect), and the results of the current scan.
import { reserve } from "../../stack/runtime/memory";
import { SHA1_CTX_SIZE, sha1Init, sha1Update, sha1Final, ctEqual, wipe } from "../../stack/crypto";
import { AP_RSN_MAX } from "./supplicant";

export const SSID_MAX: i32 = 32;
export const SECRET_MAX: i32 = 64;
export const KNOWN_MAX: i32 = 4;
export const SCAN_MAX: i32 = 6; // BSSs of known SSIDs only; the weakest is replaced when full
export const PMK_CACHE_MAX: i32 = 4;

// ---------------------------------------------------------------------------------------
// Known networks

const K_SSID_LEN: usize = 0;       // u8
const K_SECRET_LEN: usize = 1;     // u8 (0: open network)
const K_CHANNEL: usize = 2;        // u8, cached channel (0: none)
const K_RSN_LEN: usize = 3;        // u8, cached AP RSN element length
const K_PMK_VALID: usize = 4;      // u8
const K_PRIO: usize = 8;           // u32
const K_LAST_OK: usize = 16;       // i64 µs of the last successful connection (0: never)
const K_BSSID: usize = 24;         // 6, cached BSSID
const K_SSID: usize = 30;          // 32
const K_SECRET: usize = K_SSID + 32;        // 64
const K_PMK: usize = K_SECRET + 64;         // 32
const K_RSN: usize = K_PMK + 32;            // AP_RSN_MAX
const K_SIZE: usize = K_RSN + <usize>AP_RSN_MAX;

export class KnownNetworks {
  private base: usize = reserve(KNOWN_MAX * <i32>K_SIZE);
  count: i32 = 0;

  entry(i: i32): usize { return this.base + <usize>i * K_SIZE; }
  clear(): void {
    for (let i = 0; i < KNOWN_MAX; i++) wipe(this.entry(i), <i32>K_SIZE);
    this.count = 0;
  }

  /** Adds (or updates, by SSID) a network. secret: a passphrase (8..63), 64 hex digits (the
   *  PSK), or empty for an open network. Returns its index, or -1 (bad lengths, full). */
  add(ssid: usize, ssidLen: i32, secret: usize, secretLen: i32, prio: u32): i32 {
    if (ssidLen < 1 || ssidLen > SSID_MAX || secretLen < 0 || secretLen > SECRET_MAX) return -1;
    let i = this.find(ssid, ssidLen);
    if (i < 0) {
      if (this.count >= KNOWN_MAX) return -1;
      i = this.count++;
    }
    const e = this.entry(i);
    const changed = load<u8>(e + K_SECRET_LEN) != <u8>secretLen || memory.compare(e + K_SECRET, secret, <usize>secretLen) != 0;
    if (changed) { wipe(e, <i32>K_SIZE); }
    store<u8>(e + K_SSID_LEN, <u8>ssidLen);
    memory.copy(e + K_SSID, ssid, <usize>ssidLen);
    store<u8>(e + K_SECRET_LEN, <u8>secretLen);
    memory.copy(e + K_SECRET, secret, <usize>secretLen);
    store<u32>(e + K_PRIO, prio);
    return i;
  }

  find(ssid: usize, ssidLen: i32): i32 {
    for (let i = 0; i < this.count; i++) {
      const e = this.entry(i);
      if (<i32>load<u8>(e + K_SSID_LEN) == ssidLen && memory.compare(e + K_SSID, ssid, <usize>ssidLen) == 0) return i;
    }
    return -1;
  }

  ssid(i: i32): usize { return this.entry(i) + K_SSID; }
  ssidLen(i: i32): i32 { return load<u8>(this.entry(i) + K_SSID_LEN); }
  secret(i: i32): usize { return this.entry(i) + K_SECRET; }
  secretLen(i: i32): i32 { return load<u8>(this.entry(i) + K_SECRET_LEN); }
  isOpen(i: i32): bool { return this.secretLen(i) == 0; }
  prio(i: i32): u32 { return load<u32>(this.entry(i) + K_PRIO); }
  /** Rank of i among the known networks by priority: 0 lowest. */
  prioRank(i: i32): i32 {
    let r = 0;
    const p = this.prio(i);
    for (let j = 0; j < this.count; j++) if (this.prio(j) < p) r++;
    return r;
  }
  lastOk(i: i32): i64 { return load<i64>(this.entry(i) + K_LAST_OK); }
  pmkValid(i: i32): bool { return load<u8>(this.entry(i) + K_PMK_VALID) != 0; }
  pmk(i: i32): usize { return this.entry(i) + K_PMK; }
  setPmk(i: i32, pmk: usize): void {
    memory.copy(this.entry(i) + K_PMK, pmk, 32);
    store<u8>(this.entry(i) + K_PMK_VALID, 1);
  }
  cachedChannel(i: i32): i32 { return load<u8>(this.entry(i) + K_CHANNEL); }
  cachedBssid(i: i32): usize { return this.entry(i) + K_BSSID; }
  cachedRsn(i: i32): usize { return this.entry(i) + K_RSN; }
  cachedRsnLen(i: i32): i32 { return load<u8>(this.entry(i) + K_RSN_LEN); }
  /** Remembers a successful connection (for ranking and the fast reconnect). */
  success(i: i32, bssid: usize, channel: i32, rsn: usize, rsnLen: i32, now: i64): void {
    const e = this.entry(i);
    store<i64>(e + K_LAST_OK, now > 0 ? now : 1);
    memory.copy(e + K_BSSID, bssid, 6);
    store<u8>(e + K_CHANNEL, <u8>channel);
    const n = min(rsnLen, AP_RSN_MAX);
    store<u8>(e + K_RSN_LEN, <u8>n);
    memory.copy(e + K_RSN, rsn, <usize>n);
  }
  forgetCachedBss(i: i32): void { store<u8>(this.entry(i) + K_CHANNEL, 0); }

  /** Network i's cached BSS as a BSS record (below) at out; its length, 0 when none. */
  saveBss(i: i32, out: usize): i32 {
    const e = this.entry(i);
    const ch = load<u8>(e + K_CHANNEL);
    if (ch == 0 || this.lastOk(i) == 0) return 0;
    const n = <i32>load<u8>(e + K_RSN_LEN);
    store<u8>(out, BSS_RECORD_VERSION);
    memory.copy(out + B_BSSID, e + K_BSSID, 6);
    store<u8>(out + B_CHANNEL, ch);
    store<u8>(out + B_RSN_LEN, <u8>n);
    memory.copy(out + B_RSN, e + K_RSN, <usize>n);
    return <i32>B_RSN + n;
  }

  /** Restores network i's cached BSS from a persisted record; false (nothing cached) if invalid. */
  loadBss(i: i32, src: usize, len: i32): bool {
    if (i < 0 || i >= this.count || len < <i32>B_RSN || load<u8>(src) != BSS_RECORD_VERSION) return false;
    const n = <i32>load<u8>(src + B_RSN_LEN);
    const ch = <i32>load<u8>(src + B_CHANNEL);
    if (n > AP_RSN_MAX || len != <i32>B_RSN + n || ch < 1 || ch > 14) return false;
    // A success at an unknown time: it ranks below any success of this boot.
    this.success(i, src + B_BSSID, ch, src + B_RSN, n, 0);
    store<i64>(this.entry(i) + K_LAST_OK, 1);
    return true;
  }
}

// ---------------------------------------------------------------------------------------
// BSS records: the BSS a known network was last joined at, persisted so that a reboot (or a
// deep-sleep wake) joins it directly. [0] version (1), [1..7) BSSID, [7] channel,
// [8] RSN element length n, [9..9+n) the AP's RSN element (checked against M3).

export const BSS_RECORD_VERSION: u8 = 1;
const B_BSSID: usize = 1;
const B_CHANNEL: usize = 7;
const B_RSN_LEN: usize = 8;
const B_RSN: usize = 9;
export const BSS_RECORD_SIZE: i32 = <i32>B_RSN + AP_RSN_MAX;

// ---------------------------------------------------------------------------------------
// PMK cache: PMK_RECORD_SIZE-byte records the config store persists as opaque blobs.
//   [0] version (1), [1] SSID length, [2..34) SSID (zero padded),
//   [34..42) tag: the first 8 bytes of SHA-1(0x01 || SSID length || SSID || secret),
//   [42..74) PMK.
// The tag lets a changed passphrase miss without keeping the passphrase; the PMK itself is
// as sensitive as the passphrase (store it with the same care).

export const PMK_RECORD_SIZE: i32 = 74;
export const PMK_RECORD_VERSION: u8 = 1;
const R_SSID_LEN: usize = 1;
const R_SSID: usize = 2;
const R_TAG: usize = 34;
const R_PMK: usize = 42;

const shaCtx = memory.data(SHA1_CTX_SIZE);
const digest = memory.data(20);
const tagPrefix = memory.data(2);

/** The 8-byte cache tag of (SSID, secret) to out. */
export function pmkTag(ssid: usize, ssidLen: i32, secret: usize, secretLen: i32, out: usize): void {
  store<u8>(tagPrefix, 1);
  store<u8>(tagPrefix + 1, <u8>ssidLen);
  sha1Init(shaCtx);
  sha1Update(shaCtx, tagPrefix, 2);
  sha1Update(shaCtx, ssid, ssidLen);
  sha1Update(shaCtx, secret, secretLen);
  sha1Final(shaCtx, digest);
  memory.copy(out, digest, 8);
  wipe(digest, 20);
}

export class PmkCache {
  private base: usize = reserve(PMK_CACHE_MAX * PMK_RECORD_SIZE);
  private age: usize = reserve(PMK_CACHE_MAX * 4);
  private clock: u32 = 0;
  private tag: usize = reserve(8);
  /** Set when a record changed since the config store last saved (the lead clears it). */
  dirty: bool = false;

  record(i: i32): usize { return this.base + <usize>(i * PMK_RECORD_SIZE); }
  valid(i: i32): bool { return load<u8>(this.record(i)) == PMK_RECORD_VERSION; }

  /** The cached PMK for (SSID, secret), or 0. */
  lookup(ssid: usize, ssidLen: i32, secret: usize, secretLen: i32): usize {
    pmkTag(ssid, ssidLen, secret, secretLen, this.tag);
    for (let i = 0; i < PMK_CACHE_MAX; i++) {
      const r = this.record(i);
      if (!this.valid(i) || <i32>load<u8>(r + R_SSID_LEN) != ssidLen) continue;
      if (memory.compare(r + R_SSID, ssid, <usize>ssidLen) != 0 || !ctEqual(r + R_TAG, this.tag, 8)) continue;
      store<u32>(this.age + <usize>(i * 4), ++this.clock);
      return r + R_PMK;
    }
    return 0;
  }

  /** Stores a PMK, replacing the record of the same SSID, else a free one, else the least
   *  recently used. */
  put(ssid: usize, ssidLen: i32, secret: usize, secretLen: i32, pmk: usize): void {
    if (ssidLen < 1 || ssidLen > SSID_MAX) return;
    let slot = -1;
    for (let i = 0; i < PMK_CACHE_MAX && slot < 0; i++) {
      const r = this.record(i);
      if (this.valid(i) && <i32>load<u8>(r + R_SSID_LEN) == ssidLen && memory.compare(r + R_SSID, ssid, <usize>ssidLen) == 0) slot = i;
    }
    for (let i = 0; i < PMK_CACHE_MAX && slot < 0; i++) if (!this.valid(i)) slot = i;
    if (slot < 0) {
      let oldest: u32 = 0xffffffff;
      for (let i = 0; i < PMK_CACHE_MAX; i++) {
        const a = load<u32>(this.age + <usize>(i * 4));
        if (a < oldest) { oldest = a; slot = i; }
      }
    }
    const r = this.record(slot);
    wipe(r, PMK_RECORD_SIZE);
    store<u8>(r, PMK_RECORD_VERSION);
    store<u8>(r + R_SSID_LEN, <u8>ssidLen);
    memory.copy(r + R_SSID, ssid, <usize>ssidLen);
    pmkTag(ssid, ssidLen, secret, secretLen, r + R_TAG);
    memory.copy(r + R_PMK, pmk, 32);
    store<u32>(this.age + <usize>(slot * 4), ++this.clock);
    this.dirty = true;
  }

  /** Restores record i from persisted bytes; false (slot left empty) if it is not a valid record. */
  load(i: i32, src: usize, len: i32): bool {
    if (i < 0 || i >= PMK_CACHE_MAX) return false;
    const r = this.record(i);
    wipe(r, PMK_RECORD_SIZE);
    if (len != PMK_RECORD_SIZE || load<u8>(src) != PMK_RECORD_VERSION) return false;
    const n = <i32>load<u8>(src + R_SSID_LEN);
    if (n < 1 || n > SSID_MAX) return false;
    memory.copy(r, src, PMK_RECORD_SIZE);
    return true;
  }

  clear(): void {
    wipe(this.base, PMK_CACHE_MAX * PMK_RECORD_SIZE);
    this.dirty = true;
  }
}

// ---------------------------------------------------------------------------------------
// Scan results (only BSSs whose SSID is a known network are kept)

const S_BSSID: usize = 0;      // 6
const S_CHANNEL: usize = 6;    // u8
const S_RSSI: usize = 7;       // i8
const S_KNOWN: usize = 8;      // u8 known-network index
const S_SECURITY: usize = 9;   // u8 RsnResult
const S_OPEN: usize = 10;      // u8
const S_RSN_LEN: usize = 11;   // u8
const S_RSN: usize = 12;       // AP_RSN_MAX
const S_SIZE: usize = S_RSN + <usize>AP_RSN_MAX;

export class ScanTable {
  private base: usize = reserve(SCAN_MAX * <i32>S_SIZE);
  count: i32 = 0;

  entry(i: i32): usize { return this.base + <usize>i * S_SIZE; }
  clear(): void { this.count = 0; }

  /** Records a BSS (updates the entry of the same BSSID; when full, replaces the weakest
   *  entry if this one is stronger). rsnLen > AP_RSN_MAX is stored as unusable by the caller. */
  add(bssid: usize, channel: i32, rssi: i32, known: i32, security: i32, open: bool, rsn: usize, rsnLen: i32): void {
    let slot = -1;
    for (let i = 0; i < this.count; i++) if (memory.compare(this.entry(i) + S_BSSID, bssid, 6) == 0) slot = i;
    if (slot < 0 && this.count < SCAN_MAX) slot = this.count++;
    if (slot < 0) {
      let weakest = rssi;
      for (let i = 0; i < this.count; i++) {
        const r = <i32>load<i8>(this.entry(i) + S_RSSI);
        if (r < weakest) { weakest = r; slot = i; }
      }
      if (slot < 0) return;
    }
    const e = this.entry(slot);
    memory.copy(e + S_BSSID, bssid, 6);
    store<u8>(e + S_CHANNEL, <u8>channel);
    store<i8>(e + S_RSSI, <i8>rssi);
    store<u8>(e + S_KNOWN, <u8>known);
    store<u8>(e + S_SECURITY, <u8>security);
    store<u8>(e + S_OPEN, open ? 1 : 0);
    const n = rsnLen > 0 && rsnLen <= AP_RSN_MAX ? rsnLen : 0;
    store<u8>(e + S_RSN_LEN, <u8>n);
    if (n > 0) memory.copy(e + S_RSN, rsn, <usize>n);
  }

  bssid(i: i32): usize { return this.entry(i) + S_BSSID; }
  channel(i: i32): i32 { return load<u8>(this.entry(i) + S_CHANNEL); }
  rssi(i: i32): i32 { return load<i8>(this.entry(i) + S_RSSI); }
  known(i: i32): i32 { return load<u8>(this.entry(i) + S_KNOWN); }
  security(i: i32): i32 { return load<u8>(this.entry(i) + S_SECURITY); }
  open(i: i32): bool { return load<u8>(this.entry(i) + S_OPEN) != 0; }
  rsn(i: i32): usize { return this.entry(i) + S_RSN; }
  rsnLen(i: i32): i32 { return load<u8>(this.entry(i) + S_RSN_LEN); }
}
