// The ESP32 Wi-Fi radio as the stack sees it through the HAL: on hardware the Wi-Fi blob
// does the 802.11 MAC (probe, authentication, association, ACKs, retries) and CCMP in
// silicon with the keys the supplicant installs; the stack does everything above. This
// model does the blob's part on the simulated air, and speaks the HAL records described in
// docs/wifi-hal.md.
import type { EventHandle, Scheduler } from "../core/scheduler.ts";
import { ccmpDecrypt, ccmpEncrypt } from "./crypto.ts";
import { ETHERTYPE_EAPOL } from "./eapol.ts";
import {
  BROADCAST, FrameType, Ie, MgmtSubtype, RATES, buildHeader, dataBody, ethernetFrame, ie, parseDataBody, parseHeader, parseIes,
} from "./ieee80211.ts";
import type { Medium, Position, RadioNode } from "./medium.ts";
import type { Rng } from "../core/rng.ts";
import { macString } from "./ap.ts";
import { HalError, WifiEvent } from "../generated/hal.ts";

/** What the radio reports to the device (SimDevice turns these into on_wifi_* calls). */
export interface WifiRadioClient {
  wifiEvent(event: number, status: number, data: Uint8Array): void;
  wifiRx(kind: 0 | 1, frame: Uint8Array): void;
}

/** AssocFailed status when the AP never answered (not an 802.11 status code). */
export const NO_RESPONSE_STATUS = 0xffff;
const TU_US = 1024;
const AUTH_TIMEOUT_US = 100_000;
const JOIN_TRIES = 3;
/** Missed beacons before the blob reports beacon loss (ESP-IDF: about 6 s by default; tunable). */
export const BEACON_LOSS_INTERVALS = 10;
/** RSSI reporting (WifiEvent.Rssi, docs/wifi-hal.md). The blob keeps an average of the
 * associated AP's beacon RSSI and posts WIFI_EVENT_STA_BSS_RSSI_LOW once when that average
 * falls below the threshold armed with esp_wifi_set_rssi_threshold ("if average rssi gets
 * lower than threshold", ESP-IDF esp_wifi.h); the host also polls esp_wifi_sta_get_ap_info
 * and reports changes. The threshold mirrors the driver's default roamRssiDbm; the filter
 * constant is ours (ESP-IDF does not document the blob's). */
export const RSSI_LOW_THRESHOLD_DBM = -75;
export const RSSI_REPORT_STEP_DB = 3;
const RSSI_AVERAGE_WEIGHT = 1 / 16;

interface Key { key: Buffer; lastPn: bigint }

export class Esp32WifiRadio implements RadioNode {
  readonly name: string;
  readonly mac: Buffer;
  channel = 1;
  position: Position;
  txPowerDbm = 19.5;
  powered = true;
  client: WifiRadioClient | null = null;
  readonly counters = { tx: 0, rx: 0, decryptFailures: 0, replays: 0, droppedNoKey: 0, scans: 0, probes: 0 };
  powerSave = { mode: 0, listenInterval: 0 };

  private bssid: Buffer | null = null;
  private associated = false;
  private joining: { bssid: Buffer; channel: number; ssid: Buffer; listenInterval: number; rsnIe: Buffer; tries: number; stage: "auth" | "assoc"; timer: EventHandle | null } | null = null;
  private scanning: { channels: number[]; active: boolean; dwellUs: number; seen: Set<string>; timer: EventHandle | null; homeChannel: number } | null = null;
  private ptk: Key | null = null;
  private gtk = new Map<number, Key>();
  private txPn = 1n;
  private seq = 0;
  private beaconTimer: EventHandle | null = null;
  private lastBeaconAt = 0;
  private apBeaconIntervalUs = 100 * TU_US;
  /** Averaged beacon RSSI of the associated AP and the value last reported. */
  private beaconRssi = 0;
  private reportedRssi = 0;
  private fading: Rng;

