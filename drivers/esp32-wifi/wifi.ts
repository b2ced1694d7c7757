// The ESP32 Wi-Fi interface: a NetDriver (like the ENC28J60) over the HAL's Wi-Fi records
// (docs/wifi-hal.md), plus the connection manager the blob does not do for us: network
// selection from a bounded list of known networks, PMK derivation in slices, joining, the
// WPA2 supplicant, failure reporting, reconnect with exponential backoff and jitter,
// roaming within an ESS, and a fast reconnect to the cached BSS without a scan.
//
// Sans-IO: the host's events (on_wifi_event / on_wifi_rx) and `now` come in, HAL calls go
// out, poll(now) returns the next deadline. While a PMK is being derived poll does one slice
// (cfg.pmkSlice HMAC iterations, ~29 ms of wasm3 CPU for 64) and asks to be polled again at
// `now`, so the host's loop (watchdog, radio, UART) runs between slices.
import {
  wifi_scan, wifi_join, wifi_leave, wifi_tx, random_fill, NO_DEADLINE, HalError, WifiEvent, LogLevel,
} from "../../hal/generated/hal";
import { NetDriver } from "../../stack/net/netdev";
import { reserve } from "../../stack/runtime/memory";
import { count, Counter } from "../../stack/runtime/counters";
import { logBegin, logStr, logU32, logI64, logMac, logBytes, logEnd } from "../../stack/runtime/log";
import { PBKDF2_JOB_SIZE, wpaPmkBegin, wpaPmkStep, wpaPmkResult, wpaPskFromHex, wipe } from "../../stack/crypto";
import { Supplicant, SupResult, AP_RSN_MAX } from "./supplicant";
import { classifyBss, SecurityIes, Security, RsnResult, rsnReasonCode, ourRsn, OUR_RSN_LEN } from "./rsn";
import { KnownNetworks, PmkCache, ScanTable, SCAN_MAX } from "./networks";
import { ETHERTYPE_EAPOL, ETH_HEADER } from "./eapol";

export enum WifiState {
  /** Not started, or stopped. */
  Idle = 0,
  /** Waiting before the next attempt (after a failure). */
  Backoff = 1,
  Scanning = 2,
  /** Stretching the passphrase into the PMK (sliced, see pmkProgress()). */
  DerivingPmk = 3,
  /** wifi_join issued: authentication and association in progress. */
  Joining = 4,
  /** Associated; the 4-way handshake is running. */
  Handshake = 5,
  /** Associated and keys installed: the link is up. */
  Connected = 6,
}

/** Why the last attempt or connection ended (failureCode() gives the 802.11 code). */
export enum WifiFailure {
  None = 0,
  /** No known SSID in the scan. */
  ApNotFound = 1,
  /** A known SSID was found but only with security we refuse (code: an RsnResult). */
  SecurityUnsupported = 2,
  /** The AP rejected authentication or association (code: the 802.11 status code). */
  AssocRejected = 3,
  /** The AP never answered authentication/association (code 0xFFFF), or the join timed out. */
  NoResponse = 4,
  /** The 4-way handshake never got a valid M3 after our M2: the AP deauthenticated with
   *  reason 15 (or our own handshake timeout): almost surely a wrong passphrase. */
  WrongPassphrase = 5,
  /** The handshake did not start or finish in time for another reason (code: reason). */
  HandshakeTimeout = 6,
  /** Deauthenticated/disassociated by the AP (code: its reason code). */
  ApDeauth = 7,
  /** The AP's beacons stopped (it vanished or we moved out of range). */
  BeaconLoss = 8,
  /** M3 carried a different RSN element than the beacon (downgrade): we left with reason 17. */
  RsnMismatch = 9,
  /** The configured secret is not a valid passphrase or PSK for this SSID. */
  BadCredentials = 10,
}

/** The receiver of a scan someone asked for (console `wifi scan`, Improv): every BSS heard,
 *  known or not, then the end of the scan. security: an RsnResult (Ok: joinable by us). */
export abstract class ScanObserver {
  abstract onBss(bssid: usize, ssid: usize, ssidLen: i32, channel: i32, rssi: i32, security: i32, open: bool, now: i64): void;
  abstract onScanDone(now: i64): void;
}

/** Optional observer of state changes and failures (the application, the console). */
export abstract class WifiListener {
  abstract onWifiStatus(state: WifiState, failure: WifiFailure, code: i32, now: i64): void;
}

