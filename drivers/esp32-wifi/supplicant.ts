// WPA2-PSK supplicant for one association: the 4-way handshake (IEEE 802.11-2016 12.7.6)
// and the group key handshake (12.7.7), CCMP with key descriptor version 2 (HMAC-SHA1-128
// MIC, AES key wrap). Sans-IO: it is fed EAPOL frames and sends replies and installs keys
// through the HAL (wifi_eapol_tx, wifi_set_key, wifi_leave); timeouts belong to the caller.
//
// Defences, after the KRACK paper (Vanhoef & Piessens, CCS 2017, CVE-2017-13077..13088):
// - the Key Replay Counter of every MIC-checked frame must exceed the last accepted one;
//   M1 (no MIC) is checked against it but never advances it;
// - the PTK from M1/M2 stays a temporary PTK until an M3 with the same ANonce passes its
//   MIC; it is installed once (a retransmitted M3 gets M4 again, but the TK is not
//   reinstalled, so the driver's nonces and replay counters are not reset);
// - a GTK equal to the installed one (same key id and bytes) is never reinstalled, so a
//   replayed or old group message cannot rewind the group replay counter;
// - M3's RSN element must equal the one the AP advertised in its beacon/probe response
//   (else deauthenticate with reason 17: a downgrade).
import { random_fill, wifi_eapol_tx, wifi_set_key, wifi_leave, LogLevel } from "../../hal/generated/hal";
import { reserve } from "../../stack/runtime/memory";
import { TX_HEADROOM } from "../../stack/net/netdev";
import { count, Counter } from "../../stack/runtime/counters";
import { logBegin, logStr, logU32, logEnd } from "../../stack/runtime/log";
import {
  wpaPtk, eapolMicVerify, aesKeyUnwrap, ctEqual, wipe, WPA_PTK_CCMP_LEN, WPA_KCK_OFFSET, WPA_KEK_OFFSET, WPA_TK_OFFSET,
} from "../../stack/crypto";
import {
  EapolKeyView, EapolCheck, buildEapolKey, findKdes, Kdes, ETHERTYPE_EAPOL, ETH_HEADER,
  KI_VERSION_HMAC_SHA1_AES, KI_PAIRWISE, KI_INSTALL, KI_ACK, KI_MIC, KI_SECURE, KI_ENCRYPTED, KI_REQUEST,
} from "./eapol";
import { ourRsn, OUR_RSN_LEN } from "./rsn";

/** Largest AP RSN element we keep for the M3 comparison. */
export const AP_RSN_MAX: i32 = 64;
/** Largest wrapped Key Data we unwrap (RSNE + GTK KDE + IGTK + padding fit in far less). */
export const KEY_DATA_MAX: i32 = 256;
const TX_CAPACITY: i32 = ETH_HEADER + 99 + 32;

export const REASON_IE_MISMATCH: i32 = 17;

/** What one EAPOL frame did. */
export enum SupResult {
  /** Dropped: not for this handshake state (counted where it is an error). */
  Ignored = 0,
  M2Sent = 1,
  /** M3 accepted: M4 sent, PTK and GTK installed; the port is open. */
  Completed = 2,
  /** A retransmitted M3: M4 sent again, nothing reinstalled. */
  M4Resent = 3,
  /** Group key handshake: G2 sent, new GTK installed. */
  GroupRekeyed = 4,
  /** A retransmitted group message 1 with the installed GTK: G2 again, no reinstall. */
  G2Resent = 5,
  Malformed = 6,
  Replay = 7,
  MicFailure = 8,
  /** M3's RSN element differs from the AP's advertised one: deauthenticated (reason 17). */
  RsnMismatch = 9,
  /** WPA1 descriptor or another key descriptor version. */
  Unsupported = 10,
}

export enum SupState { Idle = 0, WaitM1 = 1, WaitM3 = 2, Done = 3 }

export class Supplicant {
  state: SupState = SupState.Idle;
  // Per association
  private aa: usize = reserve(6);
  private spa: usize = reserve(6);
  private pmk: usize = reserve(32);
  private anonce: usize = reserve(32);
  private snonce: usize = reserve(32);
  private tptk: usize = reserve(WPA_PTK_CCMP_LEN);
  private ptk: usize = reserve(WPA_PTK_CCMP_LEN);
  private gtk: usize = reserve(16);
  private gtkKeyId: i32 = 0;
  private apRsn: usize = reserve(AP_RSN_MAX);
  private apRsnLen: i32 = 0;
  private lastReplay: u64 = 0;
  private replaySet: bool = false;
  private tptkValid: bool = false;
  private tptkInstalled: bool = false;
  private gtkInstalled: bool = false;
  /** An M2 went out in this association; an M3 passed its MIC. */
  m2Sent: bool = false;
  m3Verified: bool = false;
  private tx: usize = reserve(TX_HEADROOM + TX_CAPACITY) + <usize>TX_HEADROOM; // netdev.ts: a driver's headroom
  private keyData: usize = reserve(KEY_DATA_MAX);
  private replayBuf: usize = reserve(8);
  private zeroRsc: usize = reserve(8);
  private view: EapolKeyView = new EapolKeyView();
  // Statistics (since boot)
  micFailures: u32 = 0;
  replays: u32 = 0;
  malformed: u32 = 0;
  pairwiseInstalls: u32 = 0;
  groupInstalls: u32 = 0;
  m3Retransmits: u32 = 0;
  handshakes: u32 = 0;

