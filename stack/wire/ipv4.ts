// IPv4 header (RFC 791 §3.1). check() validates structure; the header checksum is checked
// separately (checksumValid) so that the two failures are counted apart.
import { get8, get16, get32, put16, put32 } from "./bytes";
import { inetChecksum, inetChecksumValid } from "./checksum";

export const IPV4_MIN_HEADER: i32 = 20;
export const IPV4_BROADCAST: u32 = 0xffffffff;

export enum IpProtocol {
  Icmp = 1,
  Tcp = 6,
  Udp = 17,
}

const FLAG_DF: u32 = 0x4000;
const FLAG_MF: u32 = 0x2000;
const OFFSET_MASK: u32 = 0x1fff;

export class Ipv4Packet {
  ptr: usize = 0;
  len: i32 = 0;

  wrap(ptr: usize, len: i32): Ipv4Packet {
    this.ptr = ptr;
    this.len = len;
    return this;
  }

  /**
   * Version 4, IHL ≥ 5, header within the total length, total length within the buffer
   * (the buffer may be longer: Ethernet pads short frames).
   */
  check(): bool {
    if (this.len < IPV4_MIN_HEADER) return false;
    const vihl = get8(this.ptr);
    if ((vihl >>> 4) != 4) return false;
    const headerLen = <i32>(vihl & 15) << 2;
    if (headerLen < IPV4_MIN_HEADER) return false;
    const total = <i32>get16(this.ptr + 2);
    return total >= headerLen && total <= this.len;
  }

  checksumValid(): bool { return inetChecksumValid(this.ptr, this.headerLen); }

  @inline get headerLen(): i32 { return <i32>(get8(this.ptr) & 15) << 2; }
  @inline get totalLen(): i32 { return <i32>get16(this.ptr + 2); }
  get ident(): u32 { return get16(this.ptr + 4); }
  get dontFragment(): bool { return (get16(this.ptr + 6) & FLAG_DF) != 0; }
  /** More-fragments set or a non-zero offset: one piece of a fragmented datagram. */
  get isFragment(): bool { return (get16(this.ptr + 6) & (FLAG_MF | OFFSET_MASK)) != 0; }
  get fragmentOffset(): u32 { return (get16(this.ptr + 6) & OFFSET_MASK) << 3; }
  get ttl(): u32 { return get8(this.ptr + 8); }
  get protocol(): u32 { return get8(this.ptr + 9); }
  get src(): u32 { return get32(this.ptr + 12); }
  get dst(): u32 { return get32(this.ptr + 16); }
  get payload(): usize { return this.ptr + <usize>this.headerLen; }
  get payloadLen(): i32 { return this.totalLen - this.headerLen; }
}

/**
 * Writes a 20-byte header (no options) with its checksum and returns its length.
 * We never fragment, so DF is set when `dontFragment` and the offset is zero.
 */
export function emitIpv4Header(
  buf: usize, src: u32, dst: u32, protocol: u32, payloadLen: i32, ttl: u32, ident: u32, dontFragment: bool = true,
): i32 {
  store<u8>(buf, 0x45);
  store<u8>(buf + 1, 0); // DSCP/ECN: best effort
  put16(buf + 2, <u32>(IPV4_MIN_HEADER + payloadLen));
  put16(buf + 4, ident);
  put16(buf + 6, dontFragment ? FLAG_DF : 0);
  store<u8>(buf + 8, <u8>ttl);
  store<u8>(buf + 9, <u8>protocol);
  store<u16>(buf + 10, 0);
  put32(buf + 12, src);
  put32(buf + 16, dst);
  put16(buf + 10, inetChecksum(buf, IPV4_MIN_HEADER));
  return IPV4_MIN_HEADER;
}

/** Network mask for a prefix length 0..32. */
// @ts-ignore: decorator
@inline export function prefixMask(prefixLen: i32): u32 {
  if (prefixLen <= 0) return 0;
  if (prefixLen >= 32) return 0xffffffff;
  return ~(<u32>0xffffffff >>> <u32>prefixLen);
}

// @ts-ignore: decorator
@inline export function isMulticast(addr: u32): bool { return (addr >>> 28) == 0xe; }
