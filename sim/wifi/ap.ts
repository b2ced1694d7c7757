// A simulated access point: open or WPA2-PSK (CCMP), open-system authentication and
// association with status codes, the authenticator side of the 4-way and group-key
// handshakes (IEEE 802.11-2016 12.7.6 and 12.7.7) written with Node's crypto, periodic GTK
// rekeying, M1/M3 retransmission, deauthentication with reason codes, and a wired side that
// bridges station traffic to a simulated Ethernet port. It shares no code with the stack's
// AssemblyScript supplicant: each judges the other.
import type { Scheduler, EventHandle } from "../core/scheduler.ts";
import type { Rng } from "../core/rng.ts";
import type { FrameEndpoint, Port } from "../net/port.ts";
import { type Ptk, ccmpDecrypt, ccmpEncrypt, derivePtk, pmkFromPassphrase } from "./crypto.ts";
import { ETHERTYPE_EAPOL, KeyInfo, buildEapolKey, gtkKde, micValid, parseEapolKey, wrapKeyData } from "./eapol.ts";
import {
  BROADCAST, FrameType, Ie, MgmtSubtype, RATES, Reason, Status, beaconBody, buildHeader, dataBody, ethernetFrame, ie,
  parseDataBody, parseHeader, parseIes, rsnIeWpa2Psk,
} from "./ieee80211.ts";
import { type Medium, type Position, type RadioNode } from "./medium.ts";

export interface ApOptions {
  name?: string;
  ssid: string;
  /** null: an open network. */
  passphrase: string | null;
  channel: number;
  bssid: string | Uint8Array;
  position?: Position;
  txPowerDbm?: number;
  beaconIntervalTu?: number;
  dtimPeriod?: number;
  /** GTK rekey period (µs); 0 disables. */
  gtkRekeyUs?: number;
  /** EAPOL retransmission timeout and retries before deauth (hostapd: 1 s, 4 tries). */
  eapolTimeoutUs?: number;
  eapolTries?: number;
  maxStations?: number;
  /** Override the RSN IE this AP advertises (e.g. a WPA1/TKIP-only or PSK-SHA256 AP). */
  rsnIe?: Buffer | null;
  /** Put a different RSN IE into M3 than the beacon's (a downgrade attack test). */
  m3RsnIe?: Buffer;
}

type StaState = "authenticated" | "associated" | "4way" | "ready";

interface Station {
  mac: Buffer;
  aid: number;
  state: StaState;
  rsnIe: Buffer | null;
  anonce: Buffer;
  ptk: Ptk | null;
  replay: bigint;
  tries: number;
  timer: EventHandle | null;
  pn: bigint;
  lastRxPn: bigint;
  groupPending: boolean;
}

export interface ApEvent { time: number; what: string; sta?: string; detail?: number }

const TU_US = 1024;

export class AccessPoint implements RadioNode, FrameEndpoint {
  readonly name: string;
  readonly mac: Buffer;
  channel: number;
  position: Position;
  txPowerDbm: number;
  powered = true;
  readonly ssid: string;
  readonly rsnIe: Buffer | null;
  readonly events: ApEvent[] = [];
  readonly stations = new Map<string, Station>();
  readonly counters = { beacons: 0, m1Sent: 0, m3Sent: 0, micFailures: 0, handshakesCompleted: 0, gtkRekeys: 0, rxData: 0, rxDecryptFailures: 0, txData: 0, replays: 0 };
  private readonly pmk: Buffer | null;
  private readonly rng: Rng;
  private gtk: Buffer;
  private gtkKeyId = 1;
  private gtkPn = 1n;
  private seq = 0;
  private nextAid = 1;
  private wired: Port | null = null;
  private beaconTimer: EventHandle | null = null;
  private rekeyTimer: EventHandle | null = null;
  readonly beaconIntervalTu: number;
  readonly dtimPeriod: number;

  constructor(private readonly scheduler: Scheduler, rng: Rng, private readonly medium: Medium, readonly opts: ApOptions) {
    this.name = opts.name ?? `ap-${opts.ssid}`;
    this.mac = Buffer.from(typeof opts.bssid === "string" ? opts.bssid.split(":").map((h) => parseInt(h, 16)) : opts.bssid);
    this.channel = opts.channel;
    this.position = opts.position ?? { x: 0, y: 0 };
    this.txPowerDbm = opts.txPowerDbm ?? 20;
    this.ssid = opts.ssid;
    this.rng = rng;
    this.beaconIntervalTu = opts.beaconIntervalTu ?? 100;
    this.dtimPeriod = opts.dtimPeriod ?? 1;
    this.rsnIe = opts.rsnIe !== undefined ? opts.rsnIe : opts.passphrase === null ? null : rsnIeWpa2Psk();
    this.pmk = opts.passphrase === null ? null : pmkFromPassphrase(opts.passphrase, opts.ssid);
    this.gtk = Buffer.from(rng.bytes(16));
    medium.add(this);
    this.startBeacons();
    if (this.pmk && (opts.gtkRekeyUs ?? 0) > 0) this.scheduleRekey();
  }

