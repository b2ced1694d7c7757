// Console output: a bounded transmit buffer drained through hal.uart_write, and Reply,
// which renders a command's result either for humans ("name: value" lines, "error: ...")
// or, in machine mode, as one JSON line with a CRC-32:
//   {"id":7,"ok":true,"data":{"key":value,...}}*1a2b3c4d\r\n
//   {"id":7,"ok":false,"err":"unknown_key","msg":"..."}*1a2b3c4d\r\n
// The CRC covers every byte from '{' to the closing '}' (lowercase hex, 8 digits).
// Text parameters take a string or an Ascii; the ascii-strings transform makes string
// literals passed to them static ASCII bytes (stack/runtime/ascii.ts).
import { uart_write } from "../../hal/generated/hal";
import { crc32Byte } from "../config/crc32";
import { textLength, textCharAt } from "../runtime/ascii";

const TX_CAP: i32 = 1024;
const tx = memory.data(TX_CAP);
let txStart: i32 = 0;
let txEnd: i32 = 0;
let uartPort: i32 = 0;
export let txDropped: u32 = 0;
let crcOn = false;
let crcState: u32 = 0;

export function setUartPort(port: i32): void { uartPort = port; }

/** Hands queued bytes to the UART; keeps what it did not accept. */
export function flushTx(): void {
  while (txEnd > txStart) {
    const n = uart_write(uartPort, tx + txStart, txEnd - txStart);
    if (n <= 0) break;
    txStart += min(n, txEnd - txStart);
  }
  if (txStart == txEnd) { txStart = 0; txEnd = 0; }
}

export function txPending(): i32 { return txEnd - txStart; }

export function putc(c: i32): void {
  if (crcOn) crcState = crc32Byte(crcState, c);
  if (txEnd == TX_CAP) {
    flushTx();
    if (txEnd == TX_CAP && txStart > 0) {
      memory.copy(tx, tx + txStart, <usize>(txEnd - txStart));
      txEnd -= txStart; txStart = 0;
    }
    if (txEnd == TX_CAP) { txDropped++; return; }
  }
  store<u8>(tx + txEnd++, <u8>c);
}

@ascii export function puts<T>(s: T): void {
  for (let i = 0, n = textLength(s); i < n; i++) { const c = textCharAt(s, i); putc(c < 128 ? c : 63); }
}
/** JSON string body of text (characters masked to 7 bits). */
function putJsonText<T>(s: T): void { for (let i = 0, n = textLength(s); i < n; i++) putJsonChar(textCharAt(s, i) & 0x7f); }
export function putBytes(p: usize, n: i32): void { for (let i = 0; i < n; i++) putc(load<u8>(p + i)); }
export function putU32(v: u32): void { if (v >= 10) putU32(v / 10); putc(48 + <i32>(v % 10)); }
export function putI64(v: i64): void { if (v < 0) { putc(45); v = -v; } if (v >= 10) putI64(v / 10); putc(48 + <i32>(v % 10)); }
export function putHex(v: u32, digits: i32): void {
  for (let i = digits - 1; i >= 0; i--) { const d = <i32>(v >> (i << 2)) & 15; putc(d < 10 ? 48 + d : 87 + d); }
}
export function putHexBytes(p: usize, n: i32): void { for (let i = 0; i < n; i++) putHex(load<u8>(p + i), 2); }
/** A MAC address as aa:bb:cc:dd:ee:ff (no escaping needed inside JSON). */
export function putMac(p: usize): void { for (let i = 0; i < 6; i++) { if (i) putc(58); putHex(load<u8>(p + i), 2); } }
export function putIp(a: u32): void {
  putU32(a >>> 24); putc(46); putU32((a >>> 16) & 255); putc(46); putU32((a >>> 8) & 255); putc(46); putU32(a & 255);
}
export function crlf(): void { putc(13); putc(10); }

/** JSON string body: escapes quote, backslash and control characters; bytes >= 0x80 pass through. */
function putJsonChar(c: i32): void {
  if (c == 34 || c == 92) { putc(92); putc(c); }
  else if (c < 32 || c == 127) { puts("\\u00"); putHex(c, 2); }
  else putc(c);
}

export class Reply {
  machine: bool = false;
  id: u32 = 0;
  private open: bool = false;   // begin() called, end() not yet
  private failed: bool = false;
  private fields: i32 = 0;
  private inMsg: bool = false;
  private started: bool = false;
  /** Set by a command that answers later (see Shell.finishDeferred). */
  deferred: bool = false;

  begin(machine: bool, id: u32): void {
    this.machine = machine; this.id = id;
    this.open = true; this.failed = false; this.fields = 0; this.inMsg = false; this.deferred = false;
    this.started = false;
  }

  /** The machine-mode head is written lazily, so a deferred command can answer later. */
  private head(): void {
    if (this.started) return;
    this.started = true;
    if (this.machine) { crcOn = true; crcState = 0xffffffff; puts("{\"id\":"); putU32(this.id); putc(44); }
  }

  get isOpen(): bool { return this.open; }
  get hasFailed(): bool { return this.failed; }

