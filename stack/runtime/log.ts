// Allocation-free logging. A line is built into one static buffer and handed to the host
// in a single hal.log call:
//   if (logBegin(LogLevel.Info)) { logStr("dhcp: bound "); logIp(addr); logEnd(); }
// logBegin returns false below the configured level, so disabled lines cost one compare.
import { log as halLog, LogLevel } from "../../hal/generated/hal";
import { textLength, textCharAt } from "./ascii";

const LOG_CAPACITY: i32 = 192;
const lineBuf = memory.data(LOG_CAPACITY);
let lineLen: i32 = 0;
let lineLevel: i32 = LogLevel.Info;
let threshold: i32 = LogLevel.Info;

export function setLogLevel(level: i32): void { threshold = level; }
export function logLevel(): i32 { return threshold; }

export function logBegin(level: i32): bool {
  if (level > threshold) return false;
  lineLen = 0;
  lineLevel = level;
  return true;
}

function put(c: i32): void {
  if (lineLen < LOG_CAPACITY) store<u8>(lineBuf + lineLen++, c);
}

/** Appends text, a string or an Ascii (literals become Ascii: stack/runtime/ascii.ts);
 *  non-ASCII characters become '?'. */
@ascii export function logStr<T>(s: T): void {
  for (let i = 0, n = textLength(s); i < n; i++) {
    const c = textCharAt(s, i);
    put(c < 128 ? c : 63);
  }
}

export function logBytes(ptr: usize, len: i32): void {
  for (let i = 0; i < len; i++) put(load<u8>(ptr + i));
}

export function logU32(v: u32): void {
  if (v >= 10) logU32(v / 10);
  put(48 + <i32>(v % 10));
}

export function logI64(v: i64): void {
  if (v < 0) { put(45); v = -v; }
  if (v >= 10) logI64(v / 10);
  put(48 + <i32>(v % 10));
}

export function logHex(v: u32, digits: i32): void {
  for (let i = digits - 1; i >= 0; i--) { const d = <i32>(v >> (i << 2)) & 15; put(d < 10 ? 48 + d : 87 + d); }
}

/** IPv4 address held in host order (a.b.c.d = a<<24 | ... | d). */
export function logIp(addr: u32): void {
  logU32(addr >>> 24); put(46); logU32((addr >>> 16) & 255); put(46);
  logU32((addr >>> 8) & 255); put(46); logU32(addr & 255);
}

export function logMac(ptr: usize): void {
  for (let i = 0; i < 6; i++) {
    if (i) put(58);
    logHex(load<u8>(ptr + i), 2);
  }
}

export function logEnd(): void {
  halLog(lineLevel, lineBuf, lineLen);
}