  get bssidString(): string { return [...this.mac].map((b) => b.toString(16).padStart(2, "0")).join(":"); }

  /** Connects the AP's Ethernet side (bridged to the stations). */
  attachWired(port: Port): void {
    this.wired = port;
    port.attach(this);
  }

  /** Powers the AP off (it vanishes from the air) or back on. */
  setPowered(on: boolean): void {
    this.powered = on;
    this.log(on ? "powered on" : "powered off");
    if (!on) {
      for (const sta of this.stations.values()) this.scheduler.cancel(sta.timer);
      this.stations.clear();
    }
    this.startBeacons();
  }

  deauth(staMac: string, reason: number): void {
    const sta = this.stations.get(staMac);
    if (!sta) return;
    this.sendMgmt(MgmtSubtype.Deauth, sta.mac, u16le(reason));
    this.drop(sta, `deauth reason ${reason}`);
  }

  /** Starts a group-key handshake with every ready station now. */
  rekeyGtk(): void {
    this.gtk = Buffer.from(this.rng.bytes(16));
    this.gtkKeyId = this.gtkKeyId === 1 ? 2 : 1;
    this.gtkPn = 1n;
    this.counters.gtkRekeys++;
    this.log(`GTK rekey (key id ${this.gtkKeyId})`);
    for (const sta of this.stations.values()) if (sta.state === "ready") this.sendGroup1(sta);
  }

  private scheduleRekey(): void {
    this.rekeyTimer = this.scheduler.after(this.opts.gtkRekeyUs!, () => { this.rekeyGtk(); this.scheduleRekey(); }, `${this.name} gtk rekey`);
  }

  // Beacons are put on the air only while someone listens to the air itself (an air pcap):
  // stations learn of the AP through probe responses, and beacon loss is computed from the
  // AP's presence, so an idle day does not cost 843,750 beacon events.
  private startBeacons(): void {
    this.scheduler.cancel(this.beaconTimer);
    this.beaconTimer = null;
    if (!this.powered || !this.medium.tapped) return;
    let count = 0;
    const tick = () => {
      this.sendBeacon(count++ % this.dtimPeriod);
      this.beaconTimer = this.scheduler.after(this.beaconIntervalTu * TU_US, tick, `${this.name} beacon`);
    };
    tick();
  }

  /** Call after tapping the medium to get beacons into the capture. */
  refreshBeacons(): void { this.startBeacons(); }

  private sendBeacon(dtimCount: number): void {
    this.counters.beacons++;
    const body = beaconBody({ intervalTu: this.beaconIntervalTu, ssid: this.ssid, channel: this.channel, rsnIe: this.rsnIe, dtimCount, dtimPeriod: this.dtimPeriod, timestampUs: this.scheduler.now });
    this.transmit(Buffer.concat([buildHeader({ type: FrameType.Mgmt, subtype: MgmtSubtype.Beacon, toDs: false, fromDs: false, a1: BROADCAST, a2: this.mac, a3: this.mac, seq: this.seq++ }), body]), 6);
  }

  /** The probe response body (what a scan reports). */
  probeResponseBody(): Buffer {
    return beaconBody({ intervalTu: this.beaconIntervalTu, ssid: this.ssid, channel: this.channel, rsnIe: this.rsnIe, dtimCount: 0, dtimPeriod: this.dtimPeriod, timestampUs: this.scheduler.now });
  }

  // ---- receive from the air ----

  receiveAir(frame: Buffer, _rssi: number, from: RadioNode): void {
    if (!this.powered) return;
    const h = parseHeader(frame);
    if (!h) return;
    const toUs = h.a1.equals(this.mac) || h.a1.equals(BROADCAST);
    if (!toUs) return;
    if (h.type === FrameType.Mgmt) this.onMgmt(h.subtype, h.a2, frame.subarray(24), from);
    else if (h.type === FrameType.Data && h.toDs) this.onData(frame, h.a2, h.a3, h.protected);
  }