export class Esp32WifiConfig {
  /** Active scan dwell per channel (ms). */
  scanDwellMs: i32 = 60;
  /** Guard for a join (the blob reports AssocFailed 0xFFFF itself after ~300 ms). */
  joinTimeoutUs: i64 = 3_000_000;
  /** Association to installed keys; the AP's own timeout (4 x 1 s) normally fires first. */
  handshakeTimeoutUs: i64 = 8_000_000;
  backoffBaseUs: i64 = 1_000_000;
  backoffMaxUs: i64 = 60_000_000;
  /** HMAC iterations per poll while deriving a PMK (8,192 in all). */
  pmkSlice: u32 = 64;
  /** Below this RSSI (dBm) while connected, scan for a better BSS of the same SSID. */
  roamRssiDbm: i32 = -75;
  /** A roam target must be this much stronger (dB). */
  roamDeltaDb: i32 = 8;
  /** At most one roam scan per this period. */
  roamHoldoffUs: i64 = 30_000_000;
  /** BSSs weaker than this are not joined. */
  minRssiDbm: i32 = -90;
  listenInterval: i32 = 3;
  /** A connection lost after this long is rejoined at once; a shorter one backs off. */
  stableConnectionUs: i64 = 10_000_000;
}

const STATUS_NO_RESPONSE: i32 = 0xffff;
const REASON_LEAVING: i32 = 3;
const REASON_LEAVING_BSS: i32 = 8;
const REASON_4WAY_TIMEOUT: i32 = 15;
const PMK_ITERATIONS_TOTAL: u32 = 8192;
const JOIN_PARAMS_MAX: i32 = 6 + 2 + 32 + 3 + 64;

export class Esp32Wifi extends NetDriver {
  readonly cfg: Esp32WifiConfig;
  readonly known: KnownNetworks = new KnownNetworks();
  readonly pmkCache: PmkCache = new PmkCache();
  readonly scan: ScanTable = new ScanTable();
  readonly supplicant: Supplicant = new Supplicant();
  listener: WifiListener | null = null;

  state: WifiState = WifiState.Idle;
  private failure: WifiFailure = WifiFailure.None;
  private code: i32 = 0;
  private enabled: bool = false;
  private mac: usize = reserve(6);
  private deadline: i64 = NO_DEADLINE;
  private attempts: i32 = 0;
  // The BSS being joined / connected
  private net: i32 = -1;
  private bssid: usize = reserve(6);
  private channel: i32 = 0;
  private rsn: usize = reserve(AP_RSN_MAX);
  private rsnLen: i32 = 0;
  private open: bool = false;
  private fastJoin: bool = false;
  private fastAllowed: bool = true;
  private avoid: usize = reserve(6);
  private avoidSet: bool = false;
  // Scanning
  private roamScan: bool = false;
  private scanDeadline: i64 = NO_DEADLINE;
  private seenKnown: bool = false;
  private seenRefused: i32 = 0;
  private rssi: i32 = 0;
  private roamAfter: i64 = 0;
  // PMK job
  private job: usize = reserve(PBKDF2_JOB_SIZE);
  private pmkTmp: usize = reserve(32);
  private pmkDone: u32 = 0;
  private params: usize = reserve(JOIN_PARAMS_MAX);
  private rnd: usize = reserve(4);
  private connectedAt: i64 = 0;
  private scanObserver: ScanObserver | null = null;
  private observerDeadline: i64 = NO_DEADLINE;
  // Statistics
  connects: u32 = 0;
  roams: u32 = 0;
  fastJoins: u32 = 0;
  pmkDerivations: u32 = 0;
  failures: u32 = 0;
  scans: u32 = 0;

  /** mac: our station address (6 bytes, copied). */
  constructor(mac: usize, cfg: Esp32WifiConfig = new Esp32WifiConfig()) {
    super();
    this.cfg = cfg;
    memory.copy(this.mac, mac, 6);
  }

  // ---- NetDriver ----

  macAddress(): usize { return this.mac; }
  linkUp(): bool { return this.state == WifiState.Connected; }

  transmit(frame: usize, len: i32, now: i64): bool {
    if (this.state != WifiState.Connected || len < ETH_HEADER) return false;
    const r = wifi_tx(frame, len);
    if (r == HalError.Busy) { count(Counter.WifiTxBusy); return false; }
    if (r != HalError.Ok) return false;
    count(Counter.WifiTx);
    return true;
  }

