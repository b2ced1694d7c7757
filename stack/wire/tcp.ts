// TCP header view and emitter (RFC 9293 §3.1). Only framing and options live here; the
// state machine is in stack/transport/tcp.ts. `check()` validates the data offset and
// walks the options once, remembering the ones we use (MSS, window scale, SACK-permitted),
// so malformed option lists are rejected before any protocol logic sees them.
import { get16, get32, put16, put32 } from "./bytes";

export const TCP_HEADER_LEN: i32 = 20;
export const TCP_FIN: u32 = 0x01;
export const TCP_SYN: u32 = 0x02;
export const TCP_RST: u32 = 0x04;
export const TCP_PSH: u32 = 0x08;
export const TCP_ACK: u32 = 0x10;
export const TCP_URG: u32 = 0x20;

export const TCPOPT_EOL: u32 = 0;
export const TCPOPT_NOP: u32 = 1;
export const TCPOPT_MSS: u32 = 2;
export const TCPOPT_WSCALE: u32 = 3;
export const TCPOPT_SACK_PERMITTED: u32 = 4;
export const TCPOPT_SACK: u32 = 5;
export const TCPOPT_TIMESTAMP: u32 = 8;

export class TcpView {
  ptr: usize = 0;
  len: i32 = 0;
  /** Filled by check(): MSS option value, 0 when absent. */
  mss: u32 = 0;
  /** Window scale shift, -1 when absent. */
  wscale: i32 = -1;
  sackPermitted: bool = false;

  wrap(ptr: usize, len: i32): TcpView { this.ptr = ptr; this.len = len; return this; }

  /** Header length and option list are consistent with the segment length. */
  check(): bool {
    const len = this.len;
    if (len < TCP_HEADER_LEN) return false;
    const off = <i32>(load<u8>(this.ptr + 12) >> 4) << 2;
    if (off < TCP_HEADER_LEN || off > len) return false;
    this.mss = 0; this.wscale = -1; this.sackPermitted = false;
    // RFC 9293 §3.1: every option after kinds 0 and 1 carries a length octet that counts
    // the kind and length octets; an option that overruns the header is malformed
    // (§3.2: "MUST be prepared to handle an illegal option length").
    let i = TCP_HEADER_LEN;
    const p = this.ptr;
    while (i < off) {
      const kind = <u32>load<u8>(p + i);
      if (kind == TCPOPT_EOL) break;
      if (kind == TCPOPT_NOP) { i++; continue; }
      if (i + 1 >= off) return false;
      const olen = <i32>load<u8>(p + i + 1);
      if (olen < 2 || i + olen > off) return false;
      if (kind == TCPOPT_MSS) {
        if (olen != 4) return false;
        this.mss = get16(p + i + 2);
      } else if (kind == TCPOPT_WSCALE) {
        if (olen != 3) return false;
        this.wscale = <i32>load<u8>(p + i + 2);
      } else if (kind == TCPOPT_SACK_PERMITTED) {
        if (olen != 2) return false;
        this.sackPermitted = true;
      }
      i += olen;
    }
    return true;
  }

  get srcPort(): u32 { return get16(this.ptr); }
  get dstPort(): u32 { return get16(this.ptr + 2); }
  get seq(): u32 { return get32(this.ptr + 4); }
  get ack(): u32 { return get32(this.ptr + 8); }
  get headerLen(): i32 { return <i32>(load<u8>(this.ptr + 12) >> 4) << 2; }
  get flags(): u32 { return <u32>load<u8>(this.ptr + 13) & 0x3f; }
  get window(): u32 { return get16(this.ptr + 14); }
  get checksum(): u32 { return get16(this.ptr + 16); }
  get payload(): usize { return this.ptr + <usize>this.headerLen; }
  get payloadLen(): i32 { return this.len - this.headerLen; }
}

/**
 * Writes a TCP header at p with `optLen` bytes of options space (a multiple of 4, filled
 * by the caller after the fixed header) and a zero checksum. Returns the header length.
 */
export function emitTcpHeader(p: usize, sport: u32, dport: u32, seq: u32, ack: u32, flags: u32, window: u32, optLen: i32): i32 {
  const hlen = TCP_HEADER_LEN + optLen;
  put16(p, sport);
  put16(p + 2, dport);
  put32(p + 4, seq);
  put32(p + 8, ack);
  store<u8>(p + 12, <u8>((hlen >> 2) << 4));
  store<u8>(p + 13, <u8>flags);
  put16(p + 14, window);
  store<u32>(p + 16, 0); // checksum and urgent pointer
  return hlen;
}

/** Writes an MSS option (kind 2, length 4) at p; returns 4. */
export function emitMssOption(p: usize, mss: u32): i32 {
  store<u8>(p, <u8>TCPOPT_MSS);
  store<u8>(p + 1, 4);
  put16(p + 2, mss);
  return 4;
}

export function setTcpChecksum(p: usize, value: u32): void { put16(p + 16, value); }