  private onMgmt(subtype: number, src: Buffer, body: Buffer, _from: RadioNode): void {
    const key = macString(src);
    if (subtype === MgmtSubtype.ProbeReq) {
      const ies = parseIes(body);
      const ssid = ies.get(Ie.Ssid)?.[0];
      if (ssid && ssid.length && ssid.toString() !== this.ssid) return;
      this.sendMgmt(MgmtSubtype.ProbeResp, src, this.probeResponseBody());
    } else if (subtype === MgmtSubtype.Auth) {
      if (body.length < 6 || body.readUInt16LE(0) !== 0) {
        this.sendMgmt(MgmtSubtype.Auth, src, Buffer.concat([u16le(0), u16le(2), u16le(13)])); // unsupported algorithm
        return;
      }
      const full = this.stations.size >= (this.opts.maxStations ?? 8) && !this.stations.has(key);
      this.sendMgmt(MgmtSubtype.Auth, src, Buffer.concat([u16le(0), u16le(2), u16le(full ? Status.ApFull : Status.Success)]));
      if (full) return;
      const old = this.stations.get(key);
      if (old) this.scheduler.cancel(old.timer);
      this.stations.set(key, {
        mac: Buffer.from(src), aid: 0, state: "authenticated", rsnIe: null, anonce: Buffer.alloc(32), ptk: null, replay: 0n,
        tries: 0, timer: null, pn: 1n, lastRxPn: -1n, groupPending: false,
      });
      this.log("authenticated", key);
    } else if (subtype === MgmtSubtype.AssocReq) {
      const sta = this.stations.get(key);
      if (!sta) {
        this.sendMgmt(MgmtSubtype.Deauth, src, u16le(Reason.PrevAuthInvalid));
        return;
      }
      const ies = parseIes(body.subarray(4));
      const rsn = ies.get(Ie.Rsn)?.[0] ?? null;
      let status: number = Status.Success;
      if (this.rsnIe && (!rsn || !rsnCompatible(rsn, this.rsnIe))) status = rsn ? Status.InvalidRsnIe : Status.InvalidAkmp;
      if (status === Status.Success) sta.aid = this.nextAid++;
      this.sendMgmt(MgmtSubtype.AssocResp, src, Buffer.concat([u16le(0x0001 | (this.rsnIe ? 0x10 : 0)), u16le(status), u16le(sta.aid | 0xc000), ie(Ie.Rates, RATES)]));
      if (status !== Status.Success) {
        this.log(`association refused, status ${status}`, key);
        this.stations.delete(key);
        return;
      }
      sta.state = "associated";
      sta.rsnIe = rsn;
      this.log(`associated, aid ${sta.aid}`, key);
      if (this.pmk) {
        sta.state = "4way";
        sta.replay = 0n;
        sta.anonce = Buffer.from(this.rng.bytes(32));
        sta.tries = 0;
        // Send M1 shortly after the association response, as hostapd does.
        this.scheduler.after(1000, () => this.sendM1(sta), `${this.name} M1`);
      } else {
        sta.state = "ready";
      }
    } else if (subtype === MgmtSubtype.Deauth || subtype === MgmtSubtype.Disassoc) {
      const sta = this.stations.get(key);
      if (sta) this.drop(sta, `station left, reason ${body.length >= 2 ? body.readUInt16LE(0) : 0}`);
    }
  }

  private onData(frame: Buffer, src: Buffer, dst: Buffer, isProtected: boolean): void {
    const sta = this.stations.get(macString(src));
    if (!sta) return;
    let plain: Buffer;
    if (isProtected) {
      if (!sta.ptk) return;
      const dec = ccmpDecrypt(sta.ptk.tk, frame);
      if (!dec) { this.counters.rxDecryptFailures++; return; }
      if (dec.pn <= sta.lastRxPn) { this.counters.replays++; return; }
      sta.lastRxPn = dec.pn;
      plain = dec.plaintext;
    } else {
      plain = Buffer.from(frame.subarray(24));
    }
    const body = parseDataBody(plain);
    if (!body) return;
    if (body.ethertype === ETHERTYPE_EAPOL) { this.onEapol(sta, body.payload); return; }
    // Only EAPOL may pass before the handshake completes (802.1X controlled port).
    if (sta.state !== "ready" || (this.pmk && !isProtected)) return;
    this.counters.rxData++;
    const eth = ethernetFrame(dst, src, body.ethertype, body.payload);
    if (dst.equals(BROADCAST) || dst[0] & 1) {
      this.wired?.send(eth);
      this.sendToStations(eth, sta);
    } else if (this.stations.get(macString(dst))?.state === "ready") {
      this.sendToStation(this.stations.get(macString(dst))!, eth);
    } else {
      this.wired?.send(eth);
    }
  }

  // ---- the 4-way handshake, authenticator side ----