  poll(now: i64): i64 {
    if (this.state == WifiState.Idle && this.scanObserver === null) return NO_DEADLINE; // the common case on a wired board
    if (this.scanObserver !== null && now >= this.observerDeadline) this.endObservedScan(now); // no ScanDone came
    switch (this.state) {
      case WifiState.Backoff:
        if (now >= this.deadline && this.scanObserver === null) this.connect(now); // after the user's scan
        break;
      case WifiState.Scanning:
        if (now >= this.scanDeadline) this.scanDone(now);
        break;
      case WifiState.DerivingPmk: {
        const done = wpaPmkStep(this.job, this.cfg.pmkSlice);
        this.pmkDone = min(this.pmkDone + this.cfg.pmkSlice, PMK_ITERATIONS_TOTAL);
        if (done) this.pmkFinished(now);
        break;
      }
      case WifiState.Joining:
        if (now >= this.deadline) { wifi_leave(REASON_LEAVING); this.joinFailed(WifiFailure.NoResponse, STATUS_NO_RESPONSE, now); }
        break;
      case WifiState.Handshake:
        if (now >= this.deadline) {
          wifi_leave(REASON_4WAY_TIMEOUT);
          this.supplicant.reset();
          this.fail(this.supplicant.m2Sent ? WifiFailure.WrongPassphrase : WifiFailure.HandshakeTimeout, REASON_4WAY_TIMEOUT, now);
        }
        break;
      case WifiState.Connected:
        if (this.roamScan && now >= this.scanDeadline) this.scanDone(now);
        else if (this.roamDue(now)) this.onRssi(this.rssi, now); // still weak after the hold-off: look again
        break;
      default: break;
    }
    return this.nextDeadline(now);
  }

  nextDeadline(now: i64): i64 {
    const d = this.ownDeadline(now);
    if (this.scanObserver === null) return d;
    // While a user's scan runs, a due reconnect waits for it (see poll).
    return this.state == WifiState.Backoff || d < this.observerDeadline ? this.observerDeadline : d;
  }

  private ownDeadline(now: i64): i64 {
    switch (this.state) {
      case WifiState.DerivingPmk: return now; // the next slice as soon as the host loop comes round
      case WifiState.Backoff:
      case WifiState.Joining:
      case WifiState.Handshake: return this.deadline;
      case WifiState.Scanning: return this.scanDeadline;
      case WifiState.Connected: return this.roamScan ? this.scanDeadline : this.weakSignal() ? this.roamAfter : NO_DEADLINE;
      default: return NO_DEADLINE;
    }
  }

  // ---- control ----

  /** Adds or updates a known network (see KnownNetworks.add). Returns its index or -1. */
  addNetwork(ssid: usize, ssidLen: i32, secret: usize, secretLen: i32, prio: u32): i32 {
    return this.known.add(ssid, ssidLen, secret, secretLen, prio);
  }

  /** Adds a network whose PSK is given as 32 raw bytes (the config store's wifi.N.psk). */
  addNetworkPsk(ssid: usize, ssidLen: i32, psk: usize, prio: u32): i32 {
    const hex = this.params; // scratch: 64 hex digits
    for (let i = 0; i < 32; i++) {
      const b = <u32>load<u8>(psk + i);
      store<u8>(hex + 2 * i, <u8>(b >> 4 < 10 ? 48 + (b >> 4) : 87 + (b >> 4)));
      store<u8>(hex + 2 * i + 1, <u8>((b & 15) < 10 ? 48 + (b & 15) : 87 + (b & 15)));
    }
    const r = this.known.add(ssid, ssidLen, hex, 64, prio);
    wipe(hex, 64);
    return r;
  }

  /** Gives known network k its PMK without a derivation when one is at hand: from the PMK
   *  cache (restored from the config store) or from a 64-hex-digit PSK. */
  pmkFromCache(k: i32): bool {
    const ssid = this.known.ssid(k), ssidLen = this.known.ssidLen(k);
    const secret = this.known.secret(k), secretLen = this.known.secretLen(k);
    const cached = this.pmkCache.lookup(ssid, ssidLen, secret, secretLen);
    if (cached != 0) { this.known.setPmk(k, cached); return true; }
    if (secretLen != 64 || !wpaPskFromHex(secret, 64, this.pmkTmp)) return false;
    this.known.setPmk(k, this.pmkTmp);
    wipe(this.pmkTmp, 32);
    return true;
  }

  /** Starts connecting (and keeps the station connected from then on). */
  start(now: i64): void {
    this.enabled = true;
    this.attempts = 0;
    if (this.state == WifiState.Idle || this.state == WifiState.Backoff) this.connect(now);
  }