  /** Starts a new association with AP `aa` (6 bytes); `spa` is our MAC, `pmk` 32 bytes,
   *  apRsn the full RSN element from the AP's beacon/probe response. */
  begin(aa: usize, spa: usize, pmk: usize, apRsn: usize, apRsnLen: i32): void {
    this.reset();
    memory.copy(this.aa, aa, 6);
    memory.copy(this.spa, spa, 6);
    memory.copy(this.pmk, pmk, 32);
    this.apRsnLen = apRsnLen < 0 ? 0 : min(apRsnLen, AP_RSN_MAX);
    memory.copy(this.apRsn, apRsn, <usize>this.apRsnLen);
    this.state = SupState.WaitM1;
  }

  /** Forgets every key and nonce (association ended). */
  reset(): void {
    wipe(this.pmk, 32); wipe(this.tptk, WPA_PTK_CCMP_LEN); wipe(this.ptk, WPA_PTK_CCMP_LEN);
    wipe(this.gtk, 16); wipe(this.snonce, 32); wipe(this.anonce, 32);
    this.gtkKeyId = 0;
    this.replaySet = false; this.lastReplay = 0;
    this.tptkValid = false; this.tptkInstalled = false; this.gtkInstalled = false;
    this.m2Sent = false; this.m3Verified = false;
    this.state = SupState.Idle;
  }

  /** One received EAPOL frame (Ethernet II, as the HAL delivers it). */
  onEapol(frame: usize, len: i32): SupResult {
    if (this.state == SupState.Idle) return SupResult.Ignored;
    if (len < ETH_HEADER || load<u16>(frame + 12) != bswap<u16>(ETHERTYPE_EAPOL)) return this.bad();
    if (memory.compare(frame + 6, this.aa, 6) != 0) return this.bad();
    const v = this.view;
    const c = v.check(frame + ETH_HEADER, len - ETH_HEADER);
    if (c == EapolCheck.WpaDescriptor || c == EapolCheck.UnsupportedVersion) { count(Counter.EapolDropMalformed); return SupResult.Unsupported; }
    if (c != EapolCheck.Ok) return this.bad();
    const ki = v.keyInfo();
    if ((ki & KI_REQUEST) != 0 || (ki & KI_ACK) == 0) return this.bad(); // authenticator frames only
    if ((ki & KI_PAIRWISE) != 0) {
      if ((ki & KI_MIC) == 0) return this.onM1();
      if ((ki & KI_INSTALL) != 0) return this.onM3();
      return this.bad();
    }
    if ((ki & KI_MIC) != 0) return this.onGroup1();
    return this.bad();
  }

  private bad(): SupResult {
    this.malformed++;
    count(Counter.EapolDropMalformed);
    return SupResult.Malformed;
  }

  private fresh(): bool {
    return !this.replaySet || this.view.replayCounter() > this.lastReplay;
  }

  private onM1(): SupResult {
    const v = this.view;
    if (!this.fresh()) { this.replays++; return SupResult.Replay; }
    memory.copy(this.anonce, v.nonce(), 32);
    random_fill(this.snonce, 32);
    wpaPtk(this.pmk, this.aa, this.spa, this.anonce, this.snonce, this.tptk, WPA_PTK_CCMP_LEN);
    this.tptkValid = true;
    this.tptkInstalled = false;
    memory.copy(this.replayBuf, v.replayPtr(), 8);
    this.send(KI_VERSION_HMAC_SHA1_AES | KI_PAIRWISE | KI_MIC, this.snonce, ourRsn(), OUR_RSN_LEN, this.tptk + WPA_KCK_OFFSET);
    this.m2Sent = true;
    if (this.state != SupState.Done) this.state = SupState.WaitM3;
    return SupResult.M2Sent;
  }