  constructor(private readonly scheduler: Scheduler, private readonly medium: Medium, opts: { name?: string; mac: Uint8Array; position?: Position }) {
    this.name = opts.name ?? "sta";
    this.mac = Buffer.from(opts.mac);
    this.position = opts.position ?? { x: 5, y: 0 };
    medium.add(this);
    this.fading = medium.fadingStream(`${this.name} beacon rssi`);
  }

  // ---- HAL operations ----

  scan(params: Uint8Array): number {
    if (params.length < 4 || this.scanning) return HalError.Invalid;
    const n = params[1];
    if (params.length < 4 + n) return HalError.Invalid;
    const channels = n ? [...params.subarray(4, 4 + n)] : [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13];
    if (channels.some((c) => c < 1 || c > 14)) return HalError.Invalid;
    const dwellMs = params[2] | (params[3] << 8);
    this.counters.scans++;
    this.scanning = { channels, active: (params[0] & 1) === 1, dwellUs: Math.max(10, dwellMs || 120) * 1000, seen: new Set(), timer: null, homeChannel: this.channel };
    this.scanNextChannel();
    return HalError.Ok;
  }

  join(params: Uint8Array): number {
    if (params.length < 8) return HalError.Invalid;
    const ssidLen = params[7];
    if (ssidLen > 32 || params.length < 8 + ssidLen + 3) return HalError.Invalid;
    const ieLen = params[8 + ssidLen + 2];
    if (params.length < 8 + ssidLen + 3 + ieLen) return HalError.Invalid;
    this.leaveQuietly();
    this.joining = {
      bssid: Buffer.from(params.subarray(0, 6)), channel: params[6], ssid: Buffer.from(params.subarray(8, 8 + ssidLen)),
      listenInterval: params[8 + ssidLen] | (params[9 + ssidLen] << 8),
      rsnIe: Buffer.from(params.subarray(11 + ssidLen, 11 + ssidLen + ieLen)), tries: 0, stage: "auth", timer: null,
    };
    this.channel = this.joining.channel;
    this.sendAuth();
    return HalError.Ok;
  }

  leave(reason: number): number {
    if (this.bssid && this.associated) this.sendMgmt(MgmtSubtype.Deauth, this.bssid, u16le(reason));
    this.leaveQuietly();
    return HalError.Ok;
  }

  tx(frame: Uint8Array): number { return this.sendData(frame, false); }
  eapolTx(frame: Uint8Array): number { return this.sendData(frame, true); }

  setKey(kind: number, index: number, key: Uint8Array, rsc: Uint8Array): number {
    if (key.length !== 16) return HalError.Invalid;
    let last = -1n;
    for (let i = 5; i >= 0; i--) last = (i === 5 ? 0n : last << 8n) | BigInt(rsc[i] ?? 0);
    if (kind === 0) { this.ptk = { key: Buffer.from(key), lastPn: 0n }; this.txPn = 1n; }
    else if (kind === 1 && index >= 1 && index <= 3) this.gtk.set(index, { key: Buffer.from(key), lastPn: last - 1n });
    else return HalError.Invalid;
    return HalError.Ok;
  }

  clearKeys(): number {
    this.ptk = null;
    this.gtk.clear();
    return HalError.Ok;
  }

  setPowerSave(mode: number, listenInterval: number): number {
    if (mode < 0 || mode > 2) return HalError.Invalid;
    this.powerSave = { mode, listenInterval };
    return HalError.Ok;
  }

  get isAssociated(): boolean { return this.associated; }
  get currentBssid(): string | null { return this.bssid ? macString(this.bssid) : null; }

  // ---- scanning ----