  /** Leaves the network and stays idle. */
  stop(now: i64): void {
    this.enabled = false;
    if (this.state == WifiState.Joining || this.state == WifiState.Handshake || this.state == WifiState.Connected) wifi_leave(REASON_LEAVING);
    this.linkDown(now);
    this.supplicant.reset();
    this.setState(WifiState.Idle, now);
  }

  /**
   * Scans for every network in range on behalf of `observer` (results as they come, then
   * onScanDone). Joins in progress refuse (false); while connected it is a background scan,
   * and a scan of our own already running is shared.
   */
  scanFor(observer: ScanObserver, now: i64): bool {
    if (this.scanObserver !== null || this.state == WifiState.Joining || this.state == WifiState.Handshake) return false;
    if (this.state != WifiState.Scanning && !this.roamScan) {
      const p = this.params;
      store<u8>(p, 1);            // active
      store<u8>(p + 1, 0);        // all channels
      store<u16>(p + 2, <u16>this.cfg.scanDwellMs);
      if (wifi_scan(p, 4) != HalError.Ok) return false;
    }
    this.scanObserver = observer;
    this.observerDeadline = now + <i64>(13 * this.cfg.scanDwellMs) * 1000 + 2_000_000;
    return true;
  }

  private endObservedScan(now: i64): void {
    const o = this.scanObserver;
    this.scanObserver = null;
    if (o !== null) o.onScanDone(now);
  }

  lastFailure(): WifiFailure { return this.failure; }
  /** The 802.11 status/reason code (or RsnResult) that goes with lastFailure(). */
  failureCode(): i32 { return this.code; }
  /** PMK derivation progress in permille (1000 when no derivation is running). */
  pmkProgress(): i32 {
    return this.state == WifiState.DerivingPmk ? <i32>(this.pmkDone * 1000 / PMK_ITERATIONS_TOTAL) : 1000;
  }
  currentBssid(): usize { return this.bssid; }
  currentChannel(): i32 { return this.channel; }
  currentNetwork(): i32 { return this.net; }
  lastRssi(): i32 { return this.rssi; }

  // ---- HAL events ----

  onWifiEvent(event: i32, status: i32, data: usize, len: i32, now: i64): void {
    switch (event) {
      case WifiEvent.ScanResult: this.onScanResult(data, len, now); break;
      case WifiEvent.ScanDone:
        if (this.scanObserver !== null) this.endObservedScan(now);
        if (this.state == WifiState.Scanning || this.roamScan) this.scanDone(now);
        break;
      case WifiEvent.Associated: this.onAssociated(data, len, now); break;
      case WifiEvent.AssocFailed:
        if (!this.fromTarget(data, len)) return;
        if (this.state == WifiState.Joining) {
          this.joinFailed(status == STATUS_NO_RESPONSE ? WifiFailure.NoResponse : WifiFailure.AssocRejected, status, now);
        }
        break;
      case WifiEvent.Deauthenticated:
      case WifiEvent.Disassociated:
        if (!this.fromTarget(data, len)) return;
        this.onDeauth(status, now);
        break;
      case WifiEvent.BeaconLoss:
        if (!this.fromTarget(data, len)) return;
        this.onBeaconLoss(now);
        break;
      case WifiEvent.Rssi: this.onRssi(status, now); break;
      default: break;
    }
  }

  onWifiRx(kind: i32, frame: usize, len: i32, now: i64): void {
    if (len < ETH_HEADER) { count(kind == 1 ? Counter.EapolDropMalformed : Counter.WifiDropMalformed); return; }
    if (kind == 1) {
      if (this.state != WifiState.Handshake && this.state != WifiState.Connected) return;
      this.onEapolResult(this.supplicant.onEapol(frame, len), now);
      return;
    }
    if (kind != 0 || this.state != WifiState.Connected) { count(Counter.WifiDropMalformed); return; }
    if (load<u16>(frame + 12) == bswap<u16>(ETHERTYPE_EAPOL)) { count(Counter.WifiDropMalformed); return; }
    count(Counter.WifiRx);
    const sink = this.sink;
    if (sink !== null) sink.onFrame(frame, len, now);
  }

  // ---- connection manager ----

