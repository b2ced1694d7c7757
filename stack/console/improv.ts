// Improv Wi-Fi over serial (https://www.improv-wifi.com/serial/), version 1, on the console
// UART and interleaved with console text. A frame is
//   "IMPROV" | version 0x01 | type | length | data[length] | checksum
// with checksum = sum of all preceding bytes (header included) mod 256. The client sends
// RPC command frames (type 0x03): data = command, data length, command data. We answer
// with Current State (0x01), Error State (0x02) and RPC Result (0x04) frames; a result's
// data is command, data length, then length-prefixed strings.
//
// Bytes matching the start of "IMPROV" are held back from the line editor; on the first
// byte that does not fit (or after HOLD_TIMEOUT_US without more bytes) they are replayed
// to it, so typing "IMPORT" at the prompt still works. A half-finished frame is dropped
// after the same timeout and counted (Counter.ConsoleBadFrames).
import { NO_DEADLINE } from "../../hal/generated/hal";
import { count, Counter } from "../runtime/counters";
import { putc, flushTx } from "./out";
import { configStore, ConfigError } from "../config/store";
import { SCHEMA } from "../config/schema";
import { parseValue, schemaIndex } from "../config/text";
import { wifiRemember } from "../config/wifi";
import { A, textLength, textCharAt } from "../runtime/ascii";

export const IMPROV_HEADER = A("IMPROV");
export const IMPROV_VERSION: u8 = 1;
export const HOLD_TIMEOUT_US: i64 = 500_000;
export const PROVISION_TIMEOUT_US: i64 = 30_000_000;

export const enum ImprovType { CurrentState = 1, ErrorState = 2, Rpc = 3, RpcResult = 4 }
export const enum ImprovState { Ready = 2, Provisioning = 3, Provisioned = 4 }
export const enum ImprovError { None = 0, InvalidRpc = 1, UnknownRpc = 2, UnableToConnect = 3, BadHostname = 5, Unknown = 0xff }
export const enum ImprovCmd { WifiSettings = 1, CurrentState = 2, DeviceInfo = 3, Scan = 4, Hostname = 5 }

export const FIRMWARE_NAME = A("wasmnet");
export const FIRMWARE_VERSION = A("0.1.0");
export const CHIP = A("esp32");

const frame = memory.data(256);
const outBuf = memory.data(264);
const valBuf = memory.data(132);

// Parser: 0 idle; 1..5 matched that many header bytes; 6 header done (expect version);
// 7 type; 8 length; 9 data; 10 checksum.
let pstate: i32 = 0;
let ptype: i32 = 0;
let plen: i32 = 0;
let pidx: i32 = 0;
let psum: u32 = 0;
let lastByteAt: i64 = 0;

let state: ImprovState = ImprovState.Ready;
let provisioningSince: i64 = -1;
let connector: usize = 0;
let scanner: usize = 0;
let scanning = false;
export let improvFrames: u32 = 0;

/** Feeds one byte. Returns -1 when Improv took it, 0 when it belongs to the console, n > 0
 *  when the first n header bytes held back must be replayed to the console first (then
 *  feed the same byte again). */
export function improvFeed(c: i32, now: i64): i32 {
  if (pstate > 0 && now - lastByteAt > HOLD_TIMEOUT_US) {
    const n = abandon();
    if (n > 0) return n;
  }
  lastByteAt = now;
  if (pstate < 6) {
    if (c == IMPROV_HEADER.at(pstate)) { psum += <u32>c; pstate++; return -1; }
    if (pstate == 0) return 0;
    const n = pstate; pstate = 0; psum = 0;
    return n;
  }
  if (pstate == 6) {
    if (c != IMPROV_VERSION) { pstate = 0; psum = 0; return 6; }
    psum += <u32>c; pstate = 7; return -1;
  }
  if (pstate == 7) { ptype = c; psum += <u32>c; pstate = 8; return -1; }
  if (pstate == 8) { plen = c; pidx = 0; psum += <u32>c; pstate = plen > 0 ? 9 : 10; return -1; }
  if (pstate == 9) {
    store<u8>(frame + pidx++, <u8>c); psum += <u32>c;
    if (pidx == plen) pstate = 10;
    return -1;
  }
  // Checksum byte: the frame is complete.
  pstate = 0;
  const ok = (psum & 0xff) == <u32>c;
  psum = 0;
  if (!ok) { count(Counter.ConsoleBadFrames); sendError(ImprovError.InvalidRpc); return -1; }
  improvFrames++;
  handleFrame(now);
  return -1;
}

