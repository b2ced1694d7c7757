// ICMP messages (RFC 792). The view covers the fixed 8-byte header; echo messages carry an
// identifier and sequence number there, error messages quote the offending IP header plus
// at least 8 bytes of its payload after it.
import { get8, get16, put16, put32 } from "./bytes";
import { inetChecksum, inetChecksumValid } from "./checksum";

export const ICMP_HEADER_LEN: i32 = 8;

export enum IcmpType {
  EchoReply = 0,
  DestUnreachable = 3,
  SourceQuench = 4,
  Redirect = 5,
  EchoRequest = 8,
  TimeExceeded = 11,
  ParameterProblem = 12,
}

export enum UnreachCode {
  Net = 0,
  Host = 1,
  Protocol = 2,
  Port = 3,
  FragmentationNeeded = 4,
}

export class IcmpPacket {
  ptr: usize = 0;
  len: i32 = 0;

  wrap(ptr: usize, len: i32): IcmpPacket {
    this.ptr = ptr;
    this.len = len;
    return this;
  }

  check(): bool { return this.len >= ICMP_HEADER_LEN; }
  checksumValid(): bool { return inetChecksumValid(this.ptr, this.len); }

  get type(): u32 { return get8(this.ptr); }
  get code(): u32 { return get8(this.ptr + 1); }
  get checksum(): u32 { return get16(this.ptr + 2); }
  get echoIdent(): u32 { return get16(this.ptr + 4); }
  get echoSeq(): u32 { return get16(this.ptr + 6); }
  /** Echo data, or for errors the quoted IP header and payload. */
  get body(): usize { return this.ptr + ICMP_HEADER_LEN; }
  get bodyLen(): i32 { return this.len - ICMP_HEADER_LEN; }
  get isError(): bool { return isIcmpError(this.type); }
}

/** True for the message types that quote a datagram (RFC 1122 §3.2.2). */
export function isIcmpError(type: u32): bool {
  return type == IcmpType.DestUnreachable || type == IcmpType.TimeExceeded
    || type == IcmpType.ParameterProblem || type == IcmpType.SourceQuench || type == IcmpType.Redirect;
}

/**
 * Writes an echo request or reply header in front of `dataLen` bytes already at buf + 8,
 * computes the checksum, and returns the message length.
 */
export function emitIcmpEcho(buf: usize, type: u32, ident: u32, seq: u32, dataLen: i32): i32 {
  const len = ICMP_HEADER_LEN + dataLen;
  store<u8>(buf, <u8>type);
  store<u8>(buf + 1, 0);
  store<u16>(buf + 2, 0);
  put16(buf + 4, ident);
  put16(buf + 6, seq);
  put16(buf + 2, inetChecksum(buf, len));
  return len;
}

/**
 * Writes an error message quoting `quotedLen` bytes already at buf + 8 (the offending
 * IP header and the start of its payload), computes the checksum, returns the length.
 * `extra` is the 32-bit field after the checksum (unused = 0; next-hop MTU for code 4).
 */
export function emitIcmpError(buf: usize, type: u32, code: u32, extra: u32, quotedLen: i32): i32 {
  const len = ICMP_HEADER_LEN + quotedLen;
  store<u8>(buf, <u8>type);
  store<u8>(buf + 1, <u8>code);
  store<u16>(buf + 2, 0);
  put32(buf + 4, extra);
  put16(buf + 2, inetChecksum(buf, len));
  return len;
}