  private connect(now: i64): void {
    if (!this.enabled || this.known.count == 0) { this.setState(WifiState.Idle, now); return; }
    const k = this.fastCandidate();
    if (k >= 0) {
      this.net = k;
      memory.copy(this.bssid, this.known.cachedBssid(k), 6);
      this.channel = this.known.cachedChannel(k);
      this.rsnLen = this.known.cachedRsnLen(k);
      memory.copy(this.rsn, this.known.cachedRsn(k), <usize>this.rsnLen);
      this.open = this.known.isOpen(k);
      this.fastJoin = true;
      this.fastJoins++;
      this.join(now);
      return;
    }
    this.startScan(now, false);
  }

  /** A known network we connected to before, whose BSS, channel, RSN element and PMK are
   *  cached: join it directly (no scan). The best by priority, then the most recent. */
  private fastCandidate(): i32 {
    if (!this.fastAllowed) return -1;
    let best = -1;
    for (let i = 0; i < this.known.count; i++) {
      if (this.known.cachedChannel(i) == 0 || this.known.lastOk(i) == 0) continue;
      if (!this.known.isOpen(i) && (!this.known.pmkValid(i) || this.known.cachedRsnLen(i) == 0)) continue;
      if (best < 0 || this.known.prio(i) > this.known.prio(best)
        || (this.known.prio(i) == this.known.prio(best) && this.known.lastOk(i) > this.known.lastOk(best))) best = i;
    }
    return best;
  }

  private startScan(now: i64, roam: bool): void {
    const p = this.params;
    store<u8>(p, 1);            // active
    store<u8>(p + 1, 0);        // all channels
    store<u16>(p + 2, <u16>this.cfg.scanDwellMs);
    this.scan.clear();
    this.seenKnown = false;
    this.seenRefused = 0;
    this.scans++;
    const r = wifi_scan(p, 4);
    this.scanDeadline = now + <i64>(13 * this.cfg.scanDwellMs) * 1000 + 2_000_000;
    if (roam) {
      this.roamScan = r == HalError.Ok;
      return;
    }
    this.roamScan = false;
    if (r != HalError.Ok) this.scanDeadline = now + 1_000_000; // retry through scanDone/backoff
    this.setState(WifiState.Scanning, now);
  }

  private onScanResult(data: usize, len: i32, now: i64): void {
    const observer = this.scanObserver;
    if (this.state != WifiState.Scanning && !this.roamScan && observer === null) return;
    if (len < 16) { count(Counter.WifiDropMalformed); return; }
    const ssidLen = <i32>load<u8>(data + 13);
    if (ssidLen > 32 || len < 16 + ssidLen) { count(Counter.WifiDropMalformed); return; }
    const ieLen = <i32>load<u16>(data + 14 + ssidLen);
    if (len < 16 + ssidLen + ieLen) { count(Counter.WifiDropMalformed); return; }
    const ies = data + 16 + ssidLen;
    const capability = <i32>load<u16>(data + 11);
    let verdict = classifyBss(ies, ieLen, (capability & 0x10) != 0);
    const open = Security.open;
    if (observer !== null) observer.onBss(data, data + 14, ssidLen, load<u8>(data + 6), load<i8>(data + 7), verdict, open, now);
    if (this.state != WifiState.Scanning && !this.roamScan) return;
    const k = this.known.find(data + 14, ssidLen);
    if (k < 0) return;
    this.seenKnown = true;
    let rsnPtr: usize = 0;
    let rsnLen = 0;
    if (verdict == RsnResult.Ok && !open) {
      rsnPtr = ies + SecurityIes.rsnOffset;
      rsnLen = SecurityIes.rsnLen;
      if (rsnLen > AP_RSN_MAX) verdict = RsnResult.Malformed;
    }
    if (verdict == RsnResult.Ok && open != this.known.isOpen(k)) {
      // A protected network configured as open, or (a downgrade) an open AP for a protected SSID.
      verdict = open ? RsnResult.Malformed : RsnResult.UnsupportedAkm;
    }
    if (verdict != RsnResult.Ok && this.seenRefused == 0) this.seenRefused = verdict;
    const rssi = <i32>load<i8>(data + 7);
    this.scan.add(data, load<u8>(data + 6), rssi, k, verdict, open, rsnPtr, rsnLen);
  }