  private scanNextChannel(): void {
    const s = this.scanning!;
    const ch = s.channels.shift();
    if (ch === undefined) {
      this.channel = s.homeChannel;
      this.scanning = null;
      this.client?.wifiEvent(WifiEvent.ScanDone, s.seen.size, new Uint8Array(0));
      return;
    }
    this.channel = ch;
    if (s.active) {
      this.counters.probes++;
      this.sendMgmt(MgmtSubtype.ProbeReq, BROADCAST, Buffer.concat([ie(Ie.Ssid, Buffer.alloc(0)), ie(Ie.Rates, RATES)]), BROADCAST);
    } else {
      // Passive: the beacons an AP on this channel sends during the dwell reach us.
      for (const node of this.medium.nodes) {
        const ap = node as RadioNode & { probeResponseBody?: () => Buffer; beaconIntervalTu?: number };
        if (!ap.probeResponseBody || !ap.powered || ap.channel !== ch) continue;
        if ((ap.beaconIntervalTu ?? 100) * TU_US > s.dwellUs) continue;
        const rssi = this.medium.sampleRssi(ap, this);
        if (rssi >= this.medium.opts.sensitivityDbm) this.reportScanResult(ap.mac, ch, rssi, ap.probeResponseBody());
      }
    }
    s.timer = this.scheduler.after(s.dwellUs, () => this.scanNextChannel(), `${this.name} scan dwell`);
  }

  private reportScanResult(bssid: Buffer, channel: number, rssi: number, body: Buffer): void {
    const s = this.scanning;
    if (!s || s.seen.has(macString(bssid)) || body.length < 12) return;
    s.seen.add(macString(bssid));
    const ies = parseIes(body.subarray(12));
    const ssid = ies.get(Ie.Ssid)?.[0] ?? Buffer.alloc(0);
    const tim = ies.get(Ie.Tim)?.[0];
    const security = [...(ies.get(Ie.Rsn) ?? []).map((b) => ie(Ie.Rsn, b)), ...(ies.get(Ie.Vendor) ?? []).filter((b) => b.length >= 4 && b[0] === 0x00 && b[1] === 0x50 && b[2] === 0xf2 && b[3] === 1).map((b) => ie(Ie.Vendor, b))];
    const secBytes = Buffer.concat(security);
    const rec = Buffer.concat([bssid, Buffer.of(channel, rssi & 0xff), body.subarray(8, 10), Buffer.of(tim ? tim[1] : 1), body.subarray(10, 12), Buffer.of(ssid.length), ssid, u16le(secBytes.length), secBytes]);
    this.client?.wifiEvent(WifiEvent.ScanResult, 0, rec);
  }

  // ---- joining ----

  private sendAuth(): void {
    const j = this.joining!;
    j.stage = "auth";
    this.sendMgmt(MgmtSubtype.Auth, j.bssid, Buffer.concat([u16le(0), u16le(1), u16le(0)]), j.bssid);
    this.armJoinTimer();
  }

  private sendAssoc(): void {
    const j = this.joining!;
    j.stage = "assoc";
    const body = Buffer.concat([u16le(0x0001 | (j.rsnIe.length ? 0x10 : 0)), u16le(j.listenInterval || 3), ie(Ie.Ssid, j.ssid), ie(Ie.Rates, RATES), j.rsnIe]);
    this.sendMgmt(MgmtSubtype.AssocReq, j.bssid, body, j.bssid);
    this.armJoinTimer();
  }

  private armJoinTimer(): void {
    const j = this.joining!;
    this.scheduler.cancel(j.timer);
    j.timer = this.scheduler.after(AUTH_TIMEOUT_US, () => {
      if (this.joining !== j) return;
      if (++j.tries >= JOIN_TRIES) {
        this.joining = null;
        this.client?.wifiEvent(WifiEvent.AssocFailed, NO_RESPONSE_STATUS, j.bssid);
      } else if (j.stage === "auth") this.sendAuth();
      else this.sendAssoc();
    }, `${this.name} join timeout`);
  }

  private leaveQuietly(): void {
    if (this.joining) this.scheduler.cancel(this.joining.timer);
    this.joining = null;
    this.associated = false;
    this.bssid = null;
    this.scheduler.cancel(this.beaconTimer);
    this.beaconTimer = null;
    this.clearKeys();
  }