/** Drops a partial frame; returns how many held header bytes go back to the console. */
function abandon(): i32 {
  const n = pstate;
  pstate = 0; psum = 0;
  if (n <= 6) return n;
  count(Counter.ConsoleBadFrames);
  return 0;
}

/** Timeouts: returns how many held bytes to replay to the console (0 usually). */
export function improvPoll(now: i64): i32 {
  let n = 0;
  if (pstate > 0 && now - lastByteAt > HOLD_TIMEOUT_US) n = abandon();
  if (state == ImprovState.Provisioning && provisioningSince >= 0 && now - provisioningSince > PROVISION_TIMEOUT_US) {
    improvWifiResult(false, now);
  }
  return n;
}

export function improvNextDeadline(): i64 {
  let next: i64 = NO_DEADLINE;
  if (pstate > 0) next = lastByteAt + HOLD_TIMEOUT_US + 1;
  if (state == ImprovState.Provisioning && provisioningSince >= 0) {
    const t = provisioningSince + PROVISION_TIMEOUT_US + 1;
    if (t < next) next = t;
  }
  return next;
}

export function improvState(): i32 { return state; }

/**
 * The Wi-Fi part attaches here: `fn(slot, now)` starts joining the network just stored in
 * config slot `slot`, and reports the outcome with improvWifiResult(). Without a
 * connector (no Wi-Fi in this build) provisioning stores the credentials and then reports
 * "unable to connect".
 */
export function improvSetConnector(fn: (slot: i32, now: i64) => void): void { connector = changetype<usize>(fn); }

/** Optional scan provider: `fn(now)` starts a scan and returns false if it cannot; the
 *  Wi-Fi part then calls improvScanResult() per network and improvScanDone(). Without one,
 *  a scan request gets an empty list (the spec's "no networks found"). */
export function improvSetScanner(fn: (now: i64) => bool): void { scanner = changetype<usize>(fn); }

export function improvWifiResult(ok: bool, now: i64): void {
  if (state != ImprovState.Provisioning) { if (ok) state = ImprovState.Provisioned; return; }
  provisioningSince = -1;
  if (ok) {
    state = ImprovState.Provisioned;
    sendState();
    sendResultEmpty(ImprovCmd.WifiSettings); // no URL to offer
  } else {
    state = ImprovState.Ready;
    sendError(ImprovError.UnableToConnect);
    sendState();
  }
  flushTx();
}

export function improvScanResult(ssid: usize, ssidLen: i32, rssi: i32, auth: bool): void {
  if (!scanning) return;
  let n = beginResult(ImprovCmd.Scan);
  n = addBytes(n, ssid, min(ssidLen, 32));
  n = addI32(n, rssi);
  n = addStr(n, auth ? "YES" : "NO");
  sendResult(n);
  flushTx();
}
export function improvScanDone(): void {
  if (!scanning) return;
  scanning = false;
  sendResultEmpty(ImprovCmd.Scan);
  flushTx();
}