  /** Index of the best joinable BSS in the scan table, or -1. sameNet >= 0 restricts to one network. */
  private best(sameNet: i32): i32 {
    let best = -1;
    let bestScore: i32 = -0x7fffffff;
    for (let i = 0; i < this.scan.count; i++) {
      if (this.scan.security(i) != RsnResult.Ok || this.scan.rssi(i) < this.cfg.minRssiDbm) continue;
      const k = this.scan.known(i);
      if (sameNet >= 0 && k != sameNet) continue;
      let score = this.scan.rssi(i) + 12 * this.known.prioRank(k);
      if (!this.scan.open(i)) score += 3;                                   // security
      if (this.known.lastOk(k) != 0) score += 4;                            // recent success
      if (this.known.lastOk(k) != 0 && memory.compare(this.scan.bssid(i), this.known.cachedBssid(k), 6) == 0) score += 4;
      if (this.avoidSet && memory.compare(this.scan.bssid(i), this.avoid, 6) == 0) score -= 40;
      if (score > bestScore) { bestScore = score; best = i; }
    }
    return best;
  }

  private scanDone(now: i64): void {
    if (this.roamScan) { this.roamScan = false; this.evaluateRoam(now); return; }
    const i = this.best(-1);
    if (i < 0) {
      if (this.seenRefused != 0 && this.scan.count > 0) {
        this.fail(WifiFailure.SecurityUnsupported, this.seenRefused, now);
      } else {
        this.fail(WifiFailure.ApNotFound, 0, now);
      }
      return;
    }
    this.target(i);
    this.fastJoin = false;
    this.preparePmk(now);
  }

  private target(i: i32): void {
    this.net = this.scan.known(i);
    memory.copy(this.bssid, this.scan.bssid(i), 6);
    this.channel = this.scan.channel(i);
    this.open = this.scan.open(i);
    this.rsnLen = this.scan.rsnLen(i);
    memory.copy(this.rsn, this.scan.rsn(i), <usize>this.rsnLen);
  }

  private preparePmk(now: i64): void {
    const k = this.net;
    if (this.open || this.known.pmkValid(k)) { this.join(now); return; }
    if (this.pmkFromCache(k)) { this.join(now); return; }
    const ssid = this.known.ssid(k), ssidLen = this.known.ssidLen(k);
    const secret = this.known.secret(k), secretLen = this.known.secretLen(k);
    if (!wpaPmkBegin(this.job, secret, secretLen, ssid, ssidLen)) {
      this.fail(WifiFailure.BadCredentials, 0, now);
      return;
    }
    this.pmkDone = 0;
    if (logBegin(LogLevel.Info)) {
      logStr("wifi: deriving the PMK for "); logBytes(ssid, ssidLen); logStr(" (PBKDF2, 4096 rounds; once per network)"); logEnd();
    }
    this.setState(WifiState.DerivingPmk, now);
  }

  private pmkFinished(now: i64): void {
    const k = this.net;
    if (!wpaPmkResult(this.job, this.pmkTmp)) { this.fail(WifiFailure.BadCredentials, 0, now); return; }
    this.pmkDerivations++;
    if (logBegin(LogLevel.Info)) { logStr("wifi: PMK ready"); logEnd(); }
    this.known.setPmk(k, this.pmkTmp);
    this.pmkCache.put(this.known.ssid(k), this.known.ssidLen(k), this.known.secret(k), this.known.secretLen(k), this.pmkTmp);
    wipe(this.pmkTmp, 32);
    this.join(now);
  }

  private join(now: i64): void {
    const k = this.net;
    const p = this.params;
    const ssidLen = this.known.ssidLen(k);
    memory.copy(p, this.bssid, 6);
    store<u8>(p + 6, <u8>this.channel);
    store<u8>(p + 7, <u8>ssidLen);
    memory.copy(p + 8, this.known.ssid(k), <usize>ssidLen);
    store<u16>(p + 8 + ssidLen, <u16>this.cfg.listenInterval);
    const ieLen = this.open ? 0 : OUR_RSN_LEN;
    store<u8>(p + 10 + ssidLen, <u8>ieLen);
    if (ieLen > 0) memory.copy(p + 11 + ssidLen, ourRsn(), <usize>ieLen);
    const r = wifi_join(p, 11 + ssidLen + ieLen);
    if (logBegin(LogLevel.Info)) {
      logStr(this.fastJoin ? "wifi: fast join " : "wifi: joining "); logBytes(this.known.ssid(k), ssidLen);
      logStr(" "); logMac(this.bssid); logStr(" ch "); logU32(this.channel); logEnd();
    }
    if (r != HalError.Ok) { this.joinFailed(WifiFailure.NoResponse, r, now); return; }
    this.deadline = now + this.cfg.joinTimeoutUs;
    this.setState(WifiState.Joining, now);
  }

