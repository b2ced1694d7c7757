// The module's entry: the exports the host calls (see hal/abi.json). Top-level code runs
// once, when the host calls `init` (the exported start function): it reads the board and
// reserves every pool. After that nothing allocates.
import { NO_DEADLINE, StagingKind, LogLevel, HAL_ABI_VERSION } from "../hal/generated/hal";
import { sealReservations, memStat } from "./runtime/memory";
import { staging, STAGING_CAPACITY } from "./runtime/staging";
import { counterValue } from "./runtime/counters";
import { logBegin, logStr, logU32, logEnd } from "./runtime/log";
import { system } from "./system";
import "./runtime/abort"; // the target of `--use abort=...` (asconfig.json)

// The staging buffer the host writes event data into (StagingKind): one for all kinds, as
// each event is consumed within its call and the host delivers one event at a time (see
// stack/runtime/staging.ts; the ENC28J60 driver receives into it too). Sized for a whole
// Wi-Fi frame.
const UART_RX_CAPACITY: i32 = 256;
const WIFI_RX_CAPACITY: i32 = STAGING_CAPACITY;
const WIFI_EVENT_CAPACITY: i32 = 512;
const uartRx = staging;
const wifiRx = staging;
const wifiEvent = staging;

system.init();
sealReservations();

if (logBegin(LogLevel.Info)) {
  logStr("wasmnet: up, HAL ABI v"); logU32(HAL_ABI_VERSION);
  logStr(", reserved "); logU32(memStat(1)); logStr(" of "); logU32(memStat(2)); logStr(" bytes");
  logEnd();
}

export function poll(now: i64): i64 {
  const next = system.poll(now);
  return next > 0 ? next : NO_DEADLINE;
}

export function on_gpio(pin: i32, level: i32, now: i64): void {
  system.onGpio(pin, level, now);
}

export function staging_buffer(kind: i32): usize {
  if (kind == StagingKind.UartRx) return uartRx;
  if (kind == StagingKind.WifiRx) return wifiRx;
  if (kind == StagingKind.WifiEvent) return wifiEvent;
  return 0;
}

export function staging_capacity(kind: i32): i32 {
  if (kind == StagingKind.UartRx) return UART_RX_CAPACITY;
  if (kind == StagingKind.WifiRx) return WIFI_RX_CAPACITY;
  if (kind == StagingKind.WifiEvent) return WIFI_EVENT_CAPACITY;
  return 0;
}

export function on_uart_rx(port: i32, len: i32, now: i64): void {
  if (len < 0 || len > UART_RX_CAPACITY) return;
  system.onUartRx(port, uartRx, len, now);
}

export function on_wifi_event(event: i32, status: i32, len: i32, now: i64): void {
  if (len < 0 || len > WIFI_EVENT_CAPACITY) return;
  system.onWifiEvent(event, status, wifiEvent, len, now);
}

export function on_wifi_rx(kind: i32, len: i32, now: i64): void {
  if (len < 0 || len > WIFI_RX_CAPACITY) return;
  system.onWifiRx(kind, wifiRx, len, now);
}

export function counter(id: i32): i32 {
  return <i32>counterValue(id);
}

export function mem_stat(which: i32): i32 {
  return memStat(which);
}
