// The Wi-Fi driver, supplicant, RSN element and EAPOL-Key views for node:test suites
// (test/sim/wifi-*.test.ts against sim/wifi, test/captures/wpa2.test.ts) and bench/wifi.ts.
// The host wires the HAL's wifi_* imports (to sim/wifi/radio.ts or to a recorder) and
// feeds events through on_wifi_event/on_wifi_rx with data in event_buffer()/rx_buffer().
export { input_buffer, output_buffer } from "./_io";
import { reserve } from "../../stack/runtime/memory";
import { FrameSink } from "../../stack/net/netdev";
import { Esp32Wifi, Esp32WifiConfig } from "../../drivers/esp32-wifi/wifi";
import { Supplicant } from "../../drivers/esp32-wifi/supplicant";
import { parseRsn, classifyBss, RsnInfo } from "../../drivers/esp32-wifi/rsn";
import { EapolKeyView, findKdes, Kdes } from "../../drivers/esp32-wifi/eapol";
import { PMK_RECORD_SIZE, PMK_CACHE_MAX } from "../../drivers/esp32-wifi/networks";
import {
  wpaPmkFromSecret, wpaPtk, eapolMicVerify, aesKeyUnwrap, ctEqual, PBKDF2_JOB_SIZE, wpaPmkBegin, wpaPmkStep, wpaPmkResult,
} from "../../stack/crypto";

class RecordingSink extends FrameSink {
  frames: i32 = 0;
  lastLen: i32 = 0;
  last: usize = reserve(1600);
  ups: i32 = 0;
  downs: i32 = 0;
  onFrame(frame: usize, len: i32, now: i64): void {
    this.frames++;
    this.lastLen = min(len, 1600);
    memory.copy(this.last, frame, <usize>this.lastLen);
  }
  onLinkChange(up: bool, now: i64): void { if (up) this.ups++; else this.downs++; }
}

const eventBuf = reserve(512);
const rxBuf = reserve(1600);
const mac0 = memory.data<u8>([0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0x01]);
const cfg = new Esp32WifiConfig();
const heapBefore = heap.alloc(0);
const wifi = new Esp32Wifi(mac0, cfg);
const wifiBytes = <i32>(heap.alloc(0) - heapBefore);
const sink = new RecordingSink();
wifi.sink = sink;
const sup = new Supplicant();
const job = memory.data(PBKDF2_JOB_SIZE);

export function event_buffer(): usize { return eventBuf; }
export function rx_buffer(): usize { return rxBuf; }
/** Bytes the driver (with its supplicant and tables) reserved. */
export function driver_bytes(): i32 { return wifiBytes; }
export function heap_top(): i32 { return <i32>heap.alloc(0); }

export function set_mac(p: usize): void { memory.copy(wifi.macAddress(), p, 6); }
export function set_cfg(backoffBaseUs: i64, backoffMaxUs: i64, pmkSlice: u32, roamRssi: i32, handshakeTimeoutUs: i64): void {
  cfg.backoffBaseUs = backoffBaseUs;
  cfg.backoffMaxUs = backoffMaxUs;
  cfg.pmkSlice = pmkSlice;
  cfg.roamRssiDbm = roamRssi;
  cfg.handshakeTimeoutUs = handshakeTimeoutUs;
}
export function add_network(ssid: usize, ssidLen: i32, secret: usize, secretLen: i32, prio: u32): i32 {
  return wifi.addNetwork(ssid, ssidLen, secret, secretLen, prio);
}
export function start(now: i64): void { wifi.start(now); }
export function stop(now: i64): void { wifi.stop(now); }
export function poll(now: i64): i64 { return wifi.poll(now); }
export function on_wifi_event(event: i32, status: i32, len: i32, now: i64): void {
  if (len < 0 || len > 512) return;
  wifi.onWifiEvent(event, status, eventBuf, len, now);
}
export function on_wifi_rx(kind: i32, len: i32, now: i64): void {
  if (len < 0 || len > 1600) return;
  wifi.onWifiRx(kind, rxBuf, len, now);
}
export function transmit(p: usize, len: i32, now: i64): bool { return wifi.transmit(p, len, now); }

export function state(): i32 { return wifi.state; }
export function link_up(): bool { return wifi.linkUp(); }
export function last_failure(): i32 { return wifi.lastFailure(); }
export function failure_code(): i32 { return wifi.failureCode(); }
export function pmk_progress(): i32 { return wifi.pmkProgress(); }
export function attempts(): i32 { return wifi.attemptCount(); }
export function retry_at(): i64 { return wifi.retryAt(); }
export function current_bssid(): usize { return wifi.currentBssid(); }
export function sink_frames(): i32 { return sink.frames; }
export function sink_last(): usize { return sink.last; }
export function sink_last_len(): i32 { return sink.lastLen; }
export function sink_ups(): i32 { return sink.ups; }
export function sink_downs(): i32 { return sink.downs; }