  private joinFailed(f: WifiFailure, status: i32, now: i64): void {
    if (this.fastJoin) {
      // The cached BSS did not take us: fall back to a full scan straight away.
      this.fastJoin = false;
      this.fastAllowed = false;
      if (logBegin(LogLevel.Info)) { logStr("wifi: fast join failed (status "); logU32(status & 0xffff); logStr("), scanning"); logEnd(); }
      this.startScan(now, false);
      return;
    }
    memory.copy(this.avoid, this.bssid, 6);
    this.avoidSet = true;
    this.fail(f, status, now);
  }

  private fromTarget(data: usize, len: i32): bool {
    if (len < 6) { count(Counter.WifiDropMalformed); return false; }
    return memory.compare(data, this.bssid, 6) == 0;
  }

  private onAssociated(data: usize, len: i32, now: i64): void {
    if (len < 9) { count(Counter.WifiDropMalformed); return; }
    if (this.state != WifiState.Joining || memory.compare(data, this.bssid, 6) != 0) return;
    if (this.open) { this.connected(now); return; }
    this.supplicant.begin(this.bssid, this.mac, this.known.pmk(this.net), this.rsn, this.rsnLen);
    this.deadline = now + this.cfg.handshakeTimeoutUs;
    this.setState(WifiState.Handshake, now);
  }

  private onEapolResult(r: SupResult, now: i64): void {
    if (r == SupResult.Completed) {
      if (this.state == WifiState.Handshake) this.connected(now);
    } else if (r == SupResult.RsnMismatch) {
      // The supplicant has already left with reason 17.
      memory.copy(this.avoid, this.bssid, 6);
      this.avoidSet = true;
      this.linkDown(now);
      this.fail(WifiFailure.RsnMismatch, 17, now);
    }
  }

  private connected(now: i64): void {
    this.connects++;
    this.connectedAt = now;
    this.attempts = 0;
    this.fastAllowed = true;
    this.avoidSet = false;
    this.fastJoin = false;
    this.known.success(this.net, this.bssid, this.channel, this.rsn, this.rsnLen, now);
    if (logBegin(LogLevel.Info)) {
      logStr("wifi: connected to "); logBytes(this.known.ssid(this.net), this.known.ssidLen(this.net));
      logStr(" "); logMac(this.bssid); logStr(" ch "); logU32(this.channel); logEnd();
    }
    this.setState(WifiState.Connected, now);
    const sink = this.sink;
    if (sink !== null) sink.onLinkChange(true, now);
  }

  private linkDown(now: i64): void {
    if (this.state != WifiState.Connected) return;
    this.state = WifiState.Idle;
    this.roamScan = false;
    const sink = this.sink;
    if (sink !== null) sink.onLinkChange(false, now);
  }

  private onDeauth(reason: i32, now: i64): void {
    const st = this.state;
    if (st == WifiState.Joining) { this.joinFailed(WifiFailure.AssocRejected, reason, now); return; }
    if (st == WifiState.Handshake) {
      const wrongPass = this.supplicant.m2Sent && !this.supplicant.m3Verified;
      this.supplicant.reset();
      this.fail(wrongPass ? WifiFailure.WrongPassphrase : reason == REASON_4WAY_TIMEOUT ? WifiFailure.HandshakeTimeout : WifiFailure.ApDeauth, reason, now);
      return;
    }
    if (st == WifiState.Connected) {
      this.linkDown(now);
      this.supplicant.reset();
      this.attempts = 0;
      // A connection that had been working: rejoin the same BSS at once (no scan, no wait).
      // One that the AP drops right after joining (a full AP, a MAC filter) backs off instead.
      if (this.enabled && now - this.connectedAt >= this.cfg.stableConnectionUs) {
        this.recordFailure(WifiFailure.ApDeauth, reason, now);
        this.connect(now);
        return;
      }
      this.fail(WifiFailure.ApDeauth, reason, now);
    }
  }

  private onBeaconLoss(now: i64): void {
    const st = this.state;
    if (st != WifiState.Connected && st != WifiState.Handshake) return;
    this.linkDown(now);
    this.supplicant.reset();
    this.recordFailure(WifiFailure.BeaconLoss, 0, now);
    // The BSS is gone: look for another of the same ESS (or any known network) now.
    memory.copy(this.avoid, this.bssid, 6);
    this.avoidSet = true;
    this.fastAllowed = false;
    this.attempts = 0;
    if (this.enabled) this.startScan(now, false);
    else this.setState(WifiState.Idle, now);
  }

