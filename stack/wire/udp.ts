// UDP header view and emitter (RFC 768). Protocol logic is in stack/transport/udp.ts.
import { get16, put16 } from "./bytes";

export const UDP_HEADER_LEN: i32 = 8;

export class UdpView {
  ptr: usize = 0;
  len: i32 = 0;

  wrap(ptr: usize, len: i32): UdpView { this.ptr = ptr; this.len = len; return this; }

  /** The length field covers at least the header and at most what the IP layer delivered. */
  check(): bool {
    if (this.len < UDP_HEADER_LEN) return false;
    const l = <i32>get16(this.ptr + 4);
    return l >= UDP_HEADER_LEN && l <= this.len;
  }

  get srcPort(): u32 { return get16(this.ptr); }
  get dstPort(): u32 { return get16(this.ptr + 2); }
  /** Datagram length from the header (header included). */
  get length(): i32 { return <i32>get16(this.ptr + 4); }
  get checksum(): u32 { return get16(this.ptr + 6); }
  get payload(): usize { return this.ptr + UDP_HEADER_LEN; }
  get payloadLen(): i32 { return this.length - UDP_HEADER_LEN; }
}

/** Writes the 8-byte header with a zero checksum; returns 8. */
export function emitUdpHeader(p: usize, sport: u32, dport: u32, payloadLen: i32): i32 {
  put16(p, sport);
  put16(p + 2, dport);
  put16(p + 4, <u32>(payloadLen + UDP_HEADER_LEN));
  store<u16>(p + 6, 0);
  return UDP_HEADER_LEN;
}

export function setUdpChecksum(p: usize, value: u32): void { put16(p + 6, value); }