function handleFrame(now: i64): void {
  if (ptype != ImprovType.Rpc || plen < 2 || <i32>load<u8>(frame, 1) + 2 != plen) {
    count(Counter.ConsoleBadFrames);
    sendError(ImprovError.InvalidRpc);
    return;
  }
  const cmd = <i32>load<u8>(frame);
  const dlen = <i32>load<u8>(frame, 1);
  const d = frame + 2;
  sendError(ImprovError.None);
  if (cmd == ImprovCmd.WifiSettings) {
    if (dlen < 2) { sendError(ImprovError.InvalidRpc); return; }
    const ssidLen = <i32>load<u8>(d);
    if (1 + ssidLen + 1 > dlen) { sendError(ImprovError.InvalidRpc); return; }
    const passLen = <i32>load<u8>(d + 1 + ssidLen);
    if (1 + ssidLen + 1 + passLen != dlen) { sendError(ImprovError.InvalidRpc); return; }
    const slot = wifiRemember(d + 1, ssidLen, d + 2 + ssidLen, passLen);
    if (slot == ConfigError.BadValue) { sendError(ImprovError.InvalidRpc); return; }
    if (slot < 0) { sendError(ImprovError.Unknown); return; }
    state = ImprovState.Provisioning;
    provisioningSince = now;
    sendState();
    if (connector) changetype<(slot: i32, now: i64) => void>(connector)(slot, now);
    else improvWifiResult(false, now);
    return;
  }
  if (cmd == ImprovCmd.CurrentState) {
    sendState();
    if (state == ImprovState.Provisioned) sendResultEmpty(ImprovCmd.WifiSettings);
    return;
  }
  if (cmd == ImprovCmd.DeviceInfo) {
    let n = beginResult(cmd);
    n = addStr(n, FIRMWARE_NAME);
    n = addStr(n, FIRMWARE_VERSION);
    n = addStr(n, CHIP);
    const hl = configStore.getStr("hostname", valBuf, 64);
    n = addBytes(n, valBuf, hl < 0 ? 0 : hl);
    sendResult(n);
    return;
  }
  if (cmd == ImprovCmd.Scan) {
    if (scanner && !scanning && changetype<(now: i64) => bool>(scanner)(now)) { scanning = true; return; }
    sendResultEmpty(cmd);
    return;
  }
  if (cmd == ImprovCmd.Hostname) {
    if (dlen > 0) {
      const def = schemaIndex("hostname");
      const n = parseValue(unchecked(SCHEMA[def]), d, dlen, valBuf);
      if (n < 0 || configStore.setStr("hostname", valBuf, n) != ConfigError.Ok || configStore.commit() != ConfigError.Ok) {
        sendError(ImprovError.BadHostname);
        return;
      }
    }
    const hl = configStore.getStr("hostname", valBuf, 64);
    let n = beginResult(cmd);
    n = addBytes(n, valBuf, hl < 0 ? 0 : hl);
    sendResult(n);
    return;
  }
  sendError(ImprovError.UnknownRpc);
}

// ---- frames out ---------------------------------------------------------------------------

function sendFrame(type: i32, data: usize, len: i32): void {
  let sum: u32 = 0;
  for (let i = 0; i < 6; i++) { const c = IMPROV_HEADER.at(i); putc(c); sum += <u32>c; }
  putc(IMPROV_VERSION); sum += IMPROV_VERSION;
  putc(type); sum += <u32>type;
  putc(len); sum += <u32>len;
  for (let i = 0; i < len; i++) { const c = load<u8>(data + i); putc(c); sum += c; }
  putc(<i32>(sum & 0xff));
}

function sendState(): void { store<u8>(outBuf, <u8>state); sendFrame(ImprovType.CurrentState, outBuf, 1); }
function sendError(e: i32): void { store<u8>(outBuf, <u8>e); sendFrame(ImprovType.ErrorState, outBuf, 1); }

function beginResult(cmd: i32): i32 { store<u8>(outBuf, <u8>cmd); store<u8>(outBuf, 0, 1); return 2; }
@ascii function addStr<T>(n: i32, s: T): i32 {
  const l = min(textLength(s), 255 - n - 1);
  if (l < 0) return n;
  store<u8>(outBuf + n, <u8>l);
  for (let i = 0; i < l; i++) store<u8>(outBuf + n + 1 + i, <u8>textCharAt(s, i));
  return n + 1 + l;
}
function addBytes(n: i32, p: usize, len: i32): i32 {
  const l = min(len, 255 - n - 1);
  if (l < 0) return n;
  store<u8>(outBuf + n, <u8>l);
  memory.copy(outBuf + n + 1, p, <usize>l);
  return n + 1 + l;
}
function addI32(n: i32, v: i32): i32 {
  // decimal text, e.g. "-60"
  const p = valBuf + 100;
  let k = 0;
  let u: u32 = v < 0 ? <u32>(-v) : <u32>v;
  if (v < 0) store<u8>(p + k++, 45);
  let div: u32 = 1;
  while (u / div >= 10) div *= 10;
  while (div > 0) { store<u8>(p + k++, <u8>(48 + (u / div) % 10)); div /= 10; }
  return addBytes(n, p, k);
}
function sendResult(n: i32): void { store<u8>(outBuf, <u8>(n - 2), 1); sendFrame(ImprovType.RpcResult, outBuf, n); }
function sendResultEmpty(cmd: i32): void { sendResult(beginResult(cmd)); }