  // Beacon-loss watch: the blob counts missed beacons. The AP's beacons are computed, not
  // sent (see AccessPoint.startBeacons): a beacon is "heard" while the AP is powered, on our
  // channel and in range.
  // Each check covers the two beacons sent since the last one: those heard feed the RSSI
  // average, and at most one Rssi report follows.
  private watchBeacons(ap: RadioNode & { beaconIntervalTu?: number }, assocRssi: number): void {
    this.apBeaconIntervalUs = (ap.beaconIntervalTu ?? 100) * TU_US;
    this.lastBeaconAt = this.scheduler.now;
    this.beaconRssi = this.reportedRssi = assocRssi;
    const check = () => {
      if (!this.associated) return;
      const heard = ap.powered && ap.channel === this.channel && this.medium.meanRssi(ap, this) >= this.medium.opts.sensitivityDbm;
      if (heard) {
        this.lastBeaconAt = this.scheduler.now;
        for (let i = 0; i < 2; i++) {
          const rssi = this.medium.sampleRssi(ap, this, this.fading);
          if (rssi >= this.medium.opts.sensitivityDbm) this.beaconRssi += RSSI_AVERAGE_WEIGHT * (rssi - this.beaconRssi);
        }
        this.reportRssiChange();
      }
      if (this.scheduler.now - this.lastBeaconAt >= BEACON_LOSS_INTERVALS * this.apBeaconIntervalUs) {
        const bssid = this.bssid!;
        this.leaveQuietly();
        this.client?.wifiEvent(WifiEvent.BeaconLoss, 0, bssid);
        return;
      }
      this.beaconTimer = this.scheduler.after(this.apBeaconIntervalUs * 2, check, `${this.name} beacon watch`);
    };
    this.beaconTimer = this.scheduler.after(this.apBeaconIntervalUs * 2, check, `${this.name} beacon watch`);
  }

  /** Reports the average when it moved RSSI_REPORT_STEP_DB from the last report (the host's
   * poll) or fell below RSSI_LOW_THRESHOLD_DBM (WIFI_EVENT_STA_BSS_RSSI_LOW). */
  private reportRssiChange(): void {
    const avg = Math.round(this.beaconRssi);
    const crossedLow = avg < RSSI_LOW_THRESHOLD_DBM && this.reportedRssi >= RSSI_LOW_THRESHOLD_DBM;
    if (!crossedLow && Math.abs(avg - this.reportedRssi) < RSSI_REPORT_STEP_DB) return;
    this.reportedRssi = avg;
    this.client?.wifiEvent(WifiEvent.Rssi, avg, new Uint8Array(0));
  }

  // ---- air ----