  private onRssi(rssi: i32, now: i64): void {
    this.rssi = rssi;
    if (this.state != WifiState.Connected || this.roamScan || rssi >= this.cfg.roamRssiDbm || now < this.roamAfter) return;
    this.roamAfter = now + this.cfg.roamHoldoffUs;
    this.startScan(now, true);
  }

  /** The last RSSI report is below the roaming threshold (0: none yet). */
  private weakSignal(): bool { return this.rssi != 0 && this.rssi < this.cfg.roamRssiDbm; }
  private roamDue(now: i64): bool { return !this.roamScan && this.weakSignal() && now >= this.roamAfter; }

  private evaluateRoam(now: i64): void {
    if (this.state != WifiState.Connected) return;
    const i = this.best(this.net);
    if (i < 0 || memory.compare(this.scan.bssid(i), this.bssid, 6) == 0) return;
    if (this.scan.rssi(i) < this.rssi + this.cfg.roamDeltaDb) return;
    if (logBegin(LogLevel.Info)) {
      logStr("wifi: roaming from "); logMac(this.bssid); logStr(" (rssi "); logI64(this.rssi);
      logStr(") to "); logMac(this.scan.bssid(i)); logStr(" (rssi "); logI64(this.scan.rssi(i)); logStr(")"); logEnd();
    }
    this.roams++;
    wifi_leave(REASON_LEAVING_BSS);
    this.linkDown(now);
    this.supplicant.reset();
    this.target(i);
    this.fastJoin = false;
    this.join(now);
  }

  private recordFailure(f: WifiFailure, code: i32, now: i64): void {
    this.failure = f;
    this.code = code;
    this.failures++;
    if (logBegin(f == WifiFailure.ApNotFound ? LogLevel.Info : LogLevel.Warn)) {
      logStr("wifi: ");
      switch (f) {
        case WifiFailure.ApNotFound: logStr("no known network found"); break;
        case WifiFailure.SecurityUnsupported: logStr("known network refused: security not supported (WPA2-PSK/CCMP only), reason "); logU32(rsnReasonCode(<RsnResult>code)); break;
        case WifiFailure.AssocRejected: logStr("association rejected, status "); logU32(code); break;
        case WifiFailure.NoResponse: logStr("AP did not answer the join"); break;
        case WifiFailure.WrongPassphrase: logStr("4-way handshake failed: wrong passphrase? (reason "); logU32(code); logStr(")"); break;
        case WifiFailure.HandshakeTimeout: logStr("4-way handshake timed out, reason "); logU32(code); break;
        case WifiFailure.ApDeauth: logStr("deauthenticated by the AP, reason "); logU32(code); break;
        case WifiFailure.BeaconLoss: logStr("beacon loss"); break;
        case WifiFailure.RsnMismatch: logStr("M3 RSN element mismatch (downgrade): left, reason 17"); break;
        case WifiFailure.BadCredentials: logStr("invalid passphrase/PSK for this SSID"); break;
        default: break;
      }
      logEnd();
    }
    const l = this.listener;
    if (l !== null) l.onWifiStatus(this.state, f, code, now);
  }

  /** Records a failure and waits before the next attempt: base * 2^n (capped) plus up to
   *  half of that again in jitter from the hardware RNG, so a fleet does not retry in step. */
  private fail(f: WifiFailure, code: i32, now: i64): void {
    this.recordFailure(f, code, now);
    if (!this.enabled) { this.setState(WifiState.Idle, now); return; }
    let delay = this.cfg.backoffBaseUs << min(this.attempts, 20);
    if (delay > this.cfg.backoffMaxUs || delay <= 0) delay = this.cfg.backoffMaxUs;
    random_fill(this.rnd, 2);
    const jitter = (delay / 2) * <i64>load<u16>(this.rnd) / 65536;
    if (this.attempts < 30) this.attempts++;
    this.deadline = now + delay + jitter;
    this.setState(WifiState.Backoff, now);
  }

  /** Backoff attempts since the last success. */
  attemptCount(): i32 { return this.attempts; }
  /** When the next attempt starts (valid in Backoff). */
  retryAt(): i64 { return this.deadline; }

  private setState(s: WifiState, now: i64): void {
    if (s == this.state) return;
    this.state = s;
    const l = this.listener;
    if (l !== null) l.onWifiStatus(s, this.failure, this.code, now);
  }
}

export { SCAN_MAX };