  private onM3(): SupResult {
    const v = this.view;
    if (!this.tptkValid) return SupResult.Ignored;
    if (!this.fresh()) { this.replays++; return SupResult.Replay; }
    if (memory.compare(v.nonce(), this.anonce, 32) != 0) return this.bad();
    if (!eapolMicVerify(this.tptk + WPA_KCK_OFFSET, v.ptr, v.len)) { this.micFailures++; return SupResult.MicFailure; }
    this.lastReplay = v.replayCounter();
    this.replaySet = true;
    this.m3Verified = true;
    if (!this.unwrap(this.tptk + WPA_KEK_OFFSET)) return this.bad();
    // The RSN element must be the AP's advertised one, byte for byte (12.7.6.4).
    if (Kdes.rsnOffset < 0 || Kdes.rsnLen != this.apRsnLen
      || memory.compare(this.keyData + Kdes.rsnOffset, this.apRsn, <usize>this.apRsnLen) != 0) {
      wipe(this.keyData, KEY_DATA_MAX);
      if (logBegin(LogLevel.Warn)) { logStr("wifi: M3 RSN element differs from the beacon's: deauth (downgrade?)"); logEnd(); }
      wifi_leave(REASON_IE_MISMATCH);
      this.reset();
      return SupResult.RsnMismatch;
    }
    if (Kdes.gtkOffset < 0 || Kdes.gtkLen != 16 || Kdes.gtkKeyId == 0) { wipe(this.keyData, KEY_DATA_MAX); return this.bad(); }
    memory.copy(this.replayBuf, v.replayPtr(), 8);
    const retransmit = this.tptkInstalled;
    // M4 goes out before the PTK is installed (so it is sent in the clear the first time).
    this.send(KI_VERSION_HMAC_SHA1_AES | KI_PAIRWISE | KI_MIC | KI_SECURE, 0, 0, 0, this.tptk + WPA_KCK_OFFSET);
    if (!this.tptkInstalled) {
      memory.copy(this.ptk, this.tptk, WPA_PTK_CCMP_LEN);
      wifi_set_key(0, 0, this.ptk + WPA_TK_OFFSET, 16, this.zeroRsc);
      this.tptkInstalled = true;
      this.pairwiseInstalls++;
    }
    this.installGtk(v.rsc());
    wipe(this.keyData, KEY_DATA_MAX);
    if (retransmit) { this.m3Retransmits++; return SupResult.M4Resent; }
    this.state = SupState.Done;
    this.handshakes++;
    return SupResult.Completed;
  }

  private onGroup1(): SupResult {
    const v = this.view;
    if (this.state != SupState.Done) return SupResult.Ignored;
    if (!this.fresh()) { this.replays++; return SupResult.Replay; }
    if (!eapolMicVerify(this.ptk + WPA_KCK_OFFSET, v.ptr, v.len)) { this.micFailures++; return SupResult.MicFailure; }
    this.lastReplay = v.replayCounter();
    this.replaySet = true;
    if (!this.unwrap(this.ptk + WPA_KEK_OFFSET)) return this.bad();
    if (Kdes.gtkOffset < 0 || Kdes.gtkLen != 16 || Kdes.gtkKeyId == 0) { wipe(this.keyData, KEY_DATA_MAX); return this.bad(); }
    memory.copy(this.replayBuf, v.replayPtr(), 8);
    this.send(KI_VERSION_HMAC_SHA1_AES | KI_MIC | KI_SECURE, 0, 0, 0, this.ptk + WPA_KCK_OFFSET);
    const fresh = this.installGtk(v.rsc());
    wipe(this.keyData, KEY_DATA_MAX);
    return fresh ? SupResult.GroupRekeyed : SupResult.G2Resent;
  }

  /** Unwraps the Key Data into keyData and walks it; false if absent, too long or corrupt. */
  private unwrap(kek: usize): bool {
    const v = this.view;
    const n = v.keyDataLen();
    if ((v.keyInfo() & KI_ENCRYPTED) == 0 || n < 24 || n > KEY_DATA_MAX + 8 || (n & 7) != 0) return false;
    if (!aesKeyUnwrap(kek, 16, v.keyData(), n, this.keyData)) return false;
    return findKdes(this.keyData, n - 8);
  }

  /** Installs the GTK found by findKdes unless it is the one already installed. */
  private installGtk(rsc: usize): bool {
    const g = this.keyData + Kdes.gtkOffset;
    if (this.gtkInstalled && this.gtkKeyId == Kdes.gtkKeyId && ctEqual(g, this.gtk, 16)) return false;
    memory.copy(this.gtk, g, 16);
    this.gtkKeyId = Kdes.gtkKeyId;
    this.gtkInstalled = true;
    wifi_set_key(1, this.gtkKeyId, this.gtk, 16, rsc);
    this.groupInstalls++;
    if (logBegin(LogLevel.Debug)) { logStr("wifi: GTK installed, key id "); logU32(this.gtkKeyId); logEnd(); }
    return true;
  }

  private send(keyInfo: u16, nonce: usize, data: usize, dataLen: i32, kck: usize): void {
    const f = this.tx;
    memory.copy(f, this.aa, 6);
    memory.copy(f + 6, this.spa, 6);
    store<u16>(f + 12, bswap<u16>(ETHERTYPE_EAPOL));
    const n = buildEapolKey(f + ETH_HEADER, keyInfo, 0, this.replayBuf, nonce, data, dataLen, kck);
    wifi_eapol_tx(f, ETH_HEADER + n);
  }

  /** The installed GTK's key id (0: none). */
  groupKeyId(): i32 { return this.gtkInstalled ? this.gtkKeyId : 0; }
}