/** Statistics by index: 0 connects, 1 roams, 2 fastJoins, 3 pmkDerivations, 4 failures,
 *  5 scans, 6 micFailures, 7 replays, 8 malformed, 9 pairwiseInstalls, 10 groupInstalls,
 *  11 m3Retransmits, 12 handshakes. */
export function stat(i: i32): u32 {
  const s = wifi.supplicant;
  switch (i) {
    case 0: return wifi.connects;
    case 1: return wifi.roams;
    case 2: return wifi.fastJoins;
    case 3: return wifi.pmkDerivations;
    case 4: return wifi.failures;
    case 5: return wifi.scans;
    case 6: return s.micFailures;
    case 7: return s.replays;
    case 8: return s.malformed;
    case 9: return s.pairwiseInstalls;
    case 10: return s.groupInstalls;
    case 11: return s.m3Retransmits;
    case 12: return s.handshakes;
    default: return 0;
  }
}

// PMK cache records (what the config store persists)
export function pmk_record_size(): i32 { return PMK_RECORD_SIZE; }
export function pmk_cache_slots(): i32 { return PMK_CACHE_MAX; }
export function pmk_record(i: i32): usize { return wifi.pmkCache.record(i); }
export function pmk_record_load(i: i32, p: usize, len: i32): bool { return wifi.pmkCache.load(i, p, len); }
export function pmk_cache_dirty(): bool { return wifi.pmkCache.dirty; }

// ---- a standalone supplicant (captures, fuzz) ----
export function sup_begin(aa: usize, spa: usize, pmk: usize, rsn: usize, rsnLen: i32): void { sup.begin(aa, spa, pmk, rsn, rsnLen); }
export function sup_on_eapol(p: usize, len: i32): i32 { return sup.onEapol(p, len); }
export function sup_state(): i32 { return sup.state; }
export function sup_stat(i: i32): u32 {
  switch (i) {
    case 6: return sup.micFailures;
    case 7: return sup.replays;
    case 8: return sup.malformed;
    case 9: return sup.pairwiseInstalls;
    case 10: return sup.groupInstalls;
    case 11: return sup.m3Retransmits;
    case 12: return sup.handshakes;
    default: return 0;
  }
}

// ---- parsers and crypto (unit-level checks, captures, fuzz) ----
/** RsnResult of a full RSN element; RsnInfo summary to out: version, group, caps, flags. */
export function parse_rsn(p: usize, len: i32, out: usize): i32 {
  const r = parseRsn(p, len);
  store<u32>(out, RsnInfo.version);
  store<u32>(out + 4, RsnInfo.groupCipher);
  store<u32>(out + 8, RsnInfo.capabilities);
  store<u32>(out + 12, (RsnInfo.pairwiseCcmp ? 1 : 0) | (RsnInfo.pairwiseTkip ? 2 : 0) | (RsnInfo.akmPsk ? 4 : 0) | (RsnInfo.akmPskSha256 ? 8 : 0));
  return r;
}
export function classify_bss(p: usize, len: i32, privacy: bool): i32 { return classifyBss(p, len, privacy); }
const view = new EapolKeyView();
export function eapol_check(p: usize, len: i32): i32 { return view.check(p, len); }
export function find_kdes(p: usize, len: i32, out: usize): bool {
  const ok = findKdes(p, len);
  store<i32>(out, Kdes.rsnOffset); store<i32>(out + 4, Kdes.rsnLen);
  store<i32>(out + 8, Kdes.gtkOffset); store<i32>(out + 12, Kdes.gtkLen); store<i32>(out + 16, Kdes.gtkKeyId);
  return ok;
}
export function pmk_from_secret(secret: usize, len: i32, ssid: usize, ssidLen: i32, out: usize): bool {
  return wpaPmkFromSecret(secret, len, ssid, ssidLen, out);
}
/** The sliced job; returns the number of slices, or -1. */
export function pmk_sliced(secret: usize, len: i32, ssid: usize, ssidLen: i32, slice: u32, out: usize): i32 {
  if (!wpaPmkBegin(job, secret, len, ssid, ssidLen)) return -1;
  let n = 1;
  while (!wpaPmkStep(job, slice)) n++;
  return wpaPmkResult(job, out) ? n : -1;
}
export function ptk(pmk: usize, aa: usize, spa: usize, anonce: usize, snonce: usize, out: usize): void {
  wpaPtk(pmk, aa, spa, anonce, snonce, out, 48);
}
export function mic_verify(kck: usize, frame: usize, len: i32): bool { return eapolMicVerify(kck, frame, len); }
export function key_unwrap(kek: usize, p: usize, len: i32, out: usize): bool { return aesKeyUnwrap(kek, 16, p, len, out); }
export function ct_equal(a: usize, b: usize, len: i32): bool { return ctEqual(a, b, len); }