  receiveAir(frame: Buffer, rssi: number, from: RadioNode): void {
    const h = parseHeader(frame);
    if (!h || !(h.a1.equals(this.mac) || h.a1.equals(BROADCAST))) return;
    if (h.type === FrameType.Mgmt) {
      const body = frame.subarray(24);
      if (h.subtype === MgmtSubtype.ProbeResp && this.scanning) this.reportScanResult(h.a2, this.channel, rssi, body);
      else if (h.subtype === MgmtSubtype.Auth && this.joining?.stage === "auth" && h.a2.equals(this.joining.bssid) && body.length >= 6) {
        const status = body.readUInt16LE(4);
        if (status !== 0) return this.joinFailed(status);
        this.joining.tries = 0;
        this.sendAssoc();
      } else if (h.subtype === MgmtSubtype.AssocResp && this.joining?.stage === "assoc" && h.a2.equals(this.joining.bssid) && body.length >= 6) {
        const status = body.readUInt16LE(2);
        if (status !== 0) return this.joinFailed(status);
        const j = this.joining;
        this.scheduler.cancel(j.timer);
        this.joining = null;
        this.bssid = j.bssid;
        this.associated = true;
        this.watchBeacons(from as RadioNode & { beaconIntervalTu?: number }, rssi);
        this.client?.wifiEvent(WifiEvent.Associated, 0, Buffer.concat([j.bssid, Buffer.of(j.channel), u16le(body.readUInt16LE(4) & 0x3fff)]));
        // The host reads esp_wifi_sta_get_ap_info right after WIFI_EVENT_STA_CONNECTED.
        if (this.associated) this.client?.wifiEvent(WifiEvent.Rssi, rssi, new Uint8Array(0));
      } else if ((h.subtype === MgmtSubtype.Deauth || h.subtype === MgmtSubtype.Disassoc) && this.bssid && h.a2.equals(this.bssid)) {
        const reason = body.length >= 2 ? body.readUInt16LE(0) : 0;
        const bssid = this.bssid;
        this.leaveQuietly();
        this.client?.wifiEvent(h.subtype === MgmtSubtype.Deauth ? WifiEvent.Deauthenticated : WifiEvent.Disassociated, reason, bssid);
      }
      return;
    }
    if (h.type !== FrameType.Data || !h.fromDs || !this.bssid || !h.a2.equals(this.bssid)) return;
    let plain: Buffer;
    if (h.protected) {
      const group = h.a1[0] & 1;
      const keyId = frame.length > 27 ? frame[27] >> 6 : 0;
      const k = group ? this.gtk.get(keyId) : this.ptk;
      if (!k) { this.counters.droppedNoKey++; return; }
      const dec = ccmpDecrypt(k.key, frame);
      if (!dec) { this.counters.decryptFailures++; return; }
      if (dec.pn <= k.lastPn) { this.counters.replays++; return; }
      k.lastPn = dec.pn;
      plain = dec.plaintext;
    } else {
      plain = Buffer.from(frame.subarray(24));
    }
    const body = parseDataBody(plain);
    if (!body) return;
    const eapol = body.ethertype === ETHERTYPE_EAPOL;
    // Unprotected data other than EAPOL is dropped once keys exist (the blob's filter).
    if (!eapol && !h.protected && this.ptk) return;
    this.counters.rx++;
    this.client?.wifiRx(eapol ? 1 : 0, ethernetFrame(h.a1, h.a3, body.ethertype, body.payload));
  }

  private joinFailed(status: number): void {
    const j = this.joining!;
    this.scheduler.cancel(j.timer);
    this.joining = null;
    this.client?.wifiEvent(WifiEvent.AssocFailed, status, j.bssid);
  }

  private sendData(eth: Uint8Array, eapol: boolean): number {
    if (!this.associated || !this.bssid) return HalError.Io;
    if (eth.length < 14) return HalError.Invalid;
    const type = (eth[12] << 8) | eth[13];
    if (eapol !== (type === ETHERTYPE_EAPOL)) return HalError.Invalid;
    if (!eapol && !this.ptk) { this.counters.droppedNoKey++; return HalError.Io; }
    const mpdu = Buffer.concat([
      buildHeader({ type: FrameType.Data, subtype: 0, toDs: true, fromDs: false, a1: this.bssid, a2: this.mac, a3: Buffer.from(eth.subarray(0, 6)), seq: this.seq++ }),
      dataBody(type, eth.subarray(14)),
    ]);
    this.counters.tx++;
    this.medium.transmit(this, this.ptk ? ccmpEncrypt(this.ptk.key, mpdu, this.txPn++, 0) : mpdu, 24);
    return HalError.Ok;
  }

  private sendMgmt(subtype: number, dst: Buffer, body: Buffer, bssid: Buffer = this.bssid ?? BROADCAST): void {
    this.medium.transmit(this, Buffer.concat([buildHeader({ type: FrameType.Mgmt, subtype, toDs: false, fromDs: false, a1: dst, a2: this.mac, a3: bssid, seq: this.seq++ }), body]), 6);
  }
}

function u16le(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(v);
  return b;
}