  private sendM1(sta: Station): void {
    if (sta.state !== "4way" || !this.stations.has(macString(sta.mac))) return;
    sta.replay++;
    this.counters.m1Sent++;
    this.log(`4-way M1 (try ${sta.tries + 1})`, macString(sta.mac));
    this.sendEapol(sta, buildEapolKey({
      keyInfo: KeyInfo.VersionHmacSha1Aes | KeyInfo.Pairwise | KeyInfo.Ack, keyLength: 16, replayCounter: sta.replay,
      nonce: sta.anonce, rsc: Buffer.alloc(8), mic: Buffer.alloc(16), keyData: Buffer.alloc(0),
    }, null), false);
    this.armRetry(sta, () => this.sendM1(sta));
  }

  private sendM3(sta: Station): void {
    if (!sta.ptk) return;
    sta.replay++;
    this.counters.m3Sent++;
    this.log(`4-way M3 (try ${sta.tries + 1})`, macString(sta.mac));
    const keyData = wrapKeyData(sta.ptk.kek, Buffer.concat([ie(Ie.Rsn, this.opts.m3RsnIe ?? this.rsnIe!), gtkKde(this.gtkKeyId, this.gtk)]));
    this.sendEapol(sta, buildEapolKey({
      keyInfo: KeyInfo.VersionHmacSha1Aes | KeyInfo.Pairwise | KeyInfo.Install | KeyInfo.Ack | KeyInfo.Mic | KeyInfo.Secure | KeyInfo.EncryptedData,
      keyLength: 16, replayCounter: sta.replay, nonce: sta.anonce, rsc: pnRsc(this.gtkPn), mic: Buffer.alloc(16), keyData,
    }, sta.ptk.kck), false);
    this.armRetry(sta, () => this.sendM3(sta));
  }

  private sendGroup1(sta: Station): void {
    if (!sta.ptk || sta.state !== "ready") return;
    sta.replay++;
    sta.groupPending = true;
    const keyData = wrapKeyData(sta.ptk.kek, gtkKde(this.gtkKeyId, this.gtk));
    this.sendEapol(sta, buildEapolKey({
      keyInfo: KeyInfo.VersionHmacSha1Aes | KeyInfo.Ack | KeyInfo.Mic | KeyInfo.Secure | KeyInfo.EncryptedData,
      keyLength: 0, replayCounter: sta.replay, nonce: Buffer.alloc(32), rsc: pnRsc(this.gtkPn), mic: Buffer.alloc(16), keyData,
    }, sta.ptk.kck), true);
    this.armRetry(sta, () => this.sendGroup1(sta), Reason.GroupKeyTimeout);
  }

  private armRetry(sta: Station, again: () => void, reason: number = Reason.FourWayTimeout): void {
    this.scheduler.cancel(sta.timer);
    sta.timer = this.scheduler.after(this.opts.eapolTimeoutUs ?? 1_000_000, () => {
      sta.timer = null;
      if (++sta.tries >= (this.opts.eapolTries ?? 4)) {
        this.log(`handshake timed out, deauth reason ${reason}`, macString(sta.mac));
        this.deauth(macString(sta.mac), reason);
      } else {
        again();
      }
    }, `${this.name} eapol retry`);
  }

  private onEapol(sta: Station, payload: Buffer): void {
    const key = parseEapolKey(payload);
    if (!key || key.replayCounter !== sta.replay) return;
    const mic = (key.keyInfo & KeyInfo.Mic) !== 0;
    if (sta.state === "4way" && !sta.ptk && mic && key.keyInfo & KeyInfo.Pairwise) {
      // M2: derive the PTK from the SNonce and check the MIC; a wrong passphrase fails here.
      const ptk = derivePtk(this.pmk!, this.mac, sta.mac, sta.anonce, key.nonce);
      if (!micValid(payload, ptk.kck)) {
        this.counters.micFailures++;
        this.log("M2 MIC failure (wrong passphrase?)", macString(sta.mac));
        return; // hostapd discards it; the M1 retry timer runs on
      }
      const rsn = parseIes(key.keyData).get(Ie.Rsn)?.[0];
      if (!rsn || !sta.rsnIe || !rsn.equals(sta.rsnIe)) {
        this.log("M2 RSN IE differs from the association request", macString(sta.mac));
        this.deauth(macString(sta.mac), Reason.IeMismatch);
        return;
      }
      sta.ptk = ptk;
      sta.tries = 0;
      this.sendM3(sta);
    } else if (sta.state === "4way" && sta.ptk && mic && key.keyInfo & KeyInfo.Pairwise) {
      if (!micValid(payload, sta.ptk.kck)) { this.counters.micFailures++; return; }
      // M4: the station has installed its keys; so do we.
      this.scheduler.cancel(sta.timer);
      sta.timer = null;
      sta.state = "ready";
      sta.tries = 0;
      this.counters.handshakesCompleted++;
      this.log("4-way handshake complete, keys installed", macString(sta.mac));
    } else if (sta.state === "ready" && sta.groupPending && mic && !(key.keyInfo & KeyInfo.Pairwise)) {
      if (!micValid(payload, sta.ptk!.kck)) { this.counters.micFailures++; return; }
      this.scheduler.cancel(sta.timer);
      sta.timer = null;
      sta.groupPending = false;
      sta.tries = 0;
      this.log("group key handshake complete", macString(sta.mac));
    }
  }

