// Ethernet II framing (IEEE 802.3 with an EtherType instead of a length). No FCS: drivers
// strip it on receive and the hardware appends it on transmit.
import { get16, put16, macCopy } from "./bytes";

export const ETH_HEADER_LEN: i32 = 14;
/** Largest frame we send or accept without FCS: 1500-byte MTU plus the header. */
export const ETH_MAX_FRAME: i32 = 1514;
export const ETH_MTU: i32 = 1500;

export enum EtherType {
  Ipv4 = 0x0800,
  Arp = 0x0806,
}

/** A view of one received frame. Call check() before any accessor. */
export class EthernetFrame {
  ptr: usize = 0;
  len: i32 = 0;

  wrap(ptr: usize, len: i32): EthernetFrame {
    this.ptr = ptr;
    this.len = len;
    return this;
  }

  /** Header present and the frame within the largest we accept. */
  check(): bool {
    return this.len >= ETH_HEADER_LEN && this.len <= ETH_MAX_FRAME;
  }

  get dst(): usize { return this.ptr; }
  get src(): usize { return this.ptr + 6; }
  get etherType(): u32 { return get16(this.ptr + 12); }
  get payload(): usize { return this.ptr + ETH_HEADER_LEN; }
  /** May include link padding (frames are at least 60 bytes): upper layers trim by their own length field. */
  get payloadLen(): i32 { return this.len - ETH_HEADER_LEN; }
}

/** Writes the 14-byte header into buf and returns its length. */
export function emitEthernetHeader(buf: usize, dst: usize, src: usize, etherType: u32): i32 {
  macCopy(buf, dst);
  macCopy(buf + 6, src);
  put16(buf + 12, etherType);
  return ETH_HEADER_LEN;
}