  /** Starts a field named by bytes (config keys). */
  fieldStartBytes(p: usize, n: i32): void {
    this.head();
    if (this.machine) {
      if (this.fields == 0) puts("\"ok\":true,\"data\":{"); else putc(44);
      putc(34); for (let i = 0; i < n; i++) putJsonChar(load<u8>(p + i)); puts("\":");
    } else { putBytes(p, n); puts(" = "); }
    this.fields++;
  }

  /** Starts a field named by a MAC address (one entry per BSS, per neighbour). */
  fieldStartMac(mac: usize): void {
    this.head();
    if (this.machine) {
      if (this.fields == 0) puts("\"ok\":true,\"data\":{"); else putc(44);
      putc(34); putMac(mac); puts("\":");
    } else { putMac(mac); puts(" = "); }
    this.fields++;
  }

  @ascii field<T>(name: T): void {
    this.head();
    if (this.machine) {
      if (this.fields == 0) puts("\"ok\":true,\"data\":{"); else putc(44);
      putc(34); puts(name); puts("\":");
      this.fields++;
    } else { puts(name); puts(": "); this.fields++; }
  }
  /** Ends a field's line in human mode. */
  endField(): void { if (!this.machine) crlf(); }
  /** Text appended only for humans (after a value, before endField). */
  @ascii note<T>(s: T): void { if (!this.machine) puts(s); }

  @ascii valStr<T>(s: T): void {
    if (this.machine) { putc(34); putJsonText(s); putc(34); }
    else puts(s);
  }
  valBytes(p: usize, n: i32): void {
    if (this.machine) { putc(34); for (let i = 0; i < n; i++) putJsonChar(load<u8>(p + i)); putc(34); }
    else putBytes(p, n);
  }
  valHex(p: usize, n: i32): void {
    if (this.machine) putc(34);
    putHexBytes(p, n);
    if (this.machine) putc(34);
  }
  /** Building a string value piecewise: quote(), part()..., quote(). */
  quote(): void { if (this.machine) putc(34); }
  @ascii part<T>(s: T): void { if (this.machine) putJsonText(s); else puts(s); }
  partBytes(p: usize, n: i32): void { for (let i = 0; i < n; i++) { const c = <i32>load<u8>(p + i); if (this.machine) putJsonChar(c); else putc(c); } }
  partU32(v: u32): void { putU32(v); }
  partHex(v: u32, digits: i32): void { putHex(v, digits); }
  partMac(mac: usize): void { putMac(mac); }
  valU32(v: u32): void { putU32(v); }
  valI64(v: i64): void { putI64(v); }
  valBool(b: bool): void { puts(b ? "true" : "false"); }
  valIp(a: u32): void { if (this.machine) putc(34); putIp(a); if (this.machine) putc(34); }
  valNull(): void { puts(this.machine ? "null" : "-"); }

  @ascii fieldStr<N, S>(name: N, s: S): void { this.field(name); this.valStr(s); this.endField(); }
  @ascii fieldBytes<N>(name: N, p: usize, n: i32): void { this.field(name); this.valBytes(p, n); this.endField(); }
  @ascii fieldU32<N>(name: N, v: u32): void { this.field(name); this.valU32(v); this.endField(); }
  @ascii fieldI64<N>(name: N, v: i64): void { this.field(name); this.valI64(v); this.endField(); }
  @ascii fieldBool<N>(name: N, b: bool): void { this.field(name); this.valBool(b); this.endField(); }
  @ascii fieldIp<N>(name: N, a: u32): void { this.field(name); this.valIp(a); this.endField(); }

  /** Free text for humans; ignored in machine mode. */
  @ascii text<T>(s: T): void { if (!this.machine) puts(s); }
  textBytes(p: usize, n: i32): void { if (!this.machine) putBytes(p, n); }
  @ascii textLine<T>(s: T): void { if (!this.machine) { puts(s); crlf(); } }

  /** Starts an error with a stable code (machine) and a message; continue with msg*(), then end(). */
  @ascii fail<C, M>(code: C, msg: M): void {
    if (this.failed) return;
    this.head();
    this.failed = true;
    if (this.machine) {
      if (this.fields > 0) puts("},");
      puts("\"ok\":false,\"err\":\""); puts(code); puts("\",\"msg\":\"");
      putJsonText(msg);
    } else { puts("error: "); puts(msg); }
    this.inMsg = true;
  }
  @ascii msg<T>(s: T): void {
    if (!this.inMsg) return;
    if (this.machine) putJsonText(s); else puts(s);
  }
  msgBytes(p: usize, n: i32): void {
    if (!this.inMsg) return;
    for (let i = 0; i < n; i++) { const c = <i32>load<u8>(p + i); if (this.machine) putJsonChar(c); else putc(c < 32 ? 63 : c); }
  }
  msgU32(v: u32): void { if (this.inMsg) putU32(v); }

  end(): void {
    if (!this.open) return;
    this.head();
    this.open = false;
    if (this.machine) {
      if (this.failed) puts("\"}");
      else if (this.fields == 0) puts("\"ok\":true,\"data\":{}}");
      else puts("}}");
      crcOn = false;
      const c = ~crcState;
      putc(42); putHex(c, 8); crlf();
    } else if (this.failed) crlf();
    this.inMsg = false;
  }
}