  // ---- transmit ----

  /** A frame from the wired side, bridged to the stations. */
  receive(frame: Uint8Array): void {
    if (!this.powered || frame.length < 14) return;
    const dst = Buffer.from(frame.subarray(0, 6));
    if (dst[0] & 1) this.sendToStations(Buffer.from(frame), null);
    else {
      const sta = this.stations.get(macString(dst));
      if (sta?.state === "ready") this.sendToStation(sta, Buffer.from(frame));
    }
  }

  private sendToStations(eth: Buffer, except: Station | null): void {
    if (![...this.stations.values()].some((s) => s.state === "ready" && s !== except)) return;
    const src = eth.subarray(6, 12);
    const mpdu = Buffer.concat([
      buildHeader({ type: FrameType.Data, subtype: 0, toDs: false, fromDs: true, a1: BROADCAST, a2: this.mac, a3: src, seq: this.seq++ }),
      dataBody(eth.readUInt16BE(12), eth.subarray(14)),
    ]);
    this.counters.txData++;
    this.transmit(this.pmk ? ccmpEncrypt(this.gtk, mpdu, this.gtkPn++, this.gtkKeyId) : mpdu, 24);
  }

  private sendToStation(sta: Station, eth: Buffer): void {
    const mpdu = Buffer.concat([
      buildHeader({ type: FrameType.Data, subtype: 0, toDs: false, fromDs: true, a1: sta.mac, a2: this.mac, a3: eth.subarray(6, 12), seq: this.seq++ }),
      dataBody(eth.readUInt16BE(12), eth.subarray(14)),
    ]);
    this.counters.txData++;
    this.transmit(sta.ptk ? ccmpEncrypt(sta.ptk.tk, mpdu, sta.pn++, 0) : mpdu, 24);
  }

  private sendEapol(sta: Station, eapol: Buffer, encrypt: boolean): void {
    const mpdu = Buffer.concat([
      buildHeader({ type: FrameType.Data, subtype: 0, toDs: false, fromDs: true, a1: sta.mac, a2: this.mac, a3: this.mac, seq: this.seq++ }),
      dataBody(ETHERTYPE_EAPOL, eapol),
    ]);
    this.transmit(encrypt && sta.ptk ? ccmpEncrypt(sta.ptk.tk, mpdu, sta.pn++, 0) : mpdu, 24);
  }

  private sendMgmt(subtype: number, dst: Buffer, body: Buffer): void {
    this.transmit(Buffer.concat([buildHeader({ type: FrameType.Mgmt, subtype, toDs: false, fromDs: false, a1: dst, a2: this.mac, a3: this.mac, seq: this.seq++ }), body]), 6);
  }

  private transmit(frame: Buffer, rateMbps: number): void {
    if (this.powered) this.medium.transmit(this, frame, rateMbps);
  }

  private drop(sta: Station, why: string): void {
    this.scheduler.cancel(sta.timer);
    this.stations.delete(macString(sta.mac));
    this.log(why, macString(sta.mac));
  }

  private log(what: string, sta?: string): void {
    this.events.push({ time: this.scheduler.now, what, sta });
  }
}

function u16le(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(v);
  return b;
}

function pnRsc(pn: bigint): Buffer {
  const b = Buffer.alloc(8);
  for (let i = 0; i < 6; i++) b[i] = Number((pn >> BigInt(8 * i)) & 0xffn);
  return b;
}

export function macString(b: Uint8Array): string {
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join(":");
}

/** The station must ask for CCMP pairwise and the PSK AKM that this AP offers. */
function rsnCompatible(sta: Buffer, ap: Buffer): boolean {
  if (sta.length < 18) return false;
  const pairwise = sta.subarray(8, 12), akm = sta.subarray(14, 18);
  return ap.includes(pairwise) && ap.subarray(12).includes(akm);
}
